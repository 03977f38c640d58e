using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Gateway.Sources.Hardware;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Polling;
using Sensors.Journal;
using Sensors.Pipeline;

namespace Sensors.Gateway.Sources.Self;

/// <summary>
/// The gateway's heartbeat, every <see cref="GatewayOptions.ReportInterval"/>: the <c>gateway</c>
/// measurement says what an operator asks first (version and configuration hash, clock, last
/// delivery, what waits and since when, what was set aside, dropped or dead-lettered, stuck
/// sources, free space and card wear, the Pi's power and temperature), and one
/// <c>sensor_health</c> point per wired sensor (state, age of its last reading, compensation,
/// self-calibration, last calibration). It goes through the journal like any reading, so the
/// city's console sees every gateway in one InfluxDB, including those cut off for a while.
/// </summary>
public sealed class GatewaySelfSource(
    GatewaySettings settings,
    Sensors.Journal.Journal journal,
    DeadLetterStore deadLetters,
    PipelineStats stats,
    MessageQuarantine quarantine,
    GatewayHealth health,
    IServiceProvider services,
    TimeProvider time) : IReadingSource
{
    public const string Measurement = "gateway";

    public const string SensorMeasurement = "sensor_health";

    private readonly GatewayOptions _options = settings.Gateway;
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly HostReadings _host = new(settings.Gateway.ThrottledPath, settings.Gateway.SocTemperaturePath, settings.Journal.Directory);
    private readonly WriteRate _writes = new();
    private HardwareSource? _hardware;
    private bool _hardwareLooked;

    public string Id => "gateway";

    public string Name => $"gateway self-report every {_options.ReportInterval}";

    /// <summary>The gateway's own report shares a commit with the sensors' (Journal:GroupWindow).</summary>
    public bool Grouped => true;

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        var pending = new PendingWrites(max: 64);
        using var timer = new PeriodicTimer(_options.ReportInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await pending.Add(sink.WriteAsync(Read(), cancellationToken)).ConfigureAwait(false);
            foreach (var sensor in ReadSensors())
            {
                await pending.Add(sink.WriteAsync(sensor, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    public Reading Read()
    {
        var journalStats = journal.Stats;
        var now = time.GetUtcNow();
        var inputs = health.Read();
        using var process = Process.GetCurrentProcess();
        var fields = new List<Field>(32)
        {
            new("version", GatewayMetrics.Version),
            new("config_hash", ConfigFingerprint.Of(settings)),
            new("report_interval_s", (long)_options.ReportInterval.TotalSeconds),
            new("clock_synced", inputs.ClockSynchronised),
            new("journal_points", journalStats.Pending),
            new("journal_bytes", journalStats.Bytes),
            new("journal_oldest_age_s", (long)(journalStats.OldestPendingAge(now)?.TotalSeconds ?? 0)),
            new("dropped_total", journalStats.Dropped),
            new("dead_letter_total", (long)deadLetters.Count),
            new("quarantined_total", quarantine.SetAsideTotal),
            new("received_total", stats.Received),
            new("delivered_total", stats.Delivered),
            new("sources_stuck", (long)(inputs.SourceProblems?.Count ?? 0)),
            new("rss_bytes", process.WorkingSet64),
            new("uptime_s", (long)(now - _started).TotalSeconds),
        };
        if (stats.LastDelivery is { } delivered)
        {
            fields.Add(new Field("last_delivery_age_s", (long)Math.Max(0, (now - delivered).TotalSeconds)));
        }

        if (inputs.SourceProblems is { Count: > 0 } problems)
        {
            fields.Add(new Field("sources_stuck_detail", string.Join("; ", problems.Select(p => p.Detail))));
        }

        if (_host.FreeBytes() is { } free)
        {
            fields.Add(new Field("disk_free_bytes", free));
        }

        if (_host.WrittenBytes() is { } written && _writes.Add(now, written) is { } perDay)
        {
            fields.Add(new Field("written_bytes_per_day", perDay));
        }

        if (_host.Throttling() is { } pi)
        {
            fields.Add(new Field("under_voltage", pi.UnderVoltageNow));
            fields.Add(new Field("under_voltage_since_boot", pi.UnderVoltageSinceBoot));
            fields.Add(new Field("throttled", pi.ThrottledNow));
            fields.Add(new Field("throttled_since_boot", pi.ThrottledSinceBoot));
        }

        if (_host.SocTemperatureC() is { } celsius)
        {
            fields.Add(new Field("soc_temperature_c", celsius));
        }

        return new Reading(Measurement, [new Tag("gateway_id", _options.EffectiveId)], [.. fields], now);
    }

    /// <summary>One <c>sensor_health</c> point per sensor the gateway polls.</summary>
    public IReadOnlyList<Reading> ReadSensors()
    {
        if (!_hardwareLooked)
        {
            _hardware = services.GetServices<IReadingSource>().OfType<HardwareSource>().FirstOrDefault();
            _hardwareLooked = true;
        }

        if (_hardware is null || _hardware.Pollers.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var calibrations = CalibrationLog.Read(settings.Journal.Directory);
        var readings = new List<Reading>(_hardware.Pollers.Count);
        foreach (var poller in _hardware.Pollers)
        {
            var id = poller.Identity;
            var calibration = calibrations.GetValueOrDefault(id.SensorId);
            var fields = new List<Field>(10)
            {
                new("state", Status.SensorHealthBoard.Name(poller.Health.State)),
                new("reason", poller.Health.Reason),
                new("gateway_id", _options.EffectiveId),
            };
            if (poller.LastReadingAt is { } last)
            {
                fields.Add(new Field("last_reading_age_s", (long)Math.Max(0, (now - last).TotalSeconds)));
            }

            if (SensorModels.MeasuresCo2(id.Model))
            {
                fields.Add(poller.CompensatedForHpa is { } hpa
                    ? new Field("compensation", $"pressure {Math.Round(hpa):0} hPa")
                    : new Field("compensation", $"altitude {poller.Location.AltitudeM} m"));
                var selfCalibration = calibration?.SelfCalibration ?? SensorModels.FactorySelfCalibration(id.Model);
                if (selfCalibration is { } on)
                {
                    fields.Add(new Field("self_calibration", on ? "on" : "off"));
                    fields.Add(new Field("self_calibration_by", calibration?.SelfCalibration is null ? "factory" : "sensors calibrate"));
                }

                if (calibration?.LastForcedAt is { } forced)
                {
                    fields.Add(new Field("last_calibration", forced.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
                    fields.Add(new Field("last_calibration_ppm", (long)calibration.LastReferencePpm!.Value));
                }
            }

            readings.Add(new Reading(
                SensorMeasurement,
                [new Tag("site", id.Site), new Tag("room", id.Room), new Tag("sensor_id", id.SensorId), new Tag("sensor_model", id.Model)],
                [.. fields],
                now));
        }

        return readings;
    }
}
