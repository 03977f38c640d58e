using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Influx;

namespace Sensors.Gateway.Pipeline;

/// <summary>
/// Takes readings from the queue, fills a batch (until it is full or has waited
/// <see cref="PipelineOptions.FlushInterval"/>, with jitter so that a fleet of gateways does not
/// write in step), and sends it until every line is settled. While InfluxDB fails, the batch is
/// kept and retried after a pause (Retry-After, or a backoff up to
/// <see cref="PipelineOptions.FailurePause"/>); readings wait in the bounded queue meanwhile.
/// One log line when an outage starts, one when it ends: never a line per reading.
/// </summary>
public sealed partial class ForwarderService(
    ReadingQueue queue,
    InfluxWriter? writer,
    PipelineOptions options,
    PipelineStats stats,
    TimeProvider time,
    ILogger<ForwarderService> logger) : BackgroundService
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (writer is null)
        {
            LogNoDatabase(queue.Capacity);
            return;
        }

        LogForwarding(writer.Endpoint.Describe());
        var batch = writer.NewBatch();
        Reading? carry = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                carry = await FillAsync(batch, carry, stoppingToken).ConfigureAwait(false);
                await SendUntilSettledAsync(writer, batch, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await FlushOnStopAsync(writer, batch, carry).ConfigureAwait(false);
    }

    /// <summary>Fills the batch; returns a reading that did not fit, to start the next one.</summary>
    private async Task<Reading?> FillAsync(LineBatch batch, Reading? carry, CancellationToken stoppingToken)
    {
        if (carry is not null)
        {
            Add(batch, carry);
        }

        if (batch.IsEmpty && !await queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            return null;
        }

        var jitter = 0.9 + (Random.Shared.NextDouble() * 0.2);
        using var flushTimer = new CancellationTokenSource(options.FlushInterval * jitter, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, flushTimer.Token);
        while (true)
        {
            while (queue.Reader.TryRead(out var reading))
            {
                if (!Add(batch, reading))
                {
                    return reading;
                }

                if (batch.IsFull)
                {
                    return null;
                }
            }

            queue.CaughtUp();
            try
            {
                if (!await queue.Reader.WaitToReadAsync(waiting.Token).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return null; // flush interval reached
            }
        }
    }

    /// <summary>True when the reading was consumed (added, or refused as impossible to encode).</summary>
    private bool Add(LineBatch batch, Reading reading)
    {
        try
        {
            return batch.TryAdd(reading);
        }
        catch (InvalidReadingException error)
        {
            stats.AddRefused(1);
            LogUnencodable(error.Message);
            return true;
        }
    }

    private async Task SendUntilSettledAsync(InfluxWriter influx, LineBatch batch, CancellationToken stoppingToken)
    {
        var failures = 0;
        DateTimeOffset? outageStart = null;
        AnswerKind? lastKind = null;
        while (!batch.IsEmpty)
        {
            var report = await influx.WriteAsync(batch, stoppingToken).ConfigureAwait(false);
            Account(report);
            batch.RemoveFirst(report.Settled);
            if (report.Failure is not { } failure)
            {
                if (outageStart is { } since)
                {
                    LogRecovered(influx.Endpoint.Describe(), (time.GetUtcNow() - since).TotalSeconds, queue.Count);
                }

                return;
            }

            if (lastKind != failure.Kind)
            {
                LogFailure(influx, failure, batch.Count + queue.Count);
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

    private async Task FlushOnStopAsync(InfluxWriter influx, LineBatch batch, Reading? carry)
    {
        using var budget = new CancellationTokenSource(StopBudget, time);
        var lost = 0L;
        try
        {
            while (carry is not null || !batch.IsEmpty || queue.Reader.TryPeek(out _))
            {
                if (carry is not null && Add(batch, carry))
                {
                    carry = null;
                }

                while (carry is null && !batch.IsFull && queue.Reader.TryRead(out var reading))
                {
                    carry = Add(batch, reading) ? null : reading;
                }

                var report = await influx.WriteAsync(batch, budget.Token).ConfigureAwait(false);
                Account(report);
                batch.RemoveFirst(report.Settled);
                if (!report.IsComplete)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        lost = batch.Count + queue.Count + (carry is null ? 0 : 1);
        if (lost > 0)
        {
            LogLostAtStop(lost, influx.Endpoint.Describe());
        }
    }

    private void Account(WriteReport report)
    {
        stats.AddDelivered(report.Delivered);
        if (report.Rejected.Count > 0)
        {
            stats.AddRefused(report.Rejected.Count);
            var first = report.Rejected[0];
            LogRefused(report.Rejected.Count, first.StatusCode, first.Reason, first.Line.Length > 300 ? first.Line[..300] + "…" : first.Line);
        }
    }

    private void LogFailure(InfluxWriter influx, InfluxAnswer failure, int waiting)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "No InfluxDB configured (Influx:Url is empty): readings stay in memory, at most {Capacity}, oldest dropped first. Set Influx:Url to forward them")]
    private partial void LogNoDatabase(int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forwarding readings to InfluxDB at {Where}")]
    private partial void LogForwarding(string where);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} refuses our credentials ({Status}: {Reason}); {Waiting} readings wait. Check Influx:Username/Password or Influx:Token; next try after Pipeline:FailurePause")]
    private partial void LogUnauthorized(string where, int status, string reason, int waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} has no such database or bucket ({Reason}); {Waiting} readings wait. Create it, fix Influx:Database/Bucket, or set Influx:CreateDatabase=true")]
    private partial void LogNotFound(string where, string reason, int waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB at {Where} answered {Status} ({Reason}): the address is probably wrong or a proxy is in the way; {Waiting} readings wait. Check Influx:Url")]
    private partial void LogMisconfigured(string where, int status, string reason, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB at {Where} unavailable ({Reason}); {Waiting} readings wait and will be sent when it is back")]
    private partial void LogUnavailable(string where, string reason, int waiting);

    [LoggerMessage(Level = LogLevel.Information, Message = "InfluxDB at {Where} takes writes again after {Seconds:0} s; {Queued} readings still queued")]
    private partial void LogRecovered(string where, double seconds, int queued);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB refused {Count} point(s) ({Status}: {Reason}); first: {Line}. They are not stored: fix the source's schema")]
    private partial void LogRefused(int count, int status, string reason, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading dropped, InfluxDB cannot store it: {Reason}")]
    private partial void LogUnencodable(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping with {Lost} readings not delivered to {Where}: they are lost (the in-memory queue does not survive a restart)")]
    private partial void LogLostAtStop(long lost, string where);
}
