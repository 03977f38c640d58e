using Sensors.Journal;

namespace Sensors.Journal.Tests;

/// <summary>When a lingering commit stops waiting: follows the stream's own pace, 2 ms to the linger.</summary>
public sealed class QuietGapTests
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Sync = TimeSpan.FromMilliseconds(3);
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Plays arrivals (gaps in ms) against the rule as the journal applies it: a commit ends when
    /// no line came for the current wait, or after the linger.
    /// Returns the rule and the number of commits.
    /// </summary>
    private static (QuietGap Quiet, int Commits) Play(IEnumerable<double> gapsMs)
    {
        var quiet = new QuietGap(Linger);
        var at = T0;
        DateTimeOffset? first = null;
        var last = T0;
        var commits = 0;
        foreach (var gap in gapsMs)
        {
            var next = at + TimeSpan.FromMilliseconds(gap);
            if (first is { } open)
            {
                var wait = quiet.Current;
                var pauseEnds = last + wait;
                var lingerEnds = open + Linger;
                if (next > pauseEnds || next > lingerEnds)
                {
                    var endedByPause = pauseEnds < lingerEnds;
                    quiet.Committed(endedByPause);
                    commits++;
                    first = null;
                }
            }

            quiet.Arrived(next);
            first ??= next;
            last = next;
            at = next;
        }

        return (quiet, commits);
    }

    private static IEnumerable<double> Repeat(int times, params double[] gapsMs) => Enumerable.Repeat(gapsMs, times).SelectMany(g => g);

    private static IEnumerable<double> Poisson(double rate, int count, int seed = 15)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => -Math.Log(1 - random.NextDouble()) * 1000 / rate);
    }

    [Fact]
    public void Before_any_stream_a_commit_waits_10_ms_for_more() =>
        Assert.Equal(TimeSpan.FromMilliseconds(10), new QuietGap(Linger).Current);

    [Fact]
    public void Every_eighth_commit_a_pause_ended_is_followed_by_a_longer_wait_that_can_learn_slower_bursts()
    {
        var quiet = new QuietGap(Linger);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 18; i++)
        {
            waits.Add(quiet.Current);
            quiet.Committed(endedByPause: true);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(50), waits[8]);
        Assert.Equal(TimeSpan.FromMilliseconds(50), waits[17]);
        Assert.Equal(16, waits.Count(w => w == TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void Four_hundred_messages_a_second_at_random_share_a_sync_per_linger_or_so()
    {
        var (_, commits) = Play(Poisson(400, 4000)); // 10 s
        Assert.InRange(commits, 50, 100); // the linger alone: 67; one a message: 4,000
    }

    [Fact]
    public void A_thousand_messages_a_second_in_bursts_every_20_ms_keep_a_commit_open_past_the_bursts()
    {
        // 20 messages back to back, then 20 ms of nothing (a publisher's loop, a network server's batch).
        var (quiet, commits) = Play(Repeat(500, [.. Enumerable.Repeat(0.02, 19), 19.6])); // 10 s
        Assert.InRange(quiet.Learnt, TimeSpan.FromMilliseconds(25), Linger);
        Assert.InRange(commits, 50, 120); // one a burst would be 500
    }

    [Fact]
    public void Four_hundred_messages_a_second_in_uneven_bursts_20_to_40_ms_apart_share_a_sync_per_linger_or_so()
    {
        // As mosquitto_pub fed line by line delivered them to the gateway: a dozen, then a pause of 20 to 40 ms.
        var random = new Random(15);
        var gaps = Enumerable.Range(0, 340).SelectMany(_ => Enumerable.Repeat(0.1, random.Next(6, 18)).Append(20.0 + (random.NextDouble() * 20)));
        var (_, commits) = Play(gaps); // about 10 s
        Assert.InRange(commits, 50, 120); // one a burst would be 340
    }

    [Fact]
    public void A_broker_that_sends_its_window_and_waits_for_acknowledgements_waits_2_ms_not_longer_each_time()
    {
        // 20 in flight at once, then nothing until the commit acknowledges them: the next 20 come
        // a round trip after the commit was written. The wait must not learn that gap.
        var quiet = new QuietGap(Linger);
        var at = T0;
        for (var round = 0; round < 200; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                at += TimeSpan.FromMilliseconds(0.01);
                quiet.Arrived(at);
            }

            var written = at + quiet.Current + Sync;
            quiet.Committed(endedByPause: true);
            at = written + TimeSpan.FromMilliseconds(0.3);
        }

        Assert.Equal(QuietGap.Floor, quiet.Learnt);
        Assert.InRange(quiet.Current, QuietGap.Floor, TimeSpan.FromMilliseconds(50)); // a probe at most
    }

    [Fact]
    public void A_slow_stream_never_waits_longer_than_the_linger()
    {
        var quiet = new QuietGap(Linger);
        var at = T0;
        for (var i = 0; i < 100; i++)
        {
            at += TimeSpan.FromSeconds(1);
            quiet.Arrived(at);
        }

        Assert.Equal(Linger, quiet.Learnt);
    }

    [Fact]
    public void A_stream_that_speeds_up_shortens_the_wait_within_a_few_seconds()
    {
        var slow = Play(Poisson(20, 200)).Quiet.Learnt;
        var fast = Play(Poisson(20, 200).Concat(Poisson(5000, 15_000))).Quiet.Learnt;
        Assert.True(fast < slow / 4, $"{fast} after a fast stream, {slow} before");
    }

    [Fact]
    public void Lines_out_of_order_in_time_do_not_make_the_wait_negative() =>
        Assert.True(Play([-5, -5, -5]).Quiet.Current >= QuietGap.Floor);
}
