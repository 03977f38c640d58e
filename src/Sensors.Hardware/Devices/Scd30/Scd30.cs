using Sensors.Hardware.Drivers;
using Sensors.Hardware.Devices.Sensirion;
using System.Buffers.Binary;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Scd30;

/// <summary>
/// Sensirion SCD30 on I2C (address 0x61), from its interface description (version 1.0, §1.4):
/// continuous measurement with optional pressure compensation, measurement interval, data
/// ready, forced recalibration, automatic self-calibration, temperature offset, altitude,
/// firmware version, soft reset. A read is a command write, a pause of at least 3 ms (§1.1.1),
/// then the read; measurements are three big-endian IEEE 754 floats, each as two CRC'd words.
/// </summary>
public sealed class Scd30(II2cDevice device, TimeProvider time) : ICo2Sensor
{
    public const int DefaultAddress = 0x61;

    public const ushort TriggerContinuousMeasurement = 0x0010;
    public const ushort StopContinuousMeasurement = 0x0104;
    public const ushort MeasurementIntervalCommand = 0x4600;
    public const ushort GetDataReadyCommand = 0x0202;
    public const ushort ReadMeasurementCommand = 0x0300;
    public const ushort AutomaticSelfCalibrationCommand = 0x5306;
    public const ushort ForcedRecalibrationCommand = 0x5204;
    public const ushort TemperatureOffsetCommand = 0x5403;
    public const ushort AltitudeCommand = 0x5102;
    public const ushort FirmwareVersionCommand = 0xD100;
    public const ushort SoftResetCommand = 0xD304;

    /// <summary>The pause between a command and reading its answer (§1.1.1: at least 3 ms).</summary>
    public static readonly TimeSpan ReadPause = TimeSpan.FromMilliseconds(3);

    /// <summary>After a soft reset the sensor needs up to 2 s to boot (§1.4.9).</summary>
    public static readonly TimeSpan BootTime = TimeSpan.FromSeconds(2);

    private readonly SensirionI2c _bus = new(device, time);
    private TimeSpan _interval = TimeSpan.FromSeconds(2);

    public string Model => "SCD30";

    public string Describe => device.Describe;

    public TimeSpan MeasurementInterval => _interval;

    public TimeSpan WarmUp => TimeSpan.FromSeconds(30);

    /// <summary>0–10,000 ppm (datasheet §1.1).</summary>
    public (double Min, double Max) Co2Range => (1, 10_000);

    /// <summary>Seconds between measurements, 2–1800.</summary>
    public int IntervalSeconds { get; init; } = 2;

    /// <summary>Ambient pressure in mbar (700–1400) for compensation; null uses the altitude.</summary>
    public int? AmbientPressureMbar { get; init; }

    public int? AltitudeM { get; init; }

    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var firmware = await GetFirmwareVersionAsync(cancellationToken).ConfigureAwait(false);
        await SetMeasurementIntervalAsync(IntervalSeconds, cancellationToken).ConfigureAwait(false);
        if (AltitudeM is { } altitude && AmbientPressureMbar is null && altitude != await GetAltitudeAsync(cancellationToken).ConfigureAwait(false))
        {
            await SetAltitudeAsync(altitude, cancellationToken).ConfigureAwait(false);
        }

