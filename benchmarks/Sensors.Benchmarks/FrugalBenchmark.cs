using Sensors.Gateway.Sources.Mqtt;
using System.Buffers;
using System.Diagnostics;
using System.Text;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Sources;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// Every figure of "frugal on the SD card and in memory" (#15) in one run, each next to its goal
/// and, where there is one, its baseline measured in the same run:
/// - the journal alone: bytes written per byte of line protocol at a school's 3 readings/s
///   (grouped) and the example school's bytes a day (<see cref="CardBenchmark"/>);
/// - the whole `sensors` process with the systemd unit's runtime settings, fed JSON readings at
///   QoS 1 through a real Mosquitto into a real InfluxDB: resident memory idle, steady under
///   10,000 msg/s and at peak flat out; CPU per message at 1,000 and 10,000 msg/s and flat out;
///   bytes written per line byte at 400 msg/s, 1,000 msg/s and flat out; points landed per second
///   flat out next to Mosquitto's publisher → mosquitto_sub for the same messages.
/// </summary>
internal static class FrugalBenchmark
{
    private const string Topic = "school/a/co2";

    public static async Task RunAsync(int seconds)
    {
        Console.WriteLine($"Frugal (#15): every figure in one run, {seconds} s per paced phase");
        var lines = Sample.ClassroomLines();
        var lineBytes = lines.Average(l => (double)l.Length);
        var grouped = await CardBenchmark.RunAtAsync(lines, rate: 3, Math.Max(seconds, 180), grouped: true); // three group windows: one is all boundary
        var oneByOne = await CardBenchmark.RunAtAsync(lines, rate: 3, Math.Max(seconds, 60), grouped: false);
        var schoolPerDay = grouped * 3 * 86_400 * lineBytes;

        using var influx = new InfluxServer();
        using var broker = new MosquittoServer();
        influx.CreateDatabase("e2e");
        const int flatOut = 200_000;
        var round = 0;
        byte[][] Payloads(int count) => [.. Enumerable.Range(0, count).Select(i => Payload(round, i))];
        var subscription = Subscription();
        var messageLine = LineBytes(subscription, Payload(0, 0));

        var baseline = await GatewayBenchmark.MosquittoSubRateAsync(broker, Payloads(flatOut));
        var unit = UnitEnvironment();
        using var gateway = new GatewayProcess(new
        {
            Gateway = new { Id = "bench" },
            Influx = new { Url = influx.Url.ToString(), Database = "e2e", Gzip = false },
            Pipeline = new { StatusLogInterval = "01:00:00" },
            Mqtt = new { Port = broker.Port, Subscriptions = new object[] { subscription } },
        }, unit).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        var pid = gateway.Process.Pid!.Value;
        long expected = 0;

        var idleCpu = ProcessStats.CpuTicks(pid);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idle = ProcessStats.StatusKiB(pid, "VmRSS");
        var idleMicrosecondsPerSecond = (ProcessStats.CpuTicks(pid) - idleCpu) * (1_000_000.0 / 100) / 10;

        // Warm-up: the JIT settles, the heap finds its size.
        round++;
        await GatewayBenchmark.PublishAsync(broker, Payloads(flatOut), Topic);
        expected += flatOut;
        await LandedAsync(influx, expected);

        round++;
        File.WriteAllText($"/proc/{pid}/clear_refs", "5"); // peak resident memory counted from here
        var max = await MeasureAsync(pid, () => GatewayBenchmark.PublishAsync(broker, Payloads(flatOut), Topic), flatOut, () => LandedAsync(influx, expected += flatOut));
        var peak = ProcessStats.StatusKiB(pid, "VmHWM");

        var phases = new List<(int Rate, Phase Phase)>();
        foreach (var rate in new[] { 10_000, 1_000, 400 })
        {
            round++;
            var count = rate * seconds;
            var payloads = Payloads(count);
            phases.Add((rate, await MeasureAsync(pid, () => PublishPacedAsync(broker, payloads, rate), count, () => LandedAsync(influx, expected += count))));
        }

        gateway.Stop();
        var steady = phases[0].Phase;

        Console.WriteLine($"  (one message: {Payload(0, 0).Length} bytes of JSON, {messageLine} bytes of line protocol; runtime settings of deploy/systemd/sensors.service: {string.Join(' ', unit.Select(s => $"{s.Key}={s.Value}"))})");
        Console.WriteLine("  | figure | measured | goal | baseline, same run |");
        Console.WriteLine("  |---|---|---|---|");
        Console.WriteLine($"  | bytes written per line byte, 3 readings/s grouped (journal) | {grouped:0.00} | ≤ 2 | {oneByOne:0.00} one sync per reading |");
        Console.WriteLine($"  | bytes written per line byte, 400 msg/s (gateway) | {BytesPerLineByte(phases[2].Phase, messageLine):0.00} | ≤ 2 | |");
        Console.WriteLine($"  | bytes written per line byte, 1,000 msg/s (gateway) | {BytesPerLineByte(phases[1].Phase, messageLine):0.00} | ≤ 2 | |");
        Console.WriteLine($"  | bytes written per line byte, flat out (gateway) | {BytesPerLineByte(max, messageLine):0.00} | ≤ 2 | |");
        Console.WriteLine($"  | the example school (30 sensors every 10 s) | {schoolPerDay / 1e6:0.0} MB a day | | {oneByOne * 3 * 86_400 * lineBytes / 1e6:0.0} MB one sync per reading |");
        Console.WriteLine($"  | resident memory idle | {idle / 1024.0:0.0} MB | | |");
        Console.WriteLine($"  | resident memory steady at 10,000 msg/s (median; max) | {steady.MedianRssKiB / 1024.0:0.0} MB; {steady.MaxRssKiB / 1024.0:0.0} MB | < 64 MB | |");
        Console.WriteLine($"  | of which, at the end of the 10,000 msg/s stream | {steady.Memory} | | |");
        Console.WriteLine($"  | resident memory peak flat out | {peak / 1024.0:0.0} MB | < 96 MB | |");
        Console.WriteLine($"  | CPU idle (timers, self-report, forwarder) | {idleMicrosecondsPerSecond / 10_000:0.00} % of a core | | |");
        Console.WriteLine($"  | CPU per message at 1,000 msg/s (of which idle's share) | {phases[1].Phase.CpuMicroseconds:0.0} µs ({idleMicrosecondsPerSecond / 1000:0.0} µs) | ≤ 20 µs | |");
        Console.WriteLine($"  | CPU per message at 10,000 msg/s | {steady.CpuMicroseconds:0.0} µs | | |");
        Console.WriteLine($"  | CPU per message flat out | {max.CpuMicroseconds:0.0} µs | ≤ 12 µs | |");
        Console.WriteLine($"  | landed flat out | {max.Rate:N0} points/s | ≥ 0.9× | {baseline:N0} msg/s mosquitto_sub ({max.Rate / baseline:0.00}×) |");
        Console.WriteLine($"  | paced rates reached (10,000; 1,000; 400 msg/s) | {string.Join("; ", phases.Select(p => p.Phase.Rate.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} points/s | | |");
        Console.WriteLine();
    }

