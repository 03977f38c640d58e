using Microsoft.Extensions.Hosting;

namespace Sensors.Gateway.Reloading;

/// <summary>A file the gateway picks up again when it is edited.</summary>
public interface IReloadable
{
    /// <summary>True when a changed, valid file replaced the current one.</summary>
    bool ReloadIfChanged();
}

/// <summary>Looks for edits of the reloadable files (the site file, the device registry and its codecs) every few seconds.</summary>
public sealed class ConfigReloadService(IEnumerable<IReloadable> files, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var file in files)
                {
                    file.ReloadIfChanged();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
