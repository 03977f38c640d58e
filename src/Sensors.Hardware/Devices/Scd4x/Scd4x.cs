using Sensors.Hardware.Drivers;
using Sensors.Hardware.Devices.Sensirion;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Scd4x;

/// <summary>
/// Sensirion SCD40/SCD41 on I2C (address 0x62), from the SCD4x datasheet (version 1.4, §3).
/// Every command of the datasheet is here, with its execution time; while a periodic
/// measurement runs the sensor only takes read_measurement, get_data_ready_status,
/// set_ambient_pressure and stop_periodic_measurement (§3.5), so configuration happens between a
/// stop and a start. Conversions are pure static functions, tested with the datasheet's examples.
/// </summary>
public sealed class Scd4x(II2cDevice device, TimeProvider time, string model = "SCD41") : ICo2Sensor
{
    public const int DefaultAddress = 0x62;

    // Command codes and execution times, datasheet Table 9.
    public const ushort StartPeriodicMeasurement = 0x21B1;
    public const ushort ReadMeasurementCommand = 0xEC05;
    public const ushort StopPeriodicMeasurement = 0x3F86;
    public const ushort SetTemperatureOffsetCommand = 0x241D;
    public const ushort GetTemperatureOffsetCommand = 0x2318;
    public const ushort SetSensorAltitudeCommand = 0x2427;
    public const ushort GetSensorAltitudeCommand = 0x2322;
    public const ushort SetAmbientPressureCommand = 0xE000;
    public const ushort PerformForcedRecalibrationCommand = 0x362F;
    public const ushort SetAutomaticSelfCalibrationCommand = 0x2416;
    public const ushort GetAutomaticSelfCalibrationCommand = 0x2313;
    public const ushort StartLowPowerPeriodicMeasurement = 0x21AC;
    public const ushort GetDataReadyStatusCommand = 0xE4B8;
    public const ushort PersistSettingsCommand = 0x3615;
    public const ushort GetSerialNumberCommand = 0x3682;
    public const ushort PerformSelfTestCommand = 0x3639;
    public const ushort PerformFactoryResetCommand = 0x3632;
    public const ushort ReinitCommand = 0x3646;
    public const ushort MeasureSingleShotCommand = 0x219D;
    public const ushort MeasureSingleShotRhtOnlyCommand = 0x2196;

    public static readonly TimeSpan StopTime = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan ShortTime = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan RecalibrationTime = TimeSpan.FromMilliseconds(400);
    public static readonly TimeSpan PersistTime = TimeSpan.FromMilliseconds(800);
    public static readonly TimeSpan SelfTestTime = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FactoryResetTime = TimeSpan.FromMilliseconds(1200);
    public static readonly TimeSpan ReinitTime = TimeSpan.FromMilliseconds(30);
    public static readonly TimeSpan SingleShotTime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan SingleShotRhtTime = TimeSpan.FromMilliseconds(50);

    private readonly SensirionI2c _bus = new(device, time);

    public string Model { get; } = model;

    public string Describe => device.Describe;

    /// <summary>5 s in periodic mode, 30 s in low-power periodic mode (§3.5, §3.8).</summary>
    public TimeSpan MeasurementInterval => LowPower ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(5);

    /// <summary>The first measurements after a start settle; discard the first minute.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(60);

    /// <summary>Output range 0–40,000 ppm; specified 400–5,000 ppm (§1.1).</summary>
    public (double Min, double Max) Co2Range => (1, 40_000);

    /// <summary>Low-power periodic measurement (one every 30 s) instead of every 5 s.</summary>
    public bool LowPower { get; init; }

    /// <summary>The site's altitude, for pressure compensation when no ambient pressure is given.</summary>
    public int? AltitudeM { get; init; }

    public bool IsMeasuring { get; private set; }

    /// <summary>Stops whatever runs, reads the serial number, sets the altitude, starts measuring.</summary>
    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        var serial = await GetSerialNumberAsync(cancellationToken).ConfigureAwait(false);
        if (AltitudeM is { } altitude && altitude != await GetSensorAltitudeAsync(cancellationToken).ConfigureAwait(false))
        {
            await SetSensorAltitudeAsync(altitude, cancellationToken).ConfigureAwait(false);
        }

