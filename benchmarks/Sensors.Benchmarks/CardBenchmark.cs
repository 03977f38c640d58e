using System.Buffers;
using System.Diagnostics;
using Sensors.Core;
using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// What the journal costs a Pi's SD card at the rates it meets: bytes that reached the storage
/// layer (/proc/self/io write_bytes, data and ledger, with the real fsyncs) per byte of line
/// protocol, at a school's 3 readings/s with sensor readings grouped (Journal:GroupWindow) next to
/// the same readings committed one by one (the baseline: every reading its own sync, as before),
/// at 400 messages/s handed over as they come (the MQTT source) with commits lingering
/// (Journal:CommitLinger) next to each committed at once, and flat out. Each run acknowledges
/// what it wrote every 5 s, as the forwarder does.
/// </summary>
internal static class CardBenchmark
{
    public static async Task RunAsync(int seconds)
    {
        var lines = Sample.ClassroomLines();
        var lineBytes = lines.Average(l => (double)l.Length);
        Console.WriteLine($"SD card: bytes written per byte of line protocol ({lineBytes:0} bytes a line), {seconds} s per low-rate run");

        var grouped = await RunAtAsync(lines, rate: 3, seconds, grouped: true);
        var oneByOne = await RunAtAsync(lines, rate: 3, Math.Min(seconds, 60), grouped: false);
        var mqtt = await RunAtAsync(lines, rate: 400, Math.Min(seconds, 30), grouped: false, linger: TimeSpan.FromMilliseconds(400));
        var mqttAtOnce = await RunAtAsync(lines, rate: 400, Math.Min(seconds, 30), grouped: false);
        var flatOut = await RunAtAsync(lines, rate: 0, 10, grouped: false);
        Console.WriteLine($"  3 readings/s, grouped (60 s window): {grouped:0.00} bytes per byte; one sync per reading (baseline): {oneByOne:0.00} ({oneByOne / grouped:0.0}x more)");
        Console.WriteLine($"  400 messages/s handed over as they come (the MQTT source), commits lingering up to 400 ms: {mqtt:0.00} bytes per byte; each committed at once (baseline): {mqttAtOnce:0.00} ({mqttAtOnce / mqtt:0.0}x more)");
        Console.WriteLine($"  flat out (4 producers of 1000): {flatOut:0.00} bytes per byte");
        var schoolLineBytesPerDay = 3 * 86_400 * lineBytes;
        Console.WriteLine($"  the example school (30 sensors every 10 s, {schoolLineBytesPerDay / 1e6:0.0} MB of line protocol a day): {grouped * schoolLineBytesPerDay / 1e6:0.0} MB written a day grouped, {oneByOne * schoolLineBytesPerDay / 1e6:0.0} MB one by one");
    }

    /// <summary>Appends at <paramref name="rate"/> a second (0: as fast as four producers go) for <paramref name="seconds"/>; bytes written per line byte.</summary>
    internal static async Task<double> RunAtAsync(ReadOnlyMemory<byte>[] lines, int rate, int seconds, bool grouped, TimeSpan linger = default)
    {
        using var folder = new TempFolder("card-bench");
        var options = new JournalOptions { Directory = folder.Path, CommitLinger = linger };
        long appended = 0;
        var before = Sample.WriteBytes();
        await using (var journal = Sensors.Journal.Journal.Open(options))
        {
            var watch = Stopwatch.StartNew();
            var writes = new List<Task>();
            var forwarder = Task.Run(async () =>
            {
                while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    await Task.Delay(5000);
                    var batch = new LineBatch(1_000_000, 256 << 20);
                    var first = journal.Lease(batch);
                    journal.Acknowledge(journal.Advance(first, batch.Count));
                }
            });

            if (rate == 0)
            {
                await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
                {
                    var group = new Task[1000];
                    for (var n = 0; watch.Elapsed < TimeSpan.FromSeconds(seconds); n++)
                    {
                        long bytes = 0;
                        for (var i = 0; i < group.Length; i++)
                        {
                            var line = lines[(n + i + p) % lines.Length];
                            group[i] = journal.AppendAsync(line).AsTask();
                            bytes += line.Length;
                        }

                        await Task.WhenAll(group);
                        Interlocked.Add(ref appended, bytes);
                    }
                })));
            }
            else
            {
                for (var n = 0; watch.Elapsed < TimeSpan.FromSeconds(seconds); n++)
                {
                    var line = lines[n % lines.Length];
                    writes.Add(journal.AppendAsync(line, grouped: grouped).AsTask());
                    appended += line.Length;
                    var due = TimeSpan.FromSeconds((n + 1) / (double)rate) - watch.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due);
                    }
                }
            }

            await Task.WhenAll(writes);
            await forwarder;
        }

        return (Sample.WriteBytes() - before) / (double)appended;
    }
}
