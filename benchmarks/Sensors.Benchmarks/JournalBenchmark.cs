using System.Buffers;
using System.Diagnostics;
using Sensors.Core;
using Sensors.Influx;
using Sensors.Journal;
using Sensors.Testing;

/// <summary>
/// The journal on this machine's disk: committed points per second with real fsyncs, bytes that
/// reached the storage layer per point (/proc/self/io write_bytes) next to the line's own size,
/// and the drain to a real InfluxDB next to a bare HttpClient loop posting the same batches.
/// </summary>
internal static class JournalBenchmark
{
    public static async Task RunAsync(int points)
    {
        using var folder = new TempFolder("journal-bench");
        var options = new JournalOptions { Directory = folder.Path, MaxBytes = 64L << 30 };
        var lines = Sample.ClassroomLines();
        var lineBytes = lines.Average(l => (double)l.Length);

        Console.WriteLine($"Journal on local disk ({folder.Path}), {points:N0} points of {lineBytes:0} bytes of line protocol:");
        var writtenBefore = Sample.WriteBytes();
        var watch = Stopwatch.StartNew();
        long commits;
        await using (var journal = Journal.Open(options))
        {
            // Four producers, each handing over a group of 1000 and waiting for it, as the MQTT source does.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
            {
                var group = new Task[1000];
                for (var start = p * 1000; start < points; start += 4000)
                {
                    var count = Math.Min(1000, points - start);
                    for (var i = 0; i < count; i++)
                    {
                        group[i] = journal.AppendAsync(lines[(start + i) & 4095]).AsTask();
                    }

                    await Task.WhenAll(group.Take(count));
                }
            })));
            watch.Stop();
            commits = journal.Stats.Commits;
        }

        var written = Sample.WriteBytes() - writtenBefore;
        Console.WriteLine($"  commit: {points / watch.Elapsed.TotalSeconds:N0} points/s committed with {commits:N0} fsyncs ({(double)points / commits:0} points per sync)");
        Console.WriteLine($"  disk: {(double)written / points:0.0} bytes written per point for {lineBytes:0} bytes of line protocol ({written / (lineBytes * points):0.00} bytes per byte)");

        using var influx = new InfluxServer();
        influx.CreateDatabase("drain");
        influx.CreateDatabase("raw");
        var influxOptions = new InfluxOptions { Url = influx.Url, Database = "drain", Gzip = false, BatchMaxPoints = 5000, RequestTimeout = TimeSpan.FromSeconds(60) };
        var writer = new InfluxWriter(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, influxOptions);
        var memory = new List<long>();
        watch.Restart();
        long drained = 0;
        await using (var journal = Journal.Open(options))
        {
            var batch = writer.NewBatch();
            while (true)
            {
                batch.Clear();
                var first = journal.Lease(batch);
                if (batch.IsEmpty)
                {
                    break;
                }

                var report = await writer.WriteAsync(batch);
                if (!report.IsComplete)
                {
                    throw new InvalidOperationException(report.Failure?.Reason);
                }

                journal.Acknowledge(first + report.Settled);
                drained += report.Settled;
                if (drained % 100_000 < 5000)
                {
                    memory.Add(GC.GetTotalMemory(false) / 1024 / 1024);
                }
            }
        }

        watch.Stop();
        var drainRate = drained / watch.Elapsed.TotalSeconds;

        // The same batches, posted by a bare loop.
        var bodies = new List<byte[]>();
        foreach (var chunk in Sensors.Journal.Journal.ReadPendingLines(folder.Path).Chunk(5000))
        {
            bodies.Add(chunk.SelectMany(l => l.Append((byte)'\n')).ToArray());
        }

        if (bodies.Count == 0)
        {
            var all = Enumerable.Range(0, points).Select(i => lines[i & 4095]).Chunk(5000);
            bodies.AddRange(all.Select(chunk => chunk.SelectMany(l => l.ToArray().Append((byte)'\n')).ToArray()));
        }

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var uri = new Uri(influx.Url, "write?db=raw&precision=n");
        watch.Restart();
        foreach (var body in bodies)
        {
            using var response = await http.PostAsync(uri, new ByteArrayContent(body));
            response.EnsureSuccessStatusCode();
        }

        watch.Stop();
        var rawRate = points / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  drain: {drainRate:N0} points/s from the journal into InfluxDB, bare HttpClient loop {rawRate:N0} points/s ({drainRate / rawRate:P0} of the raw ceiling)");
        Console.WriteLine($"  memory while draining the backlog: GC heap {string.Join(", ", memory.Take(12))} MiB (sampled every 100,000 points)");
        Console.WriteLine();
    }
}
