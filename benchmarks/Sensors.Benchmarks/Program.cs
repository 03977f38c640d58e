using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using Sensors.Core;
using Sensors.Influx;
using Sensors.Testing;

// Figures, not assertions: run with -c Release. Each figure comes with a baseline measured in the
// same run where one exists. Usage: dotnet run -c Release --project benchmarks/Sensors.Benchmarks -- [encoder|writer|mqtt|journal [points]|gateway [messages]|hardware [cycles]|lorawan [uplinks]|portal [requests]|city [percent] [requests]|hostile [messages]|card [seconds]|frugal [seconds]|metrics [scrapes]|all]
var what = args.FirstOrDefault() ?? "all";
if (what == "metrics-child")
{
    await Sensors.Benchmarks.MetricsBenchmark.ChildRunAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (what == "metrics")
{
    await Sensors.Benchmarks.MetricsBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000);
}

if (what is "encoder" or "all")
{
    EncoderBenchmark.Run();
}

if (what is "writer" or "all")
{
    await WriterBenchmark.RunAsync();
}

if (what is "mqtt" or "all")
{
    await MqttBenchmark.RunAsync();
}

if (what is "gateway" or "all")
{
    await GatewayBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

if (what is "hardware" or "all")
{
    await HardwareBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000, 60);
}

if (what is "lorawan" or "all")
{
    await Sensors.Benchmarks.LoRaWanBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

if (what is "portal" or "all")
{
    await Sensors.Benchmarks.PortalBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
}

if (what is "city")
{
    await Sensors.Benchmarks.CityBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 50);
}

if (what is "card")
{
    await Sensors.Benchmarks.CardBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 180);
}

if (what is "frugal")
{
    await Sensors.Benchmarks.FrugalBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
}

if (what is "hostile")
{
    await Sensors.Benchmarks.HostileBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

if (what is "journal" or "all")
{
    await JournalBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

internal static class Sample
{
    public const long T0 = 1_790_000_000_000_000_000;

    /// <summary>4096 classroom readings as journal lines (line protocol without the newline), as the gateway encodes them.</summary>
    public static ReadOnlyMemory<byte>[] ClassroomLines()
    {
        var encoding = new LineProtocol.Options(Precision.Nanoseconds, UnsignedAsInteger: true);
        return Enumerable.Range(0, 4096).Select(i =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            LineProtocol.Write(buffer, Classroom(i), encoding);
            return buffer.WrittenMemory[..^1];
        }).ToArray();
    }

    /// <summary>Bytes this process has caused to reach the storage layer (/proc/self/io write_bytes).</summary>
    public static long WriteBytes() => ProcessStats.WriteBytes(Environment.ProcessId);

    public static Reading Classroom(int i) => new(
        "air_quality",
        [new Tag("site", "ecole-jules-ferry"), new Tag("room", $"salle-{i % 30:00}"), new Tag("sensor_id", $"scd41-{i % 30:00}"), new Tag("sensor_model", "SCD41")],
        [new Field("co2_ppm", 400.0 + (i % 2000)), new Field("temperature_c", 20.0 + ((i % 50) / 10.0)), new Field("humidity_pct", 40.0 + (i % 20))],
        T0 + (i * 1_000_000_000L));
}

internal static class EncoderBenchmark
{
    public static void Run()
    {
        const int points = 5_000_000;
        var readings = Enumerable.Range(0, 1024).Select(Sample.Classroom).ToArray();
        var buffer = new ArrayBufferWriter<byte>(4 << 20);
        Encode(readings, buffer, 200_000); // warm up, let tiered compilation settle
        Thread.Sleep(200);
        Encode(readings, buffer, 200_000);

        var rates = new List<double>();
        long allocated = 0;
        long bytes = 0;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            bytes = Encode(readings, buffer, points);
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            rates.Add(points / watch.Elapsed.TotalSeconds);
        }

        Console.WriteLine("Line protocol encoder (one thread, air_quality with 4 tags and 3 float fields):");
        Console.WriteLine($"  {rates.Max():N0} points/s best, {rates.Order().ElementAt(1):N0} median of 3 rounds of {points:N0}");
        Console.WriteLine($"  {(double)bytes / points:F1} bytes of line protocol per point, {(double)allocated / points:F4} bytes allocated per point");
        Console.WriteLine();
    }

    private static long Encode(Reading[] readings, ArrayBufferWriter<byte> buffer, int count)
    {
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            if (buffer.FreeCapacity < 1024)
            {
                total += buffer.WrittenCount;
                buffer.ResetWrittenCount();
            }

            LineProtocol.Write(buffer, readings[i & 1023]);
        }

        total += buffer.WrittenCount;
        buffer.ResetWrittenCount();
        return total;
    }
}

