using Sensors.LoRaWan;

namespace Sensors.LoRaWan.Tests;

public sealed class FrameCounterTests
{
    [Fact]
    public void SameUplinkHeardTwice_CountsOnce()
    {
        var counters = new FrameCounters();
        Assert.Equal(FrameVerdict.New, counters.Observe("a", 10));
        Assert.Equal(FrameVerdict.Duplicate, counters.Observe("a", 10));
        Assert.Equal(FrameVerdict.New, counters.Observe("b", 10)); // another device, its own counter
        Assert.Equal(1, counters.Duplicates);
    }

    [Fact]
    public void Gaps_AreLostUplinks_UntilTheyArriveLate()
    {
        var counters = new FrameCounters();
        counters.Observe("a", 10);
        counters.Observe("a", 14); // 11, 12, 13 missing
        Assert.Equal(3, counters.LostBy("a"));
        Assert.Equal(FrameVerdict.New, counters.Observe("a", 12)); // late, but here
        Assert.Equal(2, counters.LostBy("a"));
        Assert.Equal(FrameVerdict.Duplicate, counters.Observe("a", 12));
        Assert.Equal(2, counters.Lost);
    }

    [Fact]
    public void CounterBackToZero_IsAReset_NotALoss()
    {
        var counters = new FrameCounters();
        counters.Observe("a", 5000);
        Assert.Equal(FrameVerdict.Reset, counters.Observe("a", 0));
        Assert.Equal(FrameVerdict.New, counters.Observe("a", 1));
        Assert.Equal(0, counters.Lost);
    }
}
