using Microsoft.Extensions.Logging;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Polling;

/// <summary>A sensor as the site file names it.</summary>
public sealed record SensorIdentity(string Site, string Room, string SensorId, string Model);

/// <summary>A measurement that passed warm-up and plausibility, with the time it was read.</summary>
public sealed record PolledSample(SensorIdentity Sensor, DateTimeOffset At, SensorSample Sample);

/// <summary>
/// Polls one sensor at its own cadence, for as long as the gateway runs: opens and starts it,
/// discards its warm-up readings, refuses and counts implausible values, and keeps its health
/// (<see cref="SensorHealthTracker"/>). A sensor that fails three times in a row is closed and
/// started again after a backoff; it never stops the other sensors, which have their own poller.
/// One log line per change of health, with the sensor, where it is and what to do.
/// A CO2 sensor that has a pressure setting is given <paramref name="ambientPressureHpa"/> (the
/// site's barometer) after each start and whenever it moved by 1 hPa or more.
/// </summary>
public sealed partial class SensorPoller(SensorIdentity identity, SensorLocation location, IBusProvider buses, TimeProvider time, ILogger logger, Func<double?>? ambientPressureHpa = null)
{
    /// <summary>The pressure change that is sent on: the SCD4x takes whole hectopascals.</summary>
    public const double PressureStepHpa = 1;

    public SensorIdentity Identity => identity;

    public SensorLocation Location => location;

    public SensorHealthTracker Health { get; } = new();

    /// <summary>What the sensor said of itself at the last start ("serial 1a2b…", "firmware 3.66").</summary>
    public string? SerialNumber { get; private set; }

    /// <summary>The ambient pressure the CO2 sensor was last given, or null (it uses the site's altitude).</summary>
    public double? CompensatedForHpa { get; private set; }

    /// <summary>When the last kept reading was taken; null before the first.</summary>
    public DateTimeOffset? LastReadingAt { get; private set; }

    private bool _noPressureSetting;

