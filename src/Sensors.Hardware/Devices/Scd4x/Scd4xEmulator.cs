using Sensors.Hardware.Emulation;
using Sensors.Hardware.Devices.Sensirion;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Scd4x;

/// <summary>
/// An SCD40/SCD41 in memory, behind the same <see cref="Bus.II2cDevice"/> as /dev/i2c-N: the
/// datasheet's commands with their execution times, periodic measurement every 5 s (30 s in low
/// power) with a data-ready flag that stays false until the period has elapsed, the commands a
/// measuring sensor refuses, settings kept in RAM until persisted, forced recalibration that
/// needs three minutes of measuring first, and the faults of <see cref="SensorFaults"/>.
/// </summary>
public sealed class Scd4xEmulator(Air air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c", ulong serialNumber = 0x1A2B_3C4D_5E6F, bool scd41 = true)
    : SensirionEmulator($"{bus} 0x{Scd4x.DefaultAddress:x2}", time, faults ?? new SensorFaults())
{
    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private Mode _mode;
    private DateTimeOffset _modeSince;
    private DateTimeOffset _lastTaken;
    private (double Co2, double T, double Rh)? _latest;
    private bool _singleShotPending;
    private TimeSpan _measuredBeforeStop;
    private double _calibrationOffset;

    private enum Mode
    {
        Idle,
        Periodic,
        LowPower,
    }

    public double TemperatureOffsetC { get; private set; } = 4;

    public int AltitudeM { get; private set; }

    public bool AutomaticSelfCalibration { get; private set; } = true;

    public int PersistCount { get; private set; }

    public bool IsMeasuring => _mode != Mode.Idle;

    /// <summary>The ambient pressure last set (hPa, §3.6.5), for the altitude compensation; null until one is.</summary>
    public int? AmbientPressureHpa { get; private set; }

    protected override TimeSpan Execute(ushort command, ushort? argument, out ushort[]? answer)
    {
        answer = null;
        var now = Time.GetUtcNow();
        if (_mode != Mode.Idle && command is not (Scd4x.ReadMeasurementCommand or Scd4x.GetDataReadyStatusCommand or Scd4x.StopPeriodicMeasurement or Scd4x.SetAmbientPressureCommand))
        {
            throw Refuse(command, "not allowed during periodic measurement (datasheet §3.5)");
        }

        switch (command)
        {
            case Scd4x.StartPeriodicMeasurement or Scd4x.StartLowPowerPeriodicMeasurement:
                _mode = command == Scd4x.StartPeriodicMeasurement ? Mode.Periodic : Mode.LowPower;
                _modeSince = now;
                _lastTaken = now;
                _latest = null;
                return TimeSpan.Zero;
            case Scd4x.StopPeriodicMeasurement:
                _measuredBeforeStop = _mode == Mode.Idle ? TimeSpan.Zero : now - _modeSince;
                _mode = Mode.Idle;
                return Scd4x.StopTime;
            case Scd4x.GetDataReadyStatusCommand:
                answer = [Ready(now) ? (ushort)0x8006 : (ushort)0x8000];
                return Scd4x.ShortTime;
            case Scd4x.ReadMeasurementCommand:
                answer = ReadMeasurement(now);
                return Scd4x.ShortTime;
            case Scd4x.SetTemperatureOffsetCommand when argument is { } offset:
                TemperatureOffsetC = Scd4x.ToTemperatureOffset(offset);
                return Scd4x.ShortTime;
            case Scd4x.GetTemperatureOffsetCommand:
                answer = [Scd4x.FromTemperatureOffset(TemperatureOffsetC)];
                return Scd4x.ShortTime;
            case Scd4x.SetSensorAltitudeCommand when argument is { } altitude:
                AltitudeM = altitude;
                return Scd4x.ShortTime;
            case Scd4x.GetSensorAltitudeCommand:
                answer = [(ushort)AltitudeM];
                return Scd4x.ShortTime;
            case Scd4x.SetAmbientPressureCommand when argument is not null:
                AmbientPressureHpa = argument.Value;
                return Scd4x.ShortTime;
            case Scd4x.PerformForcedRecalibrationCommand when argument is { } reference:
                // §3.7.1: the sensor must have measured for 3 minutes before the stop.
                if (_measuredBeforeStop < TimeSpan.FromMinutes(3))
                {
                    answer = [0xFFFF];
                }
                else
                {
                    var measured = _measurement.Take(now).Co2 + _calibrationOffset;
                    var correction = reference - measured;
                    _calibrationOffset += correction;
                    answer = [(ushort)(0x8000 + (int)Math.Round(correction))];
                }

                return Scd4x.RecalibrationTime;
            case Scd4x.SetAutomaticSelfCalibrationCommand when argument is { } enabled:
                AutomaticSelfCalibration = enabled == 1;
                return Scd4x.ShortTime;
            case Scd4x.GetAutomaticSelfCalibrationCommand:
                answer = [AutomaticSelfCalibration ? (ushort)1 : (ushort)0];
                return Scd4x.ShortTime;
            case Scd4x.PersistSettingsCommand:
                PersistCount++;
                return Scd4x.PersistTime;
            case Scd4x.GetSerialNumberCommand:
                answer = [(ushort)(serialNumber >> 32), (ushort)(serialNumber >> 16), (ushort)serialNumber];
                return Scd4x.ShortTime;
            case Scd4x.PerformSelfTestCommand:
                answer = [0];
                return Scd4x.SelfTestTime;
            case Scd4x.PerformFactoryResetCommand:
                (TemperatureOffsetC, AltitudeM, AutomaticSelfCalibration, _calibrationOffset) = (4, 0, true, 0);
                return Scd4x.FactoryResetTime;
            case Scd4x.ReinitCommand:
                return Scd4x.ReinitTime;
            case Scd4x.MeasureSingleShotCommand when scd41:
                _latest = Sample(now);
                _singleShotPending = true;
                return Scd4x.SingleShotTime;
            case Scd4x.MeasureSingleShotRhtOnlyCommand when scd41:
                var rht = Sample(now);
                _latest = (0, rht.T, rht.Rh);
                _singleShotPending = true;
                return Scd4x.SingleShotRhtTime;
            default:
                throw Refuse(command, "unknown command or missing argument");
        }
    }

    private TimeSpan Period => _mode == Mode.LowPower ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(5);

    /// <summary>A new measurement is ready once a full period passed since the last one was taken.</summary>
    private bool Ready(DateTimeOffset now) => _singleShotPending || (_mode != Mode.Idle && now - _lastTaken >= Period);

    private ushort[] ReadMeasurement(DateTimeOffset now)
    {
        if (_singleShotPending && _latest is { } shot)
        {
            _singleShotPending = false;
            return Words(shot);
        }

        if (_mode == Mode.Idle)
        {
            throw Refuse(Scd4x.ReadMeasurementCommand, "no measurement running");
        }

        if (Ready(now))
        {
            // Whole periods elapsed since the last one taken: the newest measurement.
            var periods = (long)((now - _lastTaken) / Period);
            _lastTaken += Period * periods;
            _latest = Sample(_lastTaken);
        }

        return Words(_latest ?? (0, 0, 0));
    }

    private (double Co2, double T, double Rh) Sample(DateTimeOffset at)
    {
        var (co2, t, rh) = _measurement.Take(at);
        return (co2 + _calibrationOffset, t, rh);
    }

    private static ushort[] Words((double Co2, double T, double Rh) m) =>
    [
        (ushort)Math.Clamp(Math.Round(m.Co2), 0, 65535),
        (ushort)Math.Clamp(Math.Round((m.T + 45) * 65535 / 175), 0, 65535),
        (ushort)Math.Clamp(Math.Round(m.Rh * 65535 / 100), 0, 65535),
    ];
}
