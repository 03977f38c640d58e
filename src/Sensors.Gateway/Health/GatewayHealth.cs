using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Pipeline;

namespace Sensors.Gateway.Health;

/// <summary>One check of /readyz or /healthz: its name, whether it passes, and in words why not.</summary>
public sealed record HealthCheck(string Name, bool Ok, string Detail);

/// <summary>What liveness and readiness are made of, read from the running parts. <c>JournalFullAt</c>: see <see cref="Sensors.Journal.Journal.FullAt"/>.</summary>
public sealed record HealthInputs(
    bool JournalRunning,
    string? JournalError,
    long JournalBytes,
    long JournalFullAt,
    bool ClockSynchronised,
    bool InfluxConfigured,
    bool InfluxFailing,
    DateTimeOffset? ForwarderLastTurn,
    TimeSpan ForwarderStallLimit,
    DateTimeOffset Now,
    IReadOnlyList<SourceProblem>? SourceProblems = null,
    bool JournalDropping = false);

/// <summary>
/// The rules, pure. Alive (/healthz, and the systemd watchdog): the journal's committer runs and
/// the forwarding loop has turned recently. Ready (/readyz): alive, the journal is writable, the
/// clock is synchronised, no source is stuck (failing again and again, or holding messages it does
/// not commit), and InfluxDB takes our writes or the journal is below its cap (while it
/// has room, an outage loses nothing).
/// </summary>
public static class HealthRules
{
    public static IReadOnlyList<HealthCheck> Liveness(HealthInputs x) =>
    [
        new("journal", x.JournalRunning, x.JournalRunning ? "running" : "the journal's writer has stopped; the service must restart"),
        x.ForwarderLastTurn is { } turn && x.Now - turn > x.ForwarderStallLimit
            ? new("forwarder", false, $"the forwarding loop has not moved for {(x.Now - turn).TotalSeconds:0} s")
            : new("forwarder", true, "running"),
    ];

    public static IReadOnlyList<HealthCheck> Readiness(HealthInputs x)
    {
        // Full from FullAt, and for as long as the cap is dropping the oldest: a large group commit
        // can leave the journal below FullAt right after a drop, and it drops again at the next.
        var full = x.JournalBytes >= x.JournalFullAt || x.JournalDropping;
        var checks = Liveness(x).ToList();
        checks.Add(x.JournalError is null
            ? new("journal_writable", true, "writable")
            : new("journal_writable", false, $"the last write failed: {x.JournalError}"));
        checks.Add(x.ClockSynchronised
            ? new("clock", true, "synchronised")
            : new("clock", false, "the system clock is not synchronised: readings are held (check NTP with timedatectl)"));
        checks.Add(x.SourceProblems is { Count: > 0 } problems
            ? new("sources", false, string.Join("; ", problems.Select(p => p.Detail)))
            : new("sources", true, "taking messages"));
        checks.Add((x.InfluxConfigured, x.InfluxFailing, full) switch
        {
            (true, false, _) => new("influx", true, "takes writes"),
            (_, _, false) => new("influx", true, x.InfluxConfigured ? "unreachable, but the journal has room" : "not configured; the journal has room"),
            (true, true, true) => new("influx", false, "unreachable and the journal is at its cap: the oldest readings are being dropped"),
            (false, _, true) => new("influx", false, "not configured and the journal is at its cap: the oldest readings are being dropped; set Influx:Url"),
        });
        return checks;
    }
}

/// <summary>Reads <see cref="HealthInputs"/> off the running gateway.</summary>
public sealed class GatewayHealth(Sensors.Journal.Journal journal, JournalSink sink, ClockGuard clock, ForwarderService forwarder, PipelineStats stats, PipelineOptions pipeline, SourceStates sources, TimeProvider time)
{
    public HealthInputs Read()
    {
        var journalStats = journal.Stats;
        var writer = forwarder.Writer;
        var stall = writer is null
            ? TimeSpan.MaxValue
            : TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, (2 * pipeline.FailurePause.Ticks) + (writer.Endpoint.Options.RequestTimeout.Ticks * (writer.Endpoint.Options.MaxRetries + 1) * 2)));
        return new HealthInputs(
            journal.IsRunning,
            sink.LastError,
            journalStats.Bytes,
            journal.FullAt,
            clock.IsSynchronised,
            writer is not null,
            stats.InfluxFailing,
            writer is null ? null : forwarder.LastTurn,
            stall,
            time.GetUtcNow(),
            sources.Problems(time.GetUtcNow()),
            journal.IsDropping);
    }

    public bool IsAlive => HealthRules.Liveness(Read()).All(c => c.Ok);
}