    public async Task RunAsync(Func<PolledSample, ValueTask> emit, Action<SensorPoller> healthChanged, CancellationToken cancellationToken)
    {
        ISensor? sensor = null;
        var startedAt = DateTimeOffset.MinValue;
        var lastNew = DateTimeOffset.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (sensor is null)
                {
                    try
                    {
                        sensor = SensorModels.Open(location, buses, time);
                        SerialNumber = await sensor.StartAsync(cancellationToken).ConfigureAwait(false);
                        startedAt = lastNew = time.GetUtcNow();
                        CompensatedForHpa = null;
                        Health.Started(startedAt, sensor.WarmUp);
                        if (sensor.WarmUp > TimeSpan.Zero)
                        {
                            LogStarted(identity.SensorId, identity.Model, identity.Room, sensor.Describe, SerialNumber, sensor.WarmUp.TotalSeconds);
                        }
                        else
                        {
                            LogStartedAtOnce(identity.SensorId, identity.Model, identity.Room, sensor.Describe, SerialNumber);
                        }

                        Report(healthChanged);
                    }
                    catch (HardwareException error)
                    {
                        sensor?.Dispose();
                        sensor = null;
                        Health.Failure(error);
                        await RestartLaterAsync(error, healthChanged, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                var every = location.IntervalSeconds is { } seconds && TimeSpan.FromSeconds(seconds) > sensor.MeasurementInterval ? TimeSpan.FromSeconds(seconds) : sensor.MeasurementInterval;
                await Task.Delay(every, time, cancellationToken).ConfigureAwait(false);
                try
                {
                    await CompensatePressureAsync(sensor, cancellationToken).ConfigureAwait(false);
                    var now = time.GetUtcNow();
                    var sample = await sensor.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (sample is null)
                    {
                        if (now - lastNew > (every * 3) + TimeSpan.FromSeconds(5))
                        {
                            throw new HardwareException(HardwareFault.NoAnswer, $"{sensor.Describe}: no new measurement for {(now - lastNew).TotalSeconds:0} s although it answers; it will be restarted if this goes on.");
                        }

                        continue;
                    }

                    lastNew = now;
                    if (now - startedAt < sensor.WarmUp)
                    {
                        Health.WarmingUp();
                        continue;
                    }

                    if (Implausible(sample, (sensor as ICo2Sensor)?.Co2Range) is { } why)
                    {
                        Health.Implausible($"{sensor.Describe}: {why}; refused");
                        Report(healthChanged);
                        continue;
                    }

                    Health.Reading(sample);
                    Report(healthChanged);
                    LastReadingAt = now;
                    await emit(new PolledSample(identity, now, sample)).ConfigureAwait(false);
                }
                catch (HardwareException error)
                {
                    if (Health.Failure(error))
                    {
                        sensor.Dispose();
                        sensor = null;
                        await RestartLaterAsync(error, healthChanged, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        Report(healthChanged);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            sensor?.Dispose();
        }
    }

    /// <summary>
    /// Why a sample cannot be true, or null: a CO2 sensor's CO2 missing or outside its range,
    /// temperature or humidity impossible indoors, a pressure no building has (300–1100 hPa is
    /// the BME280's range: from the top of Everest to below sea level).
    /// </summary>
    public static string? Implausible(SensorSample sample, (double Min, double Max)? co2Range) =>
        co2Range is { } range && (sample.Co2Ppm is not { } ppm || !double.IsFinite(ppm) || ppm < range.Min || ppm > range.Max) ? $"CO2 {sample.Co2Ppm} ppm is outside what it measures ({range.Min}–{range.Max})"
        : sample.PressureHpa is { } p && (!double.IsFinite(p) || p is < 300 or > 1100) ? $"pressure {p:0.0} hPa is impossible"
        : sample.TemperatureC is { } t && (!double.IsFinite(t) || t is < -20 or > 70) ? $"temperature {t:0.0} °C is impossible indoors"
        : sample.HumidityPct is { } h && (!double.IsFinite(h) || h is < 0 or > 100) ? $"humidity {h:0.0} % is impossible"
        : null;

    /// <summary>Gives a CO2 sensor the site's ambient pressure when it is new or moved by a step; a sensor without the setting is not asked again.</summary>
    private async Task CompensatePressureAsync(ISensor sensor, CancellationToken cancellationToken)
    {
        if (sensor is not ICo2Sensor co2 || _noPressureSetting || ambientPressureHpa?.Invoke() is not { } hpa
            || (CompensatedForHpa is { } applied && Math.Abs(hpa - applied) < PressureStepHpa))
        {
            return;
        }

        if (hpa is < 700 or > 1200)
        {
            return; // outside what the CO2 sensors take; they keep the altitude's compensation
        }

        if (!await co2.CompensatePressureAsync(hpa, cancellationToken).ConfigureAwait(false))
        {
            _noPressureSetting = true;
            return;
        }

        if (CompensatedForHpa is null)
        {
            LogPressure(identity.SensorId, identity.Model, identity.Room, hpa);
        }

        CompensatedForHpa = hpa;
    }

    private async Task RestartLaterAsync(HardwareException error, Action<SensorPoller> healthChanged, CancellationToken cancellationToken)
    {
        var backoff = Health.Backoff;
        if (Health.State == SensorHealth.Failed && Health.Changed)
        {
            LogFailed(identity.SensorId, identity.Model, identity.Room, error.Message, backoff.TotalSeconds);
        }
        else if (Health.State != SensorHealth.Failed)
        {
            LogStartFailed(identity.SensorId, identity.Model, identity.Room, error.Message, backoff.TotalSeconds);
        }

        healthChanged(this);
        Health.Restarting();
        await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
    }

    private void Report(Action<SensorPoller> healthChanged)
    {
        if (!Health.Changed)
        {
            return;
        }

        if (Health.State == SensorHealth.Ok)
        {
            LogOk(identity.SensorId, identity.Model, identity.Room);
        }
        else if (Health.State == SensorHealth.WarmingUp)
        {
            // said by LogStarted, with the warm-up's length
        }
        else
        {
            LogDegraded(identity.SensorId, identity.Model, identity.Room, Health.Reason);
        }

        healthChanged(this);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {Sensor} ({Model}, room {Room}) started at {Where} ({Serial}); readings of the first {WarmUp:0} s are warm-up and discarded")]
    private partial void LogStarted(string sensor, string model, string room, string where, string serial, double warmUp);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {Sensor} ({Model}, room {Room}) started at {Where} ({Serial})")]
    private partial void LogStartedAtOnce(string sensor, string model, string room, string where, string serial);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {Sensor} ({Model}, room {Room}) compensates its CO2 for the ambient pressure, {Hpa:0.0} hPa from the site's barometer, instead of the altitude")]
    private partial void LogPressure(string sensor, string model, string room, double hpa);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sensor {Sensor} ({Model}, room {Room}) is ok")]
    private partial void LogOk(string sensor, string model, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sensor {Sensor} ({Model}, room {Room}) degraded: {Reason}. Its readings go on; check it if this lasts")]
    private partial void LogDegraded(string sensor, string model, string room, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sensor {Sensor} ({Model}, room {Room}) did not start: {Reason} Trying again in {Seconds:0} s")]
    private partial void LogStartFailed(string sensor, string model, string room, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sensor {Sensor} ({Model}, room {Room}) failed: {Reason} Starting it again in {Seconds:0} s; the other sensors go on")]
    private partial void LogFailed(string sensor, string model, string room, string reason, double seconds);
}
