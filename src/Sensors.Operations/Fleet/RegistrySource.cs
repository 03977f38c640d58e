using Sensors.LoRaWan.Registry;
using Sensors.Sites;

namespace Sensors.Operations.Fleet;

/// <summary>
/// The device registry as the console reads it: which device is which asset, each type's uplink
/// interval and rated power. Read again when the file changes; a bad edit keeps the last good
/// version, said once in the log. Codecs are not compiled here: the console only needs the list.
/// </summary>
public sealed class RegistrySource(string path, ILogger<RegistrySource> log)
{
    private readonly object _gate = new();
    private RegistryFile _current = new();
    private DateTime _readAt = DateTime.MinValue;

    /// <summary>Why the file's last version was not taken, or null.</summary>
    public string? Problem { get; private set; }

    public RegistryFile Current()
    {
        lock (_gate)
        {
            var written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
            if (written == _readAt)
            {
                return _current;
            }

            _readAt = written;
            if (written == DateTime.MinValue)
            {
                log.LogWarning("Device registry {Path} not found: devices are listed from their uplinks only, without their asset, interval or rated power. Set Console:Registry.", path);
                return _current = new RegistryFile();
            }

            var (file, error) = ConfigYaml.Read<RegistryFile>(path);
            if (error is not null)
            {
                log.LogWarning("Device registry not read, the previous version stays: {Error}", error);
                Problem = error;
                return _current;
            }

            Problem = null;
            return _current = file ?? new RegistryFile();
        }
    }
}
