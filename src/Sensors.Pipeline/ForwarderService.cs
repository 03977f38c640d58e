using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Influx;
using Sensors.Journal;

namespace Sensors.Pipeline;

/// <summary>
/// Leases the oldest readings from the journal into a batch (until it is full or
/// <see cref="PipelineOptions.FlushInterval"/> has passed, with jitter so that a fleet of gateways
/// does not write in step), sends it, and acknowledges to the journal only what InfluxDB stored
/// (2xx) or refused (moved to the dead-letter store with the server's reason first). While
/// InfluxDB fails, the batch is kept and tried again after a pause (Retry-After, or a backoff up
/// to <see cref="PipelineOptions.FailurePause"/>); new readings wait on disk meanwhile.
/// One log line when an outage starts, one when it ends: never a line per reading.
/// </summary>
public sealed partial class ForwarderService(
    Sensors.Journal.Journal journal,
    DeadLetterStore deadLetters,
    InfluxWriter? writer,
    PipelineOptions options,
    PipelineStats stats,
    TimeProvider time,
    ILogger<ForwarderService> logger) : BackgroundService
{
    /// <summary>At shutdown, how long a write already sent may take to be answered (so its points are acknowledged, not sent twice).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for new readings before the loop turns anyway (and shows it is alive).</summary>
    private static readonly TimeSpan IdleTurn = TimeSpan.FromSeconds(30);

    private long _lastTurnTicks = time.GetUtcNow().UtcTicks;

    /// <summary>When the forwarding loop last made progress (a batch filled, a write answered, an idle wait ended): the watchdog's evidence.</summary>
    public DateTimeOffset LastTurn => new(Interlocked.Read(ref _lastTurnTicks), TimeSpan.Zero);

    /// <summary>Null when no InfluxDB is configured: readings stay in the journal.</summary>
    public InfluxWriter? Writer => writer;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (writer is null)
        {
            LogNoDatabase(journal.Stats.Pending);
            return;
        }

        LogForwarding(writer.Endpoint.Describe(), journal.Stats.Pending);
        var batch = writer.NewBatch();
        using var writeStop = new CancellationTokenSource();
        using var onStop = stoppingToken.Register(() => writeStop.CancelAfter(StopGrace));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Turn();
                var first = await FillAsync(batch, stoppingToken).ConfigureAwait(false);
                if (!batch.IsEmpty)
                {
                    await SendUntilSettledAsync(writer, batch, first, writeStop.Token, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // What was not acknowledged stays in the journal for the next start.
        }

        LogStopped(stats.Delivered, journal.Stats.Pending);
    }

    /// <summary>Fills an empty batch from the journal; returns the sequence number of its first line.</summary>
    private async Task<long> FillAsync(LineBatch batch, CancellationToken stoppingToken)
    {
        batch.Clear();
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            idle.CancelAfter(IdleTurn);
            try
            {
                await journal.WaitForDataAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return journal.Lease(batch); // nothing came: turn, to show the loop is alive
            }
        }

        var first = journal.Lease(batch);
        if (batch.IsFull)
        {
            return first;
        }

        var jitter = 0.9 + (Random.Shared.NextDouble() * 0.2);
        var deadline = time.GetUtcNow() + (options.FlushInterval * jitter);
        while (!batch.IsFull && time.GetUtcNow() < deadline)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(deadline - time.GetUtcNow());
            try
            {
                await journal.WaitForDataAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                break;
            }

            journal.Lease(batch);
        }

        return first;
    }

    /// <summary>
    /// Sends until InfluxDB settled the whole batch. A write in flight when the gateway stops is
    /// given <see cref="StopGrace"/> to be answered (<paramref name="writeToken"/>); no new one
    /// starts after <paramref name="stoppingToken"/>.
    /// </summary>
    private async Task SendUntilSettledAsync(InfluxWriter influx, LineBatch batch, long first, CancellationToken writeToken, CancellationToken stoppingToken)
    {
        var failures = 0;
        DateTimeOffset? outageStart = null;
        AnswerKind? lastKind = null;
        while (!batch.IsEmpty)
        {
            var started = time.GetTimestamp();
            stoppingToken.ThrowIfCancellationRequested();
            var report = await influx.WriteAsync(batch, writeToken).ConfigureAwait(false);
            stats.AddWrite(time.GetElapsedTime(started));
            Turn();
            Settle(report);
            batch.RemoveFirst(report.Settled);
            first = journal.Advance(first, report.Settled); // past any hole a corrupt record left
            journal.Acknowledge(first);
            if (report.Failure is not { } failure)
            {
                if (outageStart is { } since)
                {
                    LogRecovered(influx.Endpoint.Describe(), (time.GetUtcNow() - since).TotalSeconds, journal.Stats.Pending);
                }

                return;
            }

            stats.AddFailure(failure.Kind.ToString(), time.GetUtcNow());
            if (lastKind != failure.Kind)
            {
                LogFailure(influx, failure, journal.Stats.Pending);
            }

            outageStart ??= time.GetUtcNow();
            lastKind = failure.Kind;
            var backoff = failure.Kind is AnswerKind.Unauthorized or AnswerKind.NotFound or AnswerKind.Misconfigured
                ? options.FailurePause
                : TimeSpan.FromSeconds(Math.Min(options.FailurePause.TotalSeconds, Math.Pow(2, Math.Min(failures, 16))));
            var pause = failure.RetryAfter is { } asked && asked > backoff ? asked : backoff;
            failures++;
            await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Delivered points are counted; refused ones go to the dead-letter store before the journal lets them go.</summary>
    private void Settle(WriteReport report)
    {
        stats.AddDelivered(report.Delivered, time.GetUtcNow());
        if (report.Rejected.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        deadLetters.Add(report.Rejected.Select(r => new DeadLetter(now, r.StatusCode, r.Reason, r.Line)));
        stats.AddRefused(report.Rejected.Count);
        var first = report.Rejected[0];
        LogRefused(report.Rejected.Count, first.StatusCode, first.Reason, first.Line.Length > 300 ? first.Line[..300] + "…" : first.Line);
    }

    private void Turn() => Interlocked.Exchange(ref _lastTurnTicks, time.GetUtcNow().UtcTicks);

    private void LogFailure(InfluxWriter influx, InfluxAnswer failure, long waiting)
    {
        var where = influx.Endpoint.Describe();
        switch (failure.Kind)
        {
            case AnswerKind.Unauthorized:
                LogUnauthorized(where, failure.StatusCode, failure.Reason, waiting);
                break;
            case AnswerKind.NotFound:
                LogNotFound(where, failure.Reason, waiting);
                break;
            case AnswerKind.Misconfigured:
                LogMisconfigured(where, failure.StatusCode, failure.Reason, waiting);
                break;
            default:
                LogUnavailable(where, failure.Reason, waiting);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No InfluxDB configured (Influx:Url is empty): readings are kept in the journal ({Pending} waiting) up to Journal:MaxBytes. Set Influx:Url to forward them")]
    private partial void LogNoDatabase(long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forwarding stopped: {Delivered} readings delivered since start; {Pending} wait in the journal for the next start")]
    private partial void LogStopped(long delivered, long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forwarding readings to InfluxDB at {Where}; {Pending} waiting in the journal")]
    private partial void LogForwarding(string where, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} refuses our credentials ({Status}: {Reason}); {Waiting} readings wait in the journal. Check Influx:Username/Password or Influx:Token; next try after Pipeline:FailurePause")]
    private partial void LogUnauthorized(string where, int status, string reason, long waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} has no such database or bucket ({Reason}); {Waiting} readings wait in the journal. Create it, fix Influx:Database/Bucket, or set Influx:CreateDatabase=true")]
    private partial void LogNotFound(string where, string reason, long waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} answered {Status} ({Reason}): the address is probably wrong or a proxy is in the way; {Waiting} readings wait in the journal. Check Influx:Url")]
    private partial void LogMisconfigured(string where, int status, string reason, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB at {Where} unavailable ({Reason}); {Waiting} readings wait in the journal and will be sent when it is back")]
    private partial void LogUnavailable(string where, string reason, long waiting);

    [LoggerMessage(Level = LogLevel.Information, Message = "InfluxDB at {Where} takes writes again after {Seconds:0} s; {Pending} readings still in the journal")]
    private partial void LogRecovered(string where, double seconds, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB refused {Count} point(s) ({Status}: {Reason}); first: {Line}. Moved to the dead-letter store: `sensors journal dead-letters` lists them, `sensors journal replay-dead-letters` sends them again after a fix")]
    private partial void LogRefused(int count, int status, string reason, string line);
}
