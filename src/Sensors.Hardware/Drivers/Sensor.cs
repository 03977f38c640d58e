namespace Sensors.Hardware.Drivers;

/// <summary>
/// One measurement. A CO2 sensor gives CO2, and temperature and humidity when it has them (null
/// when its CRC failed); a climate sensor (SHT4x, SHT3x, BME280) gives no CO2, and the BME280 a
/// pressure.
/// </summary>
public sealed record SensorSample(double? Co2Ppm, double? TemperatureC, double? HumidityPct, double? PressureHpa = null);

/// <summary>
/// What the poller needs of any sensor. <see cref="StartAsync"/> brings the sensor from whatever
/// state it is in (just powered, or left measuring by an earlier run) to measuring, and returns
/// its identity (serial number, chip id); <see cref="ReadAsync"/> returns the newest measurement,
/// or null when none is ready yet. Failures are HardwareExceptions.
/// </summary>
public interface ISensor : IDisposable
{
    /// <summary>SCD41, SCD30, MH-Z19B, S8, SHT41, SHT31, BME280.</summary>
    string Model { get; }

    /// <summary>Where it is: "/dev/i2c-1 0x62".</summary>
    string Describe { get; }

    /// <summary>How often it produces a new measurement: polling faster only reads "not ready".</summary>
    TimeSpan MeasurementInterval { get; }

    /// <summary>After a start, readings this young are warm-up values and are discarded.</summary>
    TimeSpan WarmUp { get; }

    Task<string> StartAsync(CancellationToken cancellationToken);

    Task<SensorSample?> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>A CO2 sensor: its range, its calibrations, and (when it has one) its pressure compensation.</summary>
public interface ICo2Sensor : ISensor
{
    /// <summary>The range the sensor measures; a value outside it is implausible.</summary>
    (double Min, double Max) Co2Range { get; }

    /// <summary>Forced recalibration: the sensor is told that the air around it is <paramref name="referencePpm"/> now.</summary>
    Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken);

    /// <summary>Automatic self-calibration (ABC/ASC) on or off.</summary>
    Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the sensor the ambient pressure it measures in, from a barometer nearby, and returns
    /// true; an NDIR reading is proportional to the gas density, so 1 % of pressure is about 1 % of
    /// CO2 (Sensirion). False when the sensor has no such setting (MH-Z19B, S8).
    /// </summary>
    Task<bool> CompensatePressureAsync(double hectopascals, CancellationToken cancellationToken);
}
