namespace Sensors.Journal;

/// <summary>
/// When a lingering commit stops waiting for more (pure: fed the arrival times of the lines
/// someone waits for and the commits). A steady stream keeps a commit open while lines keep
/// coming; a pause ends it. What counts as a pause follows the stream: three times the longest
/// gap seen lately between lines of one commit (a maximum that halves every second), never under
/// 2 ms nor over the linger. Publishers and network servers send in bursts (a loop every 30 ms, a
/// batch of uplinks): the longest gap is the time between bursts, and a commit lingers past them.
/// Only gaps inside an open commit are learnt. A gap after a commit may be of our making (a broker
/// that sends its 20 in-flight messages at once waits for their acknowledgements, which wait for
/// the commit): learning it would make each wait longer than the last. So that a stream whose
/// bursts are further apart than the wait can still be learnt, every eighth commit that a pause
/// ended is followed by one that waits four times as long, 50 ms at least: a broker that waits
/// for us loses that much once in eight commits, and 1,000 messages a second in bursts every
/// 20 ms come to share one sync per linger instead of one a burst.
/// </summary>
public sealed class QuietGap(TimeSpan linger)
{
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(2);

    private const int Factor = 3;
    private static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(1);
    private const int ProbeEvery = 8;
    private const int ProbeLonger = 4;
    private static readonly TimeSpan ProbeAtLeast = TimeSpan.FromMilliseconds(50);

    // The longest gap inside a commit lately (ticks). Until a stream is seen: a pause is 10 ms.
    private double _longest = TimeSpan.FromMilliseconds(10).Ticks / (double)Factor;
    private DateTimeOffset? _last;
    private bool _open;
    private int _paused;

    /// <summary>What the stream has taught: how long a pause is.</summary>
    public TimeSpan Learnt => TimeSpan.FromTicks(Math.Clamp((long)(Factor * _longest), Floor.Ticks, Math.Max(Floor.Ticks, linger.Ticks)));

    /// <summary>How long the open commit waits for the next line now (longer on a probe).</summary>
    public TimeSpan Current => _paused >= ProbeEvery ? Min(Max(Learnt * ProbeLonger, ProbeAtLeast), Max(linger, Floor)) : Learnt;

    /// <summary>A line someone waits for arrived at <paramref name="at"/>.</summary>
    public void Arrived(DateTimeOffset at)
    {
        if (_last is { } last)
        {
            // A gap longer than the linger says only "slower than the linger": counted as the linger.
            double gap = Math.Clamp((at - last).Ticks, 0, linger.Ticks);
            _longest *= Math.Pow(0.5, Math.Max(0, (at - last).Ticks) / (double)HalfLife.Ticks);
            if (_open)
            {
                _longest = Math.Max(_longest, gap);
            }
        }

        _last = at;
        _open = true;
    }

    /// <summary>The open commit was written; <paramref name="endedByPause"/>: it stopped waiting because no line came for <see cref="Current"/>.</summary>
    public void Committed(bool endedByPause)
    {
        _open = false;
        _paused = _paused >= ProbeEvery ? 0 : endedByPause ? _paused + 1 : 0;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