    private sealed record Phase(double Rate, double CpuMicroseconds, long WrittenBytes, int Messages, long MedianRssKiB, long MaxRssKiB, string Memory);

    /// <summary>Publishes, waits until all has landed, and reads the gateway's CPU, disk writes and resident memory over that time.</summary>
    private static async Task<Phase> MeasureAsync(int pid, Func<Task> publish, int messages, Func<Task> landed)
    {
        var rss = new List<long>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rss.Add(ProcessStats.StatusKiB(pid, "VmRSS"));
                await Task.Delay(250, CancellationToken.None);
            }
        });
        var cpuBefore = ProcessStats.CpuTicks(pid);
        var writtenBefore = ProcessStats.WriteBytes(pid);
        var watch = Stopwatch.StartNew();
        await publish();
        var memory = ProcessStats.MemoryBreakdown(pid); // as the stream ends, before the gateway rests
        await landed();
        watch.Stop();
        var cpu = (ProcessStats.CpuTicks(pid) - cpuBefore) * (1_000_000.0 / 100);
        var written = ProcessStats.WriteBytes(pid) - writtenBefore;
        await sampling.CancelAsync();
        await sampler;
        rss.Sort();
        return new Phase(messages / watch.Elapsed.TotalSeconds, cpu / messages, written, messages, rss[rss.Count / 2], rss[^1], memory);
    }

    private static double BytesPerLineByte(Phase phase, int lineBytes) => phase.WrittenBytes / ((double)phase.Messages * lineBytes);

    private static async Task LandedAsync(InfluxServer influx, long expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (influx.Count("e2e", "air_quality", "co2_ppm") < expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{expected - influx.Count("e2e", "air_quality", "co2_ppm")} points did not land within 5 minutes");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Publishes at <paramref name="rate"/> messages a second on average, at random times as many
    /// independent devices do (exponential gaps, a fixed seed), at most 200 in flight.
    /// </summary>
    private static async Task PublishPacedAsync(MosquittoServer broker, byte[][] payloads, int rate)
    {
        await using var publisher = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "bench-paced", MaxOutboundInFlight = 200 });
        await publisher.ConnectAsync();
        var pending = new Queue<Task>();
        var random = new Random(15);
        var at = 0.0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < payloads.Length; i++)
        {
            at += -Math.Log(1 - random.NextDouble()) / rate;
            var due = TimeSpan.FromSeconds(at) - watch.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due);
            }

            pending.Enqueue(publisher.PublishAsync(Topic, payloads[i], MqttQos.AtLeastOnce));
            if (pending.Count >= 200)
            {
                await pending.Dequeue();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>A classroom reading as JSON, unique per round and index (so that no point overwrites another in InfluxDB).</summary>
    private static byte[] Payload(int round, int i) =>
        Encoding.UTF8.GetBytes($"{{\"room\":\"salle-{i % 30:00}\",\"co2\":{400 + (i % 2000)},\"t\":21.4,\"n\":{i},\"time\":{1_790_000_000_000L + (round * 10_000_000L) + i}}}");

    private static object Subscription() => new
    {
        Topic = "school/+/co2",
        Measurement = "air_quality",
        Tags = new Dictionary<string, string> { ["room"] = "$.room" },
        Fields = new Dictionary<string, string> { ["co2_ppm"] = "$.co2", ["temperature_c"] = "$.t", ["n"] = "$.n" },
        Timestamp = "$.time",
    };

    /// <summary>Bytes of line protocol one message becomes in the journal (with its newline).</summary>
    private static int LineBytes(object subscription, byte[] payload)
    {
        var options = System.Text.Json.JsonSerializer.Deserialize<MqttSubscriptionOptions>(System.Text.Json.JsonSerializer.Serialize(subscription))!;
        var reading = MqttPayloadReader.Map(options, "school/a/co2", payload, DateTimeOffset.UtcNow);
        var buffer = new ArrayBufferWriter<byte>();
        LineProtocol.Write(buffer, reading, new LineProtocol.Options(Precision.Nanoseconds, UnsignedAsInteger: true));
        return buffer.WrittenCount;
    }

    /// <summary>The runtime settings (DOTNET_…) of the systemd unit, as installed.</summary>
    private static Dictionary<string, string> UnitEnvironment() =>
        File.ReadLines(RepoPaths.Of("deploy/systemd/sensors.service"))
            .Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .SelectMany(l => l["Environment=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(s => s.StartsWith("DOTNET_", StringComparison.Ordinal) && s.Contains('='))
            .ToDictionary(s => s[..s.IndexOf('=')], s => s[(s.IndexOf('=') + 1)..]);
}
