using System.Diagnostics;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Pipeline;
using Sensors.Journal;

namespace Sensors.Gateway.Sources.Self;

/// <summary>
/// The gateway's own <c>gateway</c> measurement, every <see cref="GatewayOptions.ReportInterval"/>:
/// what waits in its journal, what it dropped or dead-lettered, its memory and uptime. It goes
/// through the journal like any reading, so the city's data team sees every gateway in one
/// InfluxDB, including those that were cut off for a while.
/// </summary>
public sealed class GatewaySelfSource(GatewayOptions options, Sensors.Journal.Journal journal, DeadLetterStore deadLetters, PipelineStats stats, TimeProvider time) : IReadingSource
{
    public const string Measurement = "gateway";

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public string Id => "gateway";

    public string Name => $"gateway self-report every {options.ReportInterval}";

    /// <summary>The gateway's own report shares a commit with the sensors' (Journal:GroupWindow).</summary>
    public bool Grouped => true;

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        var pending = new PendingWrites(max: 16);
        using var timer = new PeriodicTimer(options.ReportInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await pending.Add(sink.WriteAsync(Read(), cancellationToken)).ConfigureAwait(false);
        }
    }

    public Reading Read()
    {
        var journalStats = journal.Stats;
        var now = time.GetUtcNow();
        using var process = Process.GetCurrentProcess();
        return new Reading(
            Measurement,
            [new Tag("gateway_id", options.EffectiveId)],
            [
                new Field("journal_points", journalStats.Pending),
                new Field("journal_bytes", journalStats.Bytes),
                new Field("journal_oldest_age_s", (long)(journalStats.OldestPendingAge(now)?.TotalSeconds ?? 0)),
                new Field("dropped_total", journalStats.Dropped),
                new Field("dead_letter_total", (long)deadLetters.Count),
                new Field("received_total", stats.Received),
                new Field("delivered_total", stats.Delivered),
                new Field("rss_bytes", process.WorkingSet64),
                new Field("uptime_s", (long)(now - _started).TotalSeconds),
            ],
            now);
    }
}
