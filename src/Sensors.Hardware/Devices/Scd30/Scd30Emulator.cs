using Sensors.Hardware.Emulation;
using Sensors.Hardware.Devices.Sensirion;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Scd30;

/// <summary>
/// An SCD30 in memory: continuous measurement at its interval (2–1800 s) with a data-ready word,
/// pressure compensation argument checked, forced recalibration (400–2000 ppm), ASC, temperature
/// offset, altitude, firmware version, soft reset, the 3 ms pause before a read, and the faults
/// of <see cref="SensorFaults"/>.
/// </summary>
public sealed class Scd30Emulator(Air air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c")
    : SensirionEmulator($"{bus} 0x{Scd30.DefaultAddress:x2}", time, faults ?? new SensorFaults())
{
    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private bool _measuring;
    private DateTimeOffset _lastTaken;
    private (double Co2, double T, double Rh) _latest;
    private double _calibrationOffset;

    public int IntervalSeconds { get; private set; } = 2;

    public int PressureMbar { get; private set; }

    public bool AutomaticSelfCalibration { get; private set; }

    public int ForcedRecalibrationPpm { get; private set; } = 400;

    public int TemperatureOffsetCentiK { get; private set; }

    public int AltitudeM { get; private set; }

    public bool IsMeasuring => _measuring;

    protected override TimeSpan Execute(ushort command, ushort? argument, out ushort[]? answer)
    {
        answer = null;
        var now = Time.GetUtcNow();
        switch (command)
        {
            case Scd30.TriggerContinuousMeasurement when argument is { } pressure:
                if (pressure != 0 && pressure is < 700 or > 1400)
                {
                    throw Refuse(command, $"pressure {pressure} mbar out of 700–1400");
                }

                PressureMbar = pressure;
                _measuring = true;
                _lastTaken = now;
                return TimeSpan.Zero;
            case Scd30.StopContinuousMeasurement:
                _measuring = false;
                return TimeSpan.Zero;
            case Scd30.MeasurementIntervalCommand when argument is { } interval:
                if (interval is < 2 or > 1800)
                {
                    throw Refuse(command, $"interval {interval} s out of 2–1800");
                }

                IntervalSeconds = interval;
                return TimeSpan.Zero;
            case Scd30.MeasurementIntervalCommand:
                answer = [(ushort)IntervalSeconds];
                return Scd30.ReadPause;
            case Scd30.GetDataReadyCommand:
                answer = [Ready(now) ? (ushort)1 : (ushort)0];
                return Scd30.ReadPause;
            case Scd30.ReadMeasurementCommand:
                if (Ready(now))
                {
                    var period = TimeSpan.FromSeconds(IntervalSeconds);
                    _lastTaken += period * (long)((now - _lastTaken) / period);
                    var (co2, t, rh) = _measurement.Take(_lastTaken);
                    _latest = (co2 + _calibrationOffset, t, rh);
                }

                var c = Scd30.FromFloat((float)_latest.Co2);
                var tw = Scd30.FromFloat((float)_latest.T);
                var hw = Scd30.FromFloat((float)_latest.Rh);
                answer = [c.High, c.Low, tw.High, tw.Low, hw.High, hw.Low];
                return Scd30.ReadPause;
            case Scd30.AutomaticSelfCalibrationCommand when argument is { } asc:
                AutomaticSelfCalibration = asc == 1;
                return TimeSpan.Zero;
            case Scd30.AutomaticSelfCalibrationCommand:
                answer = [AutomaticSelfCalibration ? (ushort)1 : (ushort)0];
                return Scd30.ReadPause;
            case Scd30.ForcedRecalibrationCommand when argument is { } reference:
                if (reference is < 400 or > 2000)
                {
                    throw Refuse(command, $"reference {reference} ppm out of 400–2000");
                }

                _calibrationOffset += reference - (_measurement.Take(now).Co2 + _calibrationOffset);
                ForcedRecalibrationPpm = reference;
                return TimeSpan.Zero;
            case Scd30.ForcedRecalibrationCommand:
                answer = [(ushort)ForcedRecalibrationPpm];
                return Scd30.ReadPause;
            case Scd30.TemperatureOffsetCommand when argument is { } offset:
                TemperatureOffsetCentiK = offset;
                return TimeSpan.Zero;
            case Scd30.TemperatureOffsetCommand:
                answer = [(ushort)TemperatureOffsetCentiK];
                return Scd30.ReadPause;
            case Scd30.AltitudeCommand when argument is { } altitude:
                AltitudeM = altitude;
                return TimeSpan.Zero;
            case Scd30.AltitudeCommand:
                answer = [(ushort)AltitudeM];
                return Scd30.ReadPause;
            case Scd30.FirmwareVersionCommand:
                answer = [0x0342]; // 3.66
                return Scd30.ReadPause;
            case Scd30.SoftResetCommand:
                _measuring = false;
                return Scd30.BootTime;
            default:
                throw Refuse(command, "unknown command");
        }
    }

    private bool Ready(DateTimeOffset now) => _measuring && now - _lastTaken >= TimeSpan.FromSeconds(IntervalSeconds);
}
