using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sensors.Pipeline;

/// <summary>
/// Runs every <see cref="IReadingSource"/> side by side. A source that fails (only I/O may fail
/// one: a message never does, see <see cref="MessageQuarantine"/>) is logged with its name,
/// recorded in <see cref="SourceStates"/> (a source failing again and again makes /readyz not
/// ready) and started again after a pause that doubles up to five minutes; the others go on.
/// </summary>
public sealed partial class SourceRunner(IEnumerable<IReadingSource> sources, IReadingSink sink, PipelineStats stats, SourceStates states, TimeProvider time, ILogger<SourceRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(sources.Select(source => RunAsync(source, stoppingToken)));

    private async Task RunAsync(IReadingSource source, CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(5);
        var counted = new CountingSink(sink, stats, source.Id, source.Grouped);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                LogStarting(source.Name);
                states.Started(source, time.GetUtcNow());
                await source.RunAsync(counted, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                states.Failed(source, error, time.GetUtcNow());
                LogFailed(source.Name, error.GetType().Name, error.Message, pause.TotalSeconds);
            }

            try
            {
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            pause = TimeSpan.FromSeconds(Math.Min(pause.TotalSeconds * 2, 300));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source started: {Source}")]
    private partial void LogStarting(string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {Source} failed ({Type}: {Reason}); restarting it in {Seconds:0} s, the other sources go on")]
    private partial void LogFailed(string source, string type, string reason, double seconds);
}