        await _bus.SendAsync(LowPower ? StartLowPowerPeriodicMeasurement : StartPeriodicMeasurement, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        IsMeasuring = true;
        return $"serial {serial}";
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _bus.SendAsync(StopPeriodicMeasurement, StopTime, cancellationToken).ConfigureAwait(false);
        IsMeasuring = false;
    }

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await IsDataReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return ToSample(await _bus.ReadAsync(ReadMeasurementCommand, 3, ShortTime, cancellationToken).ConfigureAwait(false), device.Describe);
    }

    /// <summary>get_data_ready_status: the 11 least significant bits are 0 when no new measurement is ready (§3.8.2).</summary>
    public async Task<bool> IsDataReadyAsync(CancellationToken cancellationToken)
    {
        var word = (await _bus.ReadCheckedAsync(GetDataReadyStatusCommand, 1, ShortTime, "get_data_ready_status", cancellationToken).ConfigureAwait(false))[0];
        return IsReady(word);
    }

    /// <summary>SCD41 only: one measurement on demand (5 s), for single-shot operation.</summary>
    public async Task<SensorSample> MeasureSingleShotAsync(CancellationToken cancellationToken)
    {
        await _bus.SendAsync(MeasureSingleShotCommand, SingleShotTime, cancellationToken).ConfigureAwait(false);
        return ToSample(await _bus.ReadAsync(ReadMeasurementCommand, 3, ShortTime, cancellationToken).ConfigureAwait(false), device.Describe);
    }

    /// <summary>SCD41 only: temperature and humidity only (50 ms); the CO2 word reads 0.</summary>
    public async Task<(double TemperatureC, double HumidityPct)> MeasureSingleShotRhtOnlyAsync(CancellationToken cancellationToken)
    {
        await _bus.SendAsync(MeasureSingleShotRhtOnlyCommand, SingleShotRhtTime, cancellationToken).ConfigureAwait(false);
        var words = await _bus.ReadCheckedAsync(ReadMeasurementCommand, 3, ShortTime, "read_measurement", cancellationToken).ConfigureAwait(false);
        return (ToTemperature(words[1]), ToHumidity(words[2]));
    }

    public async Task<string> GetSerialNumberAsync(CancellationToken cancellationToken)
    {
        var words = await _bus.ReadCheckedAsync(GetSerialNumberCommand, 3, ShortTime, "get_serial_number", cancellationToken).ConfigureAwait(false);
        return ToSerialNumber(words);
    }

    public async Task SetTemperatureOffsetAsync(double offsetC, CancellationToken cancellationToken) =>
        await _bus.SendAsync(SetTemperatureOffsetCommand, FromTemperatureOffset(offsetC), ShortTime, cancellationToken).ConfigureAwait(false);

    public async Task<double> GetTemperatureOffsetAsync(CancellationToken cancellationToken) =>
        ToTemperatureOffset((await _bus.ReadCheckedAsync(GetTemperatureOffsetCommand, 1, ShortTime, "get_temperature_offset", cancellationToken).ConfigureAwait(false))[0]);

    public async Task SetSensorAltitudeAsync(int metres, CancellationToken cancellationToken)
    {
        if (metres is < 0 or > 3000)
        {
            throw new ArgumentOutOfRangeException(nameof(metres), metres, "The SCD4x takes an altitude from 0 to 3000 m.");
        }

        await _bus.SendAsync(SetSensorAltitudeCommand, (ushort)metres, ShortTime, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> GetSensorAltitudeAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(GetSensorAltitudeCommand, 1, ShortTime, "get_sensor_altitude", cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Ambient pressure in Pa (70,000–120,000); allowed during periodic measurement; overrides the altitude.</summary>
    public async Task SetAmbientPressureAsync(int pascal, CancellationToken cancellationToken)
    {
        if (pascal is < 70_000 or > 120_000)
        {
            throw new ArgumentOutOfRangeException(nameof(pascal), pascal, "The SCD4x takes an ambient pressure from 70000 to 120000 Pa.");
        }

        await _bus.SendAsync(SetAmbientPressureCommand, (ushort)Math.Round(pascal / 100.0, MidpointRounding.AwayFromZero), ShortTime, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Forced recalibration (§3.7.1): after at least 3 minutes of measuring in the reference air,
    /// stop, send the reference, read the correction. 0xFFFF means the sensor refused.
    /// Measuring starts again afterwards if it ran before.
    /// </summary>
    public async Task<int> PerformForcedRecalibrationAsync(int referencePpm, CancellationToken cancellationToken)
    {
        var wasMeasuring = IsMeasuring;
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await _bus.SendAsync(PerformForcedRecalibrationCommand, (ushort)referencePpm, RecalibrationTime, cancellationToken).ConfigureAwait(false);
        var word = _bus.ReadWords(1)[0] ?? throw new HardwareException(HardwareFault.Checksum, $"{device.Describe}: CRC error in the forced recalibration answer; run it again.");
        if (wasMeasuring)
        {
            await _bus.SendAsync(LowPower ? StartLowPowerPeriodicMeasurement : StartPeriodicMeasurement, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            IsMeasuring = true;
        }

        return ToCorrection(word) ?? throw new HardwareException(HardwareFault.Refused, $"{device.Describe}: the sensor refused the forced recalibration (0xFFFF). Let it measure in the reference air for 3 minutes first.");
    }

    public Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken) => PerformForcedRecalibrationAsync(referencePpm, cancellationToken);

    /// <summary>set_ambient_pressure (§3.6.5), allowed while it measures; it overrides the altitude.</summary>
    public async Task<bool> CompensatePressureAsync(double hectopascals, CancellationToken cancellationToken)
    {
        await SetAmbientPressureAsync((int)Math.Round(hectopascals * 100), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken)
    {
        var wasMeasuring = IsMeasuring;
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await _bus.SendAsync(SetAutomaticSelfCalibrationCommand, enabled ? (ushort)1 : (ushort)0, ShortTime, cancellationToken).ConfigureAwait(false);
        await PersistSettingsAsync(cancellationToken).ConfigureAwait(false);
        if (wasMeasuring)
        {
            await _bus.SendAsync(LowPower ? StartLowPowerPeriodicMeasurement : StartPeriodicMeasurement, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            IsMeasuring = true;
        }
    }

    public async Task<bool> GetAutomaticCalibrationAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(GetAutomaticSelfCalibrationCommand, 1, ShortTime, "get_automatic_self_calibration_enabled", cancellationToken).ConfigureAwait(false))[0] == 1;

    /// <summary>Writes the configuration to the EEPROM (§3.9.1): do it rarely, the EEPROM wears (2000 writes).</summary>
    public Task PersistSettingsAsync(CancellationToken cancellationToken) => _bus.SendAsync(PersistSettingsCommand, PersistTime, cancellationToken);

    /// <summary>perform_self_test (§3.9.3): 10 s; true when the sensor found no malfunction.</summary>
    public async Task<bool> PerformSelfTestAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(PerformSelfTestCommand, 1, SelfTestTime, "perform_self_test", cancellationToken).ConfigureAwait(false))[0] == 0;

    public Task PerformFactoryResetAsync(CancellationToken cancellationToken) => _bus.SendAsync(PerformFactoryResetCommand, FactoryResetTime, cancellationToken);

    public Task ReinitAsync(CancellationToken cancellationToken) => _bus.SendAsync(ReinitCommand, ReinitTime, cancellationToken);

    public void Dispose() => device.Dispose();

    // Pure conversions (§3.6.2, §3.7).
    public static double ToTemperature(ushort word) => -45 + (175.0 * word / 65535);

    public static double ToHumidity(ushort word) => 100.0 * word / 65535;

    public static double ToTemperatureOffset(ushort word) => 175.0 * word / 65535;

    public static ushort FromTemperatureOffset(double offsetC) => (ushort)Math.Round(offsetC * 65535 / 175);

    public static bool IsReady(ushort dataReadyWord) => (dataReadyWord & 0x07FF) != 0;

    /// <summary>The FRC answer: the correction in ppm (word − 0x8000), or null for 0xFFFF (failed).</summary>
    public static int? ToCorrection(ushort word) => word == 0xFFFF ? null : word - 0x8000;

    public static string ToSerialNumber(ReadOnlySpan<ushort> words) => $"{words[0]:x4}{words[1]:x4}{words[2]:x4}";

    /// <summary>A bad CO2 word spoils the sample; a bad temperature or humidity word only that field.</summary>
    private static SensorSample ToSample(ushort?[] words, string where) => new(
        words[0] ?? throw new HardwareException(HardwareFault.Checksum, $"{where}: CRC error on the CO2 value; noise on the wires or a loose contact."),
        words[1] is { } t ? ToTemperature(t) : null,
        words[2] is { } h ? ToHumidity(h) : null);
}
