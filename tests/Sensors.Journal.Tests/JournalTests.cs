using System.Text;
using Sensors.Core;
using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Journal.Tests;

/// <summary>The journal on a real folder: appends, leases, acknowledgements, restarts, torn tails, the cap.</summary>
public sealed class JournalTests : IDisposable
{
    private readonly TempFolder _folder = new("journal");

    private JournalOptions Options(long maxBytes = 1L << 30, int segmentBytes = 8 << 20) =>
        new() { Directory = _folder.Path, MaxBytes = maxBytes, SegmentBytes = segmentBytes };

    private static byte[] Line(int i) => Encoding.UTF8.GetBytes($"air_quality,room=salle-{i % 30} co2_ppm={400 + i} {1_790_000_000_000_000_000L + i}");

    private static List<string> LeaseAll(Journal journal)
    {
        var lines = new List<string>();
        var batch = new LineBatch(1_000_000, 256 << 20);
        journal.Lease(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            lines.Add(Encoding.UTF8.GetString(batch.Line(i).Span));
        }

        return lines;
    }

    /// <summary>Appends in groups of 500 at once (each group one sync), in order: AppendAsync queues before it awaits.</summary>
    private static async Task AppendAsync(Journal journal, int from, int count)
    {
        for (var start = from; start < from + count; start += 500)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(500, from + count - start)).Select(i => journal.AppendAsync(Line(i)).AsTask()));
        }
    }

    [Fact]
    public async Task Appended_IsLeasedInOrder_AndGoneOnceAcknowledged()
    {
        await using var journal = Journal.Open(Options());
        await AppendAsync(journal, 0, 500);

        var batch = new LineBatch(200, 1 << 20);
        var first = journal.Lease(batch);
        Assert.Equal(0, first);
        Assert.Equal(200, batch.Count);
        Assert.Equal(Encoding.UTF8.GetString(Line(0)), Encoding.UTF8.GetString(batch.Line(0).Span));
        journal.Acknowledge(first + 200);

        Assert.Equal(300, journal.Stats.Pending);
        Assert.Equal(Enumerable.Range(200, 300).Select(i => Encoding.UTF8.GetString(Line(i))), LeaseAll(journal));
    }

    [Fact]
    public async Task OldestPendingAt_FollowsTheOldestWaitingLine_AndIsNullWhenNothingWaits()
    {
        await using var journal = Journal.Open(Options());
        Assert.Null(journal.Stats.OldestPendingAt);

        var before = DateTimeOffset.UtcNow;
        await AppendAsync(journal, 0, 10);
        await Task.Delay(1100);
        var second = DateTimeOffset.UtcNow;
        await AppendAsync(journal, 10, 10);

        var oldest = journal.Stats.OldestPendingAt;
        Assert.NotNull(oldest);
        Assert.InRange(oldest.Value, before.AddSeconds(-1), second);

        journal.Acknowledge(journal.Lease(new LineBatch(10, 1 << 20)) + 10);
        Assert.InRange(journal.Stats.OldestPendingAt!.Value, second.AddMilliseconds(-50), DateTimeOffset.UtcNow);

        journal.Acknowledge(journal.Lease(new LineBatch(10, 1 << 20)) + 10);
        Assert.Null(journal.Stats.OldestPendingAt);
    }

    [Fact]
    public async Task Restart_WithoutAcknowledgement_GivesEverythingBack()
    {
        await using (var journal = Journal.Open(Options()))
        {
            await AppendAsync(journal, 0, 300);
            var batch = new LineBatch(100, 1 << 20);
            journal.Acknowledge(journal.Lease(batch) + 100); // the first 100 delivered
            journal.Lease(new LineBatch(100, 1 << 20)); // 100 more leased, never acknowledged: a crash
        }

        await using var reopened = Journal.Open(Options());
        Assert.Equal(200, reopened.Stats.Pending);
        Assert.Equal(Enumerable.Range(100, 200).Select(i => Encoding.UTF8.GetString(Line(i))), LeaseAll(reopened));
        await reopened.AppendAsync(Line(300));
        Assert.Equal(301, reopened.Stats.Next);
    }

    [Fact]
    public async Task TornTail_IsCutBackToTheLastWholeRecord_AndEverythingBeforeItIsKept()
    {
        await using (var journal = Journal.Open(Options()))
        {
            await AppendAsync(journal, 0, 100);
        }

        // A power cut in the middle of the next write: half a header and some of a line.
        var segment = Directory.GetFiles(_folder.Path, "*.seg").Single();
        var sizeBefore = new FileInfo(segment).Length;
        await File.AppendAllBytesAsync(segment, [40, 0, 0, 0, 1, 2, 3, 4, 100, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'i']);

        await using var reopened = Journal.Open(Options());
        Assert.Equal(100, reopened.Stats.Pending);
        Assert.Equal(sizeBefore, new FileInfo(segment).Length);
        await reopened.AppendAsync(Line(100));
        Assert.Equal(Enumerable.Range(0, 101).Select(i => Encoding.UTF8.GetString(Line(i))), LeaseAll(reopened));
    }

    [Fact]
    public async Task CorruptRecord_CostsOnlyItself_IsCountedAsDropped_AndPendingIsExactAtOnce()
    {
        await using (var journal = Journal.Open(Options()))
        {
            await AppendAsync(journal, 0, 100);
        }

        var segment = Directory.GetFiles(_folder.Path, "*.seg").Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        var offset = 0;
        for (var k = 0; k < 60; k++)
        {
            offset += 16 + BitConverter.ToInt32(bytes, offset);
        }

        bytes[offset + 20] ^= 0x40; // a flipped bit inside record 60's line
        await File.WriteAllBytesAsync(segment, bytes);

        await using var reopened = Journal.Open(Options());
        Assert.Equal(99, reopened.Stats.Pending);
        Assert.Equal(1, reopened.Stats.Dropped);
        Assert.Equal(1, reopened.Stats.Corrupt);
        await reopened.AppendAsync(Line(100));
        var batch = new LineBatch(1000, 1 << 20);
        var first = reopened.Lease(batch);
        Assert.Equal(Enumerable.Range(0, 101).Where(i => i != 60).Select(i => Encoding.UTF8.GetString(Line(i))), Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.Line(i).Span)));

        // Acknowledging the first 70 lines leased goes past the hole: 30 wait, not 31.
        reopened.Acknowledge(reopened.Advance(first, 70));
        Assert.Equal(30, reopened.Stats.Pending);
    }

    [Fact]
    public async Task SixteenBytesFlipped_InASegmentOf5000_CostOneOrTwoRecords_AndLandedPlusDroppedIsWritten()
    {
        const int written = 5000;
        await using (var journal = Journal.Open(Options()))
        {
            await AppendAsync(journal, 0, written);
        }

        var segment = Directory.GetFiles(_folder.Path, "*.seg").Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        for (var i = 0; i < 16; i++)
        {
            bytes[(bytes.Length / 2) + i] ^= 0xFF;
        }

        await File.WriteAllBytesAsync(segment, bytes);
        await using var reopened = Journal.Open(Options());
        var landed = LeaseAll(reopened);

        Assert.InRange(reopened.Stats.Dropped, 1, 2);
        Assert.Equal(written, landed.Count + reopened.Stats.Dropped);
        Assert.Equal(landed.Count, reopened.Stats.Pending);
        Assert.Equal(landed, Enumerable.Range(0, written).Select(i => Encoding.UTF8.GetString(Line(i))).Where(landed.Contains));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task GeneratedDamage_AcrossSegments_AndRestarts_LosesOnlyTheDamagedRecords(int seed)
    {
        // Random flips, zeroed stretches and overwritten headers in several segments; then a second
        // open, which must find nothing more to drop. Every line that comes back is an original one,
        // in order, and lines back + dropped = written.
        const int written = 3000;
        var random = new Random(seed);
        await using (var journal = Journal.Open(Options(segmentBytes: 64 * 1024)))
        {
            await AppendAsync(journal, 0, written);
        }

        foreach (var segment in Directory.GetFiles(_folder.Path, "*.seg").Where(_ => random.Next(3) > 0))
        {
            var bytes = await File.ReadAllBytesAsync(segment);
            var at = random.Next(bytes.Length);
            switch (random.Next(3))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    Array.Clear(bytes, at, Math.Min(random.Next(1, 700), bytes.Length - at));
                    break;
                default:
                    random.NextBytes(bytes.AsSpan(at, Math.Min(16, bytes.Length - at)));
                    break;
            }

            await File.WriteAllBytesAsync(segment, bytes);
        }

        long dropped;
        List<string> landed;
        await using (var reopened = Journal.Open(Options(segmentBytes: 64 * 1024)))
        {
            dropped = reopened.Stats.Dropped;
            landed = LeaseAll(reopened);
            Assert.Equal(landed.Count, reopened.Stats.Pending);
        }

        var lines = Enumerable.Range(0, written).Select(i => Encoding.UTF8.GetString(Line(i))).ToList();
        var last = Directory.GetFiles(_folder.Path, "*.seg").Max()!;
        Assert.Equal(landed, lines.Where(landed.Contains));
        Assert.True(landed.Count + dropped <= written);
        Assert.True(written - landed.Count - dropped <= 60, $"{written - landed.Count - dropped} lines unaccounted for (only a torn tail of the newest segment may be)"); // one damaged tail of the last segment
        await using var third = Journal.Open(Options(segmentBytes: 64 * 1024));
        Assert.Equal(0, third.Stats.Dropped);
        Assert.Equal(landed, LeaseAll(third));
    }

    [Fact]
    public async Task GroupedLines_WaitForTheWindow_ButGoWithTheFirstLineSomeoneWaitsFor_AndAtAStop()
    {
        var options = new JournalOptions { Directory = _folder.Path, GroupWindow = TimeSpan.FromMinutes(10) };
        await using (var journal = Journal.Open(options))
        {
            var sensor = journal.AppendAsync(Line(0), grouped: true).AsTask();
            var otherSensor = journal.AppendAsync(Line(1), grouped: true).AsTask();
            Assert.False(sensor.IsCompleted); // ten minutes to wait for company
            Assert.Equal(0, journal.Stats.Commits);

            await journal.AppendAsync(Line(2)); // an MQTT message: committed at once, with the two before
            await Task.WhenAll(sensor, otherSensor).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, journal.Stats.Commits);

            var late = journal.AppendAsync(Line(3), grouped: true).AsTask();
            Assert.False(late.IsCompleted);
        }

        // A clean stop commits what waited.
        await using var reopened = Journal.Open(options);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Encoding.UTF8.GetString(Line(i))), LeaseAll(reopened));
    }

    [Fact]
    public async Task GroupedLines_AreCommittedWhenTheWindowEnds_OnTheJournalsClock_InOneWriteAndOneSync()
    {
        var start = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start);
        await using var journal = Journal.Open(new JournalOptions { Directory = _folder.Path, GroupWindow = TimeSpan.FromMinutes(10) }, time: time);
        var writes = Enumerable.Range(0, 30).Select(i => journal.AppendAsync(Line(i), grouped: true).AsTask()).ToList();

        time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(50); // the commit loop, had it a reason, would write now
        Assert.DoesNotContain(writes, w => w.IsCompleted);
        Assert.Equal(0, journal.Stats.Commits);

        // The window ends. The commit loop sets its timer from the time it reads, which a jump of the
        // fake clock can overtake (by up to the jump): the clock goes on 10 s at a time until the commit.
        time.Advance(TimeSpan.FromMinutes(1));
        var all = Task.WhenAll(writes);
        for (var step = 0; step < 60 && !all.IsCompleted; step++)
        {
            await Task.WhenAny(all, Task.Delay(50));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        await all.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, journal.Stats.Commits);
        Assert.Equal(30, journal.Stats.Pending);
        Assert.InRange(journal.Stats.OldestPendingAt!.Value, start.AddMinutes(10), start.AddMinutes(20)); // by the journal's clock: once the window ended
    }

    [Fact]
    public async Task Ledger_IsSavedAtMostOncePerInterval_AndExactlyAtACleanStop()
    {
        var options = new JournalOptions { Directory = _folder.Path, LedgerInterval = TimeSpan.FromHours(1) };
        await using (var journal = Journal.Open(options))
        {
            await AppendAsync(journal, 0, 100);
            var first = journal.Lease(new LineBatch(1000, 1 << 20));
            journal.Acknowledge(first + 40); // the first acknowledgement is saved
            journal.Acknowledge(first + 90); // within the hour: kept in memory only, no sync

            Assert.Equal(10, journal.Stats.Pending);
            Assert.Equal(60, Journal.ReadPendingLines(_folder.Path).Count()); // what a crash now would send again: duplicates, nothing lost
        }

        Assert.Equal(10, Journal.ReadPendingLines(_folder.Path).Count());
        await using var reopened = Journal.Open(options);
        Assert.Equal(10, reopened.Stats.Pending);
    }

    [Fact]
    public async Task Cap_DropsExactlyTheOldest_AndCountsThem()
    {
        var options = Options(maxBytes: 256 * 1024, segmentBytes: 64 * 1024);
        await using var journal = Journal.Open(options);
        const int total = 20_000;
        await AppendAsync(journal, 0, total);

        var stats = journal.Stats;
        Assert.True(stats.Dropped > 0);
        Assert.True(stats.Bytes <= options.MaxBytes + options.SegmentBytes, $"{stats.Bytes} bytes on disk");
        Assert.Equal(total, stats.Pending + stats.Dropped);
        var left = LeaseAll(journal);
        Assert.Equal(Enumerable.Range((int)stats.Dropped, total - (int)stats.Dropped).Select(i => Encoding.UTF8.GetString(Line(i))), left);
    }

    [Fact]
    public async Task GroupCommit_ManyConcurrentAppends_FewSyncs()
    {
        await using var journal = Journal.Open(Options());
        await Task.WhenAll(Enumerable.Range(0, 5000).Select(i => journal.AppendAsync(Line(i)).AsTask()));
        var stats = journal.Stats;
        Assert.Equal(5000, stats.Pending);
        Assert.True(stats.Commits < 1000, $"{stats.Commits} syncs for 5000 appends");
    }

    [Fact]
    public async Task Acknowledged_Segments_AreDeleted()
    {
        await using var journal = Journal.Open(Options(segmentBytes: 64 * 1024));
        await AppendAsync(journal, 0, 5000);
        Assert.True(Directory.GetFiles(_folder.Path, "*.seg").Length > 3);
        var batch = new LineBatch(1_000_000, 256 << 20);
        journal.Acknowledge(journal.Lease(batch) + batch.Count);
        Assert.Single(Directory.GetFiles(_folder.Path, "*.seg"));
        Assert.Equal(0, journal.Stats.Pending);
    }

    [Fact]
    public async Task SecondProcessOnTheSameFolder_IsToldTheJournalIsInUse()
    {
        await using var journal = Journal.Open(Options());
        var error = Assert.Throws<JournalUnavailableException>(() => Journal.Open(Options()));
        Assert.Contains("in use by another process", error.Message);
    }

    public void Dispose() => _folder.Dispose();
}