internal static class WriterBenchmark
{
    private const int Batches = 100;
    private const int PointsPerBatch = 5_000;

    public static async Task RunAsync()
    {
        using var server = new InfluxServer();
        Console.WriteLine($"InfluxDB writer against a real InfluxDB 1.6 on loopback, {Batches} batches of {PointsPerBatch:N0} points, one request at a time:");
        foreach (var gzip in new[] { false, true })
        {
            var raw = new List<double>();
            var ours = new List<double>();
            for (var round = 0; round < 4; round++)
            {
                // Alternate the order so neither side always meets a warmer server.
                var first = round % 2 == 0;
                if (first)
                {
                    raw.Add(await RawAsync(server, gzip, $"raw_{gzip}_{round}"));
                    ours.Add(await WriterAsync(server, gzip, $"writer_{gzip}_{round}"));
                }
                else
                {
                    ours.Add(await WriterAsync(server, gzip, $"writer_{gzip}_{round}"));
                    raw.Add(await RawAsync(server, gzip, $"raw_{gzip}_{round}"));
                }
            }

            double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            Console.WriteLine($"  gzip {(gzip ? "on " : "off")}: writer {Median(ours):N0} points/s, bare HttpClient loop {Median(raw):N0} points/s: {Median(ours) / Median(raw):P0} of the raw ceiling (medians of {ours.Count} alternating rounds; best {ours.Max():N0} vs {raw.Max():N0}){(gzip ? "; the raw loop posts bodies compressed beforehand, the writer compresses as it goes" : string.Empty)}");
        }

        Console.WriteLine();
    }

    private static List<LineBatch> Prepare(InfluxOptions options)
    {
        var batches = new List<LineBatch>();
        for (var b = 0; b < Batches; b++)
        {
            var batch = new LineBatch(PointsPerBatch, 16 << 20, options.Encoding);
            for (var i = 0; i < PointsPerBatch; i++)
            {
                batch.TryAdd(Sample.Classroom((b * PointsPerBatch) + i));
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static async Task<double> WriterAsync(InfluxServer server, bool gzip, string database)
    {
        server.CreateDatabase(database);
        var options = new InfluxOptions { Url = server.Url, Database = database, Gzip = gzip, BatchMaxPoints = PointsPerBatch, BatchMaxBytes = 16 << 20, RequestTimeout = TimeSpan.FromSeconds(60) };
        var writer = new InfluxWriter(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, options);
        var batches = Prepare(options);
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            var report = await writer.WriteAsync(batch);
            if (!report.IsComplete || report.Delivered != batch.Count)
            {
                throw new InvalidOperationException($"writer benchmark: {report.Failure?.Reason}");
            }
        }

        watch.Stop();
        Check(server, database);
        return Batches * PointsPerBatch / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> RawAsync(InfluxServer server, bool gzip, string database)
    {
        server.CreateDatabase(database);
        var options = new InfluxOptions { Url = server.Url, Database = database };
        var bodies = Prepare(options).Select(b => gzip ? Compress(b.Body.Span) : b.Body.ToArray()).ToList();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var uri = new Uri(server.Url, $"write?db={database}&precision=n");
        var watch = Stopwatch.StartNew();
        foreach (var body in bodies)
        {
            using var content = new ByteArrayContent(body);
            if (gzip)
            {
                content.Headers.ContentEncoding.Add("gzip");
            }

            using var response = await http.PostAsync(uri, content);
            response.EnsureSuccessStatusCode();
        }

        watch.Stop();
        Check(server, database);
        return Batches * PointsPerBatch / watch.Elapsed.TotalSeconds;
    }

    private static void Check(InfluxServer server, string database)
    {
        var count = server.Count(database, "air_quality", "co2_ppm");
        if (count != Batches * PointsPerBatch)
        {
            throw new InvalidOperationException($"{database}: {count} points stored, {Batches * PointsPerBatch} sent");
        }
    }

    private static byte[] Compress(ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }
}
