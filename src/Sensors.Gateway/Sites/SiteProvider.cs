using Sensors.Gateway.Reloading;
using Sensors.Sites;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sensors.Gateway.Sites;

/// <summary>
/// The site file as it is now. <see cref="ReloadIfChanged"/> reads it again when the file changed
/// on disk; a file with errors is refused with one log line and the previous one stays in use, so a
/// bad edit never stops the gateway.
/// </summary>
public sealed partial class SiteProvider(SiteFile? initial, string? path, ILogger<SiteProvider> logger) : IReloadable
{
    private DateTime _stamp = path is not null && File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
    private SiteFile? _current = initial;

    public SiteFile? Current => Volatile.Read(ref _current);

    public string? Path => path;

    /// <summary>True when a changed, valid file replaced the current one.</summary>
    public bool ReloadIfChanged()
    {
        if (path is null || !File.Exists(path))
        {
            return false;
        }

        var stamp = File.GetLastWriteTimeUtc(path);
        if (stamp == _stamp)
        {
            return false;
        }

        _stamp = stamp;
        var (loaded, errors) = SiteFileLoader.Load(path);
        if (errors.Count > 0 || loaded is null)
        {
            LogRefused(path, errors.Count, errors.FirstOrDefault() ?? "unreadable");
            return false;
        }

        Volatile.Write(ref _current, loaded);
        LogReloaded(path, loaded.Site, loaded.Rooms.Count, loaded.Rooms.Sum(r => r.Sensors.Count));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Site file {Path} reloaded: site {Site}, {Rooms} room(s), {Sensors} sensor(s)")]
    private partial void LogReloaded(string path, string site, int rooms, int sensors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Site file {Path} was edited but has {Count} error(s); the previous version stays in use until it is fixed. First: {Error}. `sensors config check` lists them all")]
    private partial void LogRefused(string path, int count, string error);
}
