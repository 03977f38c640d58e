using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sensors.Pipeline;

/// <summary>One line every <see cref="PipelineOptions.StatusLogInterval"/>: what came in, what went out, what waits.</summary>
public sealed partial class StatusLogService(PipelineStats stats, Sensors.Journal.Journal journal, PipelineOptions options, TimeProvider time, ILogger<StatusLogService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.StatusLogInterval, time);
        long received = 0, delivered = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var nowReceived = stats.Received;
                var nowDelivered = stats.Delivered;
                var journalStats = journal.Stats;
                LogStatus(nowReceived - received, nowDelivered - delivered, options.StatusLogInterval, journalStats.Pending, journalStats.Bytes / 1024, stats.Refused, journalStats.Dropped);
                received = nowReceived;
                delivered = nowDelivered;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status: {Received} readings in, {Delivered} delivered in the last {Interval}; {Pending} waiting in the journal ({KiB} KiB), {Refused} dead-lettered and {Dropped} dropped since start")]
    private partial void LogStatus(long received, long delivered, TimeSpan interval, long pending, long kiB, long refused, long dropped);
}
