using Sensors.Journal;

namespace Sensors.Journal.Tests;

/// <summary>When a lingering commit stops waiting: follows the stream's pace, 2 ms to the linger.</summary>
public sealed class QuietGapTests
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(150);
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static QuietGap Fed(params double[] gapsMs)
    {
        var quiet = new QuietGap(Linger);
        var at = T0;
        quiet.Arrived(at);
        foreach (var gap in gapsMs)
        {
            at += TimeSpan.FromMilliseconds(gap);
            quiet.Arrived(at);
        }

        return quiet;
    }

    private static double[] Repeat(int times, params double[] gapsMs) => [.. Enumerable.Repeat(gapsMs, times).SelectMany(g => g)];

    [Fact]
    public void Before_any_stream_a_commit_waits_10_ms_for_more() =>
        Assert.Equal(TimeSpan.FromMilliseconds(10), new QuietGap(Linger).Current);

    [Fact]
    public void Four_hundred_messages_a_second_in_bursts_every_10_ms_keep_a_commit_open_past_the_bursts()
    {
        // Four messages back to back, then 10 ms of nothing: the stream's pause must be longer than that.
        var quiet = Fed(Repeat(200, 0.05, 0.05, 0.05, 9.85));
        Assert.InRange(quiet.Current, TimeSpan.FromMilliseconds(15), Linger);
    }

    [Fact]
    public void A_broker_that_sends_its_window_and_waits_for_acknowledgements_waits_2_ms()
    {
        // 20 in flight at once, then silence until the commit (2 ms + a sync) acknowledges them.
        var quiet = Fed(Repeat(100, [.. Enumerable.Repeat(0.01, 19), 4.0]));
        Assert.InRange(quiet.Current, QuietGap.Floor, TimeSpan.FromMilliseconds(4));
    }

    [Fact]
    public void A_slow_stream_never_waits_longer_than_the_linger()
    {
        var quiet = Fed(Repeat(100, 1000.0));
        Assert.Equal(Linger, quiet.Current);
    }

    [Fact]
    public void A_stream_that_speeds_up_shortens_the_wait_within_a_few_dozen_lines()
    {
        var quiet = Fed(Repeat(100, 1000.0));
        var slow = quiet.Current;
        var at = T0.AddSeconds(200);
        for (var i = 0; i < 60; i++)
        {
            at += TimeSpan.FromMilliseconds(0.1);
            quiet.Arrived(at);
        }

        Assert.True(quiet.Current < slow / 4, $"{quiet.Current} after a fast stream, {slow} before");
    }

    [Fact]
    public void Lines_out_of_order_in_time_do_not_make_the_wait_negative() =>
        Assert.True(Fed(-5, -5, -5).Current >= QuietGap.Floor);
}
