using System.Diagnostics;
using Sensors.Gateway.Pipeline;
using Sensors.Journal;

namespace Sensors.Gateway.Health;

/// <summary>
/// /metrics: the pipeline's own families, then those of every <see cref="IMetricsSource"/> (the MQTT
/// source, the clock guard, the sensors). Names follow Prometheus conventions: a <c>sensors_</c>
/// prefix, base units (seconds, bytes), <c>_total</c> on counters.
/// </summary>
public sealed class GatewayMetrics(
    PipelineStats stats,
    Sensors.Journal.Journal journal,
    DeadLetterStore deadLetters,
    GatewayHealth health,
    IEnumerable<IMetricsSource> sources,
    TimeProvider time)
{
    private static readonly DateTimeOffset Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    /// <summary>The version as <c>sensors --version</c> says it (1.0.0+commit), not the assembly's 1.0.0.0.</summary>
    public static readonly string Version =
        typeof(GatewayMetrics).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute { InformationalVersion: var version }]
            ? version
            : typeof(GatewayMetrics).Assembly.GetName().Version?.ToString() ?? "0";

    public TimeSpan Uptime => time.GetUtcNow() - Started;

    public string Render()
    {
        var text = new PrometheusText();
        var now = time.GetUtcNow();
        var journalStats = journal.Stats;
        var inputs = health.Read();

        text.Family("sensors_build_info", "gauge", "Always 1; the gateway's version in a label.").Sample("sensors_build_info", 1, ("version", Version));
        text.Gauge("sensors_uptime_seconds", "Seconds since the gateway process started.", Math.Round(Uptime.TotalSeconds));
        text.Gauge("sensors_ready", "1 when /readyz says ready.", HealthRules.Readiness(inputs).All(c => c.Ok) ? 1 : 0);

        text.Family("sensors_readings_received_total", "counter", "Readings taken in from each source: committed to the journal, or refused for their time (sensors_clock_refused_readings_total).");
        foreach (var (source, count) in stats.ReceivedBySource.OrderBy(p => p.Key))
        {
            text.Sample("sensors_readings_received_total", count, ("source", source));
        }

        text.Counter("sensors_readings_delivered_total", "Readings InfluxDB stored (2xx).", stats.Delivered);
        text.Counter("sensors_readings_dead_lettered_total", "Readings InfluxDB refused (400), moved to the dead-letter store, since start.", stats.Refused);
        text.Gauge("sensors_dead_letters", "Readings in the dead-letter store (sensors journal dead-letters lists them).", deadLetters.Count);
        text.Family("sensors_readings_dropped_total", "counter", "Readings lost from the journal since start, by reason: cap (it reached its size cap, oldest first), corrupt (unreadable on disk at open).")
            .Sample("sensors_readings_dropped_total", journalStats.Dropped - journalStats.Corrupt, ("reason", "cap"))
            .Sample("sensors_readings_dropped_total", journalStats.Corrupt, ("reason", "corrupt"));

        text.Gauge("sensors_journal_pending_readings", "Readings in the journal waiting for InfluxDB.", journalStats.Pending);
        text.Gauge("sensors_journal_bytes", "Size of the journal on disk.", journalStats.Bytes);
        text.Gauge("sensors_journal_max_bytes", "The journal's size cap (Journal:MaxBytes).", journal.MaxBytes);
        text.Gauge("sensors_journal_oldest_age_seconds", "How long the oldest waiting reading has been in the journal (0 when none waits).", Math.Round(journalStats.OldestPendingAge(now)?.TotalSeconds ?? 0));

        text.Histogram("sensors_influx_write_duration_seconds", "Time InfluxDB took to answer a batch (retries included).", stats.WriteLatency.Read());
        text.Family("sensors_influx_write_failures_total", "counter", "Failed writes to InfluxDB, by reason (Unavailable, Unauthorized, NotFound, Misconfigured, …).");
        foreach (var (reason, count) in stats.FailuresByReason.OrderBy(p => p.Key))
        {
            text.Sample("sensors_influx_write_failures_total", count, ("reason", reason));
        }

        text.Gauge("sensors_influx_up", "1 while InfluxDB takes our writes (or none failed yet), 0 while it fails; absent meaning: no InfluxDB configured.", inputs.InfluxConfigured ? (inputs.InfluxFailing ? 0 : 1) : 0);

        using var process = Process.GetCurrentProcess();
        text.Gauge("sensors_process_resident_memory_bytes", "Resident memory of the gateway process.", process.WorkingSet64);
        text.Counter("sensors_process_cpu_seconds_total", "CPU time used by the gateway process.", Math.Round(process.TotalProcessorTime.TotalSeconds, 3));

        foreach (var source in sources)
        {
            source.WriteMetrics(text);
        }

        return text.ToString();
    }
}
