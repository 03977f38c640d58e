using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Health;
using Sensors.Pipeline;

namespace Sensors.Gateway.Systemd;

/// <summary>
/// Talks to systemd (Type=notify): READY=1 once every other part has started (it is registered
/// last), WATCHDOG=1 at half of WatchdogSec= but only while the pipeline really moves (the
/// journal's writer runs and the forwarding loop turns, see <see cref="HealthRules.Liveness"/>),
/// so a hung gateway is restarted; STOPPING=1 as soon as shutdown begins. STATUS= carries one
/// line for `systemctl status`.
/// </summary>
public sealed partial class SystemdService(SystemdNotifier notifier, GatewayHealth health, PipelineStats stats, Sensors.Journal.Journal journal, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<SystemdService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => notifier.Stopping("stopping: finishing the writes in progress"));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier.Ready(Summary());
        if (notifier.IsEnabled)
        {
            LogNotifying(notifier.WatchdogInterval?.TotalSeconds ?? 0);
        }

        var interval = notifier.WatchdogInterval is { } watchdog ? watchdog / 2 : TimeSpan.FromSeconds(30);
        using var timer = new PeriodicTimer(interval, time);
        var silent = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var failing = HealthRules.Liveness(health.Read()).Where(c => !c.Ok).ToList();
                if (failing.Count == 0)
                {
                    if (notifier.WatchdogInterval is not null)
                    {
                        notifier.Watchdog(Summary());
                    }
                    else
                    {
                        notifier.Status(Summary());
                    }

                    silent = false;
                }
                else if (!silent)
                {
                    silent = true;
                    LogStuck(string.Join("; ", failing.Select(c => $"{c.Name}: {c.Detail}")));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Summary()
    {
        var journalStats = journal.Stats;
        return $"{stats.Received} readings in, {stats.Delivered} delivered, {journalStats.Pending} waiting in the journal";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started by systemd: READY sent; watchdog every {Seconds:0} s (0: none)")]
    private partial void LogNotifying(double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The pipeline is stuck ({Why}): no more watchdog pings, so systemd restarts the gateway (if WatchdogSec= is set)")]
    private partial void LogStuck(string why);
}
