using Sensors.Gateway.Reloading;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Configuration;
using Sensors.LoRaWan.Registry;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>
/// The device registry as it is now. Read again when the registry file or a codec in the codecs
/// folder changed on disk; a registry (or codec) with errors is refused with one log line and the
/// previous one stays in use, so a bad edit never stops the uplinks.
/// </summary>
public sealed partial class RegistryProvider(DeviceRegistry? initial, string? path, string? codecs, ILogger<RegistryProvider> logger) : IReloadable
{
    private DateTime _stamp = Stamp(path, codecs);
    private DeviceRegistry _current = initial ?? DeviceRegistry.Empty;

    public DeviceRegistry Current => Volatile.Read(ref _current);

    public bool ReloadIfChanged()
    {
        if (path is null || codecs is null || !File.Exists(path))
        {
            return false;
        }

        var stamp = Stamp(path, codecs);
        if (stamp == _stamp)
        {
            return false;
        }

        _stamp = stamp;
        var (loaded, errors) = DeviceRegistryLoader.Load(path, codecs);
        if (errors.Count > 0 || loaded is null)
        {
            LogRefused(path, errors.Count, errors.FirstOrDefault() ?? "unreadable");
            return false;
        }

        Volatile.Write(ref _current, loaded);
        LogReloaded(path, loaded.Count);
        return true;
    }

    /// <summary>The newest change time of the registry file and of the codecs.</summary>
    private static DateTime Stamp(string? path, string? codecs)
    {
        var stamp = path is not null && File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        if (codecs is not null && Directory.Exists(codecs))
        {
            foreach (var file in Directory.EnumerateFiles(codecs, "*.js"))
            {
                var changed = File.GetLastWriteTimeUtc(file);
                stamp = changed > stamp ? changed : stamp;
            }
        }

        return stamp;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device registry {Path} reloaded: {Devices} device(s)")]
    private partial void LogReloaded(string path, int devices);

    [LoggerMessage(Level = LogLevel.Error, Message = "Device registry {Path} (or a codec) was edited but has {Count} error(s); the previous version stays in use until it is fixed. First: {Error}. `sensors config check` lists them all")]
    private partial void LogRefused(string path, int count, string error);
}