        await StartContinuousAsync(AmbientPressureMbar, cancellationToken).ConfigureAwait(false);
        return $"firmware {firmware}";
    }

    /// <summary>Starts (or restarts) continuous measurement; with a pressure in mbar, compensated for it.</summary>
    public Task StartContinuousAsync(int? pressureMbar, CancellationToken cancellationToken)
    {
        if (pressureMbar is { } p && p is < 700 or > 1400)
        {
            throw new ArgumentOutOfRangeException(nameof(pressureMbar), pressureMbar, "The SCD30 takes an ambient pressure from 700 to 1400 mbar.");
        }

        return _bus.SendAsync(TriggerContinuousMeasurement, (ushort)(pressureMbar ?? 0), TimeSpan.Zero, cancellationToken);
    }

    public Task StopContinuousAsync(CancellationToken cancellationToken) => _bus.SendAsync(StopContinuousMeasurement, TimeSpan.Zero, cancellationToken);

    public async Task SetMeasurementIntervalAsync(int seconds, CancellationToken cancellationToken)
    {
        if (seconds is < 2 or > 1800)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The SCD30 measures every 2 to 1800 s.");
        }

        await _bus.SendAsync(MeasurementIntervalCommand, (ushort)seconds, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        _interval = TimeSpan.FromSeconds(seconds);
    }

    public async Task<int> GetMeasurementIntervalAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(MeasurementIntervalCommand, 1, ReadPause, "get measurement interval", cancellationToken).ConfigureAwait(false))[0];

    public async Task<bool> IsDataReadyAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(GetDataReadyCommand, 1, ReadPause, "get data ready", cancellationToken).ConfigureAwait(false))[0] == 1;

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await IsDataReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var words = await _bus.ReadAsync(ReadMeasurementCommand, 6, ReadPause, cancellationToken).ConfigureAwait(false);
        return new SensorSample(
            ToFloat(words[0], words[1]) ?? throw new HardwareException(HardwareFault.Checksum, $"{device.Describe}: CRC error on the CO2 value; noise on the wires or a loose contact."),
            ToFloat(words[2], words[3]),
            ToFloat(words[4], words[5]));
    }

    /// <summary>Forced recalibration to a reference of 400–2000 ppm (§1.4.6), after 2 minutes in that air.</summary>
    public Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken) =>
        referencePpm is < 400 or > 2000
            ? throw new ArgumentOutOfRangeException(nameof(referencePpm), referencePpm, "The SCD30 recalibrates to a reference of 400 to 2000 ppm.")
            : _bus.SendAsync(ForcedRecalibrationCommand, (ushort)referencePpm, TimeSpan.Zero, cancellationToken);

    public async Task<int> GetForcedRecalibrationValueAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(ForcedRecalibrationCommand, 1, ReadPause, "get forced recalibration value", cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// The SCD30 takes the ambient pressure as the argument of "trigger continuous measurement"
    /// (§1.4.1): sent again while it measures, it only changes the compensation, which then
    /// overrides the altitude.
    /// </summary>
    public async Task<bool> CompensatePressureAsync(double hectopascals, CancellationToken cancellationToken)
    {
        await StartContinuousAsync((int)Math.Round(hectopascals), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken) =>
        _bus.SendAsync(AutomaticSelfCalibrationCommand, enabled ? (ushort)1 : (ushort)0, TimeSpan.Zero, cancellationToken);

    public async Task<bool> GetAutomaticCalibrationAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(AutomaticSelfCalibrationCommand, 1, ReadPause, "get automatic self-calibration", cancellationToken).ConfigureAwait(false))[0] == 1;

    /// <summary>Temperature offset in °C (stored in 0.01 K units, §1.4.7).</summary>
    public Task SetTemperatureOffsetAsync(double offsetC, CancellationToken cancellationToken) =>
        _bus.SendAsync(TemperatureOffsetCommand, (ushort)Math.Round(offsetC * 100), TimeSpan.Zero, cancellationToken);

    public async Task<double> GetTemperatureOffsetAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(TemperatureOffsetCommand, 1, ReadPause, "get temperature offset", cancellationToken).ConfigureAwait(false))[0] / 100.0;

    public Task SetAltitudeAsync(int metres, CancellationToken cancellationToken) =>
        _bus.SendAsync(AltitudeCommand, (ushort)Math.Clamp(metres, 0, 65535), TimeSpan.Zero, cancellationToken);

    public async Task<int> GetAltitudeAsync(CancellationToken cancellationToken) =>
        (await _bus.ReadCheckedAsync(AltitudeCommand, 1, ReadPause, "get altitude", cancellationToken).ConfigureAwait(false))[0];

    public async Task<string> GetFirmwareVersionAsync(CancellationToken cancellationToken)
    {
        var word = (await _bus.ReadCheckedAsync(FirmwareVersionCommand, 1, ReadPause, "read firmware version", cancellationToken).ConfigureAwait(false))[0];
        return $"{word >> 8}.{word & 0xFF}";
    }

    public Task SoftResetAsync(CancellationToken cancellationToken) => _bus.SendAsync(SoftResetCommand, BootTime, cancellationToken);

    public void Dispose() => device.Dispose();

    /// <summary>Two words, most significant first, as a big-endian IEEE 754 float; null if either CRC failed.</summary>
    public static double? ToFloat(ushort? high, ushort? low)
    {
        if (high is not { } h || low is not { } l)
        {
            return null;
        }

        Span<byte> bytes = [(byte)(h >> 8), (byte)h, (byte)(l >> 8), (byte)l];
        return BinaryPrimitives.ReadSingleBigEndian(bytes);
    }

    public static (ushort High, ushort Low) FromFloat(float value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleBigEndian(bytes, value);
        return ((ushort)((bytes[0] << 8) | bytes[1]), (ushort)((bytes[2] << 8) | bytes[3]));
    }
}
