using System.Globalization;

namespace Sensors.Gateway.Sources.Self;

/// <summary>
/// The Raspberry Pi firmware's throttling word (<c>vcgencmd get_throttled</c>, also in
/// /sys/devices/platform/soc/soc:firmware/get_throttled as hex): bit 0 under-voltage now, 1 ARM
/// frequency capped now, 2 throttled now, 3 soft temperature limit now; bits 16–19 the same
/// "has occurred since boot".
/// </summary>
public readonly record struct PiThrottling(int Raw)
{
    public bool UnderVoltageNow => (Raw & 0x1) != 0;

    public bool ThrottledNow => (Raw & 0x6) != 0;

    public bool UnderVoltageSinceBoot => (Raw & 0x10000) != 0;

    public bool ThrottledSinceBoot => (Raw & 0x60000) != 0;

    /// <summary>The word as the firmware writes it ("0x50005", "50005" or "0"); null when it is not that.</summary>
    public static PiThrottling? Parse(string text)
    {
        var hex = text.Trim();
        hex = hex.StartsWith("throttled=", StringComparison.Ordinal) ? hex[10..] : hex;
        hex = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        return hex.Length is > 0 and <= 8 && int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw) ? new PiThrottling(raw) : null;
    }
}

/// <summary>
/// What the machine says of itself, read from files the kernel and the firmware keep: the Pi's
/// throttling and SoC temperature (absent elsewhere: null), the free space of the journal's
/// filesystem, and the bytes this process has written (/proc/self/io write_bytes, what reached
/// the block layer: the card's wear). Every read is tolerant: a missing or odd file is null.
/// </summary>
public sealed class HostReadings(string throttledPath, string temperaturePath, string journalDirectory, string ioPath = "/proc/self/io")
{
    public PiThrottling? Throttling() => ReadText(throttledPath) is { } text ? PiThrottling.Parse(text) : null;

    /// <summary>The SoC temperature in °C: the thermal zone gives millidegrees.</summary>
    public double? SocTemperatureC() =>
        ReadText(temperaturePath) is { } text && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli) && milli is > -60_000 and < 150_000
            ? Math.Round(milli / 1000.0, 1)
            : null;

    public long? FreeBytes()
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(journalDirectory)).AvailableFreeSpace;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public long? WrittenBytes() =>
        ReadText(ioPath)?.Split('\n').Select(line => line.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == "write_bytes") is [_, var value]
        && long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;

    private static string? ReadText(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// Bytes written per day from samples of a growing counter, pure: the last 24 hours' samples kept,
/// the rate between the oldest and the newest scaled to a day. Nothing before 10 minutes of
/// samples (a start's burst would read as a day's wear).
/// </summary>
public sealed class WriteRate
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);
    private static readonly TimeSpan Least = TimeSpan.FromMinutes(10);
    private readonly Queue<(DateTimeOffset At, long Bytes)> _samples = new();

    public long? Add(DateTimeOffset at, long bytes)
    {
        if (_samples.Count > 0 && bytes < _samples.Last().Bytes)
        {
            _samples.Clear(); // the counter went back: another process
        }

        _samples.Enqueue((at, bytes));
        while (_samples.Count > 2 && at - _samples.Peek().At > Window)
        {
            _samples.Dequeue();
        }

        var (firstAt, firstBytes) = _samples.Peek();
        var span = at - firstAt;
        return span < Least ? null : (long)((bytes - firstBytes) * (Window / span));
    }
}
