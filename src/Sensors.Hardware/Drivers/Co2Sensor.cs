namespace Sensors.Hardware.Drivers;

/// <summary>One measurement; temperature and humidity are null for sensors without them, or when their CRC failed.</summary>
public sealed record Co2Sample(double Co2Ppm, double? TemperatureC, double? HumidityPct);

/// <summary>
/// What the poller needs of any CO2 sensor. <see cref="StartAsync"/> brings the sensor from
/// whatever state it is in (just powered, or left measuring by an earlier run) to measuring,
/// and returns its identity (serial number); <see cref="ReadAsync"/> returns the newest
/// measurement, or null when none is ready yet. Failures are HardwareExceptions.
/// </summary>
public interface ICo2Sensor : IDisposable
{
    /// <summary>SCD41, SCD30, MH-Z19B, S8.</summary>
    string Model { get; }

    /// <summary>Where it is: "/dev/i2c-1 0x62".</summary>
    string Describe { get; }

    /// <summary>How often it produces a new measurement: polling faster only reads "not ready".</summary>
    TimeSpan MeasurementInterval { get; }

    /// <summary>After a start, readings this young are warm-up values and are discarded.</summary>
    TimeSpan WarmUp { get; }

    /// <summary>The range the sensor measures; a value outside it is implausible.</summary>
    (double Min, double Max) Co2Range { get; }

    Task<string> StartAsync(CancellationToken cancellationToken);

    Task<Co2Sample?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Forced recalibration: the sensor is told that the air around it is <paramref name="referencePpm"/> now.</summary>
    Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken);

    /// <summary>Automatic self-calibration (ABC/ASC) on or off.</summary>
    Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken);
}
