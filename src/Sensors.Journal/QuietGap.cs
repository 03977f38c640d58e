namespace Sensors.Journal;

/// <summary>
/// When a lingering commit stops waiting for more (pure: fed the arrival times of the lines
/// someone waits for). A steady stream keeps a commit open while lines keep coming; a pause ends
/// it. What counts as a pause follows the stream: eight times its mean gap between lines (a
/// moving average), never under 2 ms nor over the linger. So a stream of 400 messages a second
/// that a publisher sends in bursts every 10 ms still shares one sync per linger, while a broker
/// that sends its 20 in-flight messages at once and then waits for their acknowledgements (the
/// stream stops dead) is kept waiting 2 ms, not the linger.
/// </summary>
public sealed class QuietGap(TimeSpan linger)
{
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(2);

    private const int Factor = 8;
    private const int Smoothing = 16;

    private long _meanTicks = TimeSpan.FromMilliseconds(10).Ticks / Factor; // until a stream is seen: 10 ms
    private DateTimeOffset? _last;

    /// <summary>How long a commit waits for the next line now.</summary>
    public TimeSpan Current => TimeSpan.FromTicks(Math.Clamp(_meanTicks * Factor, Floor.Ticks, Math.Max(Floor.Ticks, linger.Ticks)));

    /// <summary>A line someone waits for arrived at <paramref name="at"/>.</summary>
    public void Arrived(DateTimeOffset at)
    {
        if (_last is { } last)
        {
            // A gap longer than the linger says only "slower than the linger": counted as the linger.
            var gap = Math.Clamp((at - last).Ticks, 0, linger.Ticks);
            _meanTicks += (gap - _meanTicks) / Smoothing;
        }

        _last = at;
    }
}
