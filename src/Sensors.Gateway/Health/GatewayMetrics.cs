using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using Sensors.Journal;

namespace Sensors.Gateway.Health;

/// <summary>
/// /metrics: the gateway's meter (System.Diagnostics.Metrics, from the host's IMeterFactory), on
/// which every <see cref="IInstrumented"/> part (the pipeline's counters, the MQTT source, the clock
/// guard, the sensors…) creates its instruments, and this class those of the whole gateway (build,
/// uptime, readiness, journal, InfluxDB, process); written by <see cref="PrometheusExporter"/>.
/// Names follow Prometheus conventions: a <c>sensors_</c> prefix, base units (seconds, bytes),
/// <c>_total</c> on counters.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Sensors.Gateway";

    private static readonly DateTimeOffset Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The version as <c>sensors --version</c> says it (1.0.0+commit), not the assembly's 1.0.0.0.</summary>
    public static readonly string Version =
        typeof(GatewayMetrics).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute { InformationalVersion: var version }]
            ? version
            : typeof(GatewayMetrics).Assembly.GetName().Version?.ToString() ?? "0";

    private readonly TimeProvider _time;
    private readonly PrometheusExporter _exporter;

    public GatewayMetrics(
        Sensors.Journal.Journal journal,
        DeadLetterStore deadLetters,
        GatewayHealth health,
        IEnumerable<IInstrumented> parts,
        TimeProvider time,
        IMeterFactory meters)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _exporter = new PrometheusExporter(meter);
        meter.CreateObservableGauge("sensors_build_info", () => Measure.Of(1, ("version", Version)), description: "Always 1; the gateway's version in a label.");
        meter.CreateObservableGauge("sensors_uptime_seconds", () => (long)Math.Round(Uptime.TotalSeconds), description: "Seconds since the gateway process started.");
        meter.CreateObservableGauge("sensors_ready", () => HealthRules.Readiness(health.Read()).All(c => c.Ok) ? 1L : 0L, description: "1 when /readyz says ready.");
        foreach (var part in parts.Distinct())
        {
            part.CreateInstruments(meter);
        }

        meter.CreateObservableGauge("sensors_dead_letters", () => (long)deadLetters.Count, description: "Readings in the dead-letter store (sensors journal dead-letters lists them).");
        meter.CreateObservableCounter("sensors_readings_dropped_total", () =>
        {
            var stats = journal.Stats;
            return new[] { Measure.Of(stats.Dropped - stats.Corrupt, ("reason", "cap")), Measure.Of(stats.Corrupt, ("reason", "corrupt")) };
        }, description: "Readings lost from the journal since start, by reason: cap (it reached its size cap, oldest first), corrupt (unreadable on disk at open).");
        meter.CreateObservableGauge("sensors_journal_pending_readings", () => journal.Stats.Pending, description: "Readings in the journal waiting for InfluxDB.");
        meter.CreateObservableGauge("sensors_journal_bytes", () => journal.Stats.Bytes, description: "Size of the journal on disk.");
        meter.CreateObservableGauge("sensors_journal_max_bytes", () => journal.MaxBytes, description: "The journal's size cap (Journal:MaxBytes).");
        meter.CreateObservableGauge("sensors_journal_oldest_age_seconds", () => (long)Math.Round(journal.Stats.OldestPendingAge(_time.GetUtcNow())?.TotalSeconds ?? 0), description: "How long the oldest waiting reading has been in the journal (0 when none waits).");
        meter.CreateObservableGauge("sensors_influx_up", () => health.Read() is var inputs && inputs.InfluxConfigured && !inputs.InfluxFailing ? 1L : 0L, description: "1 while InfluxDB takes our writes (or none failed yet), 0 while it fails or when no InfluxDB is configured.");
        meter.CreateObservableGauge("sensors_process_resident_memory_bytes", () => Environment.WorkingSet, description: "Resident memory of the gateway process.");
        meter.CreateObservableCounter("sensors_process_cpu_seconds_total", () => Math.Round(Environment.CpuUsage.TotalTime.TotalSeconds, 3), description: "CPU time used by the gateway process.");
    }

    public TimeSpan Uptime => _time.GetUtcNow() - Started;

    public string Render() => _exporter.Collect();

    public void Dispose() => _exporter.Dispose();
}
