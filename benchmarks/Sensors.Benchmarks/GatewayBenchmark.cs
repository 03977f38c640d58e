using System.Diagnostics;
using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

/// <summary>
/// The whole gateway: a publisher sends ≈100-byte JSON readings at QoS 1 through a real Mosquitto
/// to the `sensors` process, which commits them to its journal, batches them and writes them to
/// a real InfluxDB. Next to it, in the same run, Mosquitto's own publisher → mosquitto_sub rate.
/// </summary>
internal static class GatewayBenchmark
{
    public static async Task RunAsync(int messages)
    {
        using var influx = new InfluxServer();
        using var broker = new MosquittoServer();
        influx.CreateDatabase("e2e");
        var payloads = Enumerable.Range(0, messages)
            .Select(i => Encoding.UTF8.GetBytes($"{{\"room\":\"salle-{i % 30:00}\",\"co2\":{400 + (i % 2000)},\"t\":21.4,\"n\":{i},\"time\":{1_790_000_000_000L + i}}}"))
            .ToArray();
        Console.WriteLine($"Whole gateway, {messages:N0} JSON messages of ≈{payloads.Average(p => p.Length):0} bytes at QoS 1 through Mosquitto into InfluxDB:");

        var baseline = await MosquittoSubRateAsync(broker, payloads);

        var environment = new Dictionary<string, string>();
        foreach (var setting in (Environment.GetEnvironmentVariable("BENCH_GATEWAY_ENV") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            environment[setting.Split('=')[0]] = setting.Split('=')[1];
        }

        using var gateway = new GatewayProcess(new
        {
            Gateway = new { Id = "bench" },
            Influx = new { Url = influx.Url.ToString(), Database = "e2e", Gzip = false },
            Pipeline = new { FlushInterval = "00:00:00.200", StatusLogInterval = "01:00:00" },
            Mqtt = new
            {
                Port = broker.Port,
                Subscriptions = new object[]
                {
                    new
                    {
                        Topic = "school/+/co2",
                        Measurement = "air_quality",
                        Tags = new Dictionary<string, string> { ["room"] = "$.room" },
                        Fields = new Dictionary<string, string> { ["co2_ppm"] = "$.co2", ["temperature_c"] = "$.t", ["n"] = "$.n" },
                        Timestamp = "$.time",
                    },
                },
            },
        }, environment).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        var pid = gateway.Process.Pid!.Value;

        // Warm-up: the same stream once, so that the figures are the steady state, not the JIT.
        await PublishAsync(broker, payloads, "school/a/co2");
        while (influx.Count("e2e", "air_quality", "co2_ppm") < messages)
        {
            await Task.Delay(100);
        }

        var shifted = payloads.Select(p => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(p).Replace("\"time\":1790", "\"time\":1791", StringComparison.Ordinal))).ToArray();
        var cpuBefore = ProcessStats.CpuTicks(pid);
        var watch = Stopwatch.StartNew();
        await PublishAsync(broker, shifted, "school/a/co2");
        long landed;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while ((landed = influx.Count("e2e", "air_quality", "co2_ppm") - messages) < messages && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        watch.Stop();
        var cpu = (ProcessStats.CpuTicks(pid) - cpuBefore) * (1_000_000.0 / 100); // clock ticks of 10 ms
        var rate = landed / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  landed: {rate:N0} points/s ({landed:N0} of {messages:N0}, {messages - landed} lost), Mosquitto publisher → mosquitto_sub {baseline:N0} msg/s ({rate / baseline:P0})");
        Console.WriteLine($"  gateway CPU: {cpu / messages:0.0} µs per message after a warm-up run of the same size; resident memory {ProcessStats.Status(pid, "VmRSS")} now, {ProcessStats.Status(pid, "VmHWM")} at peak");
        gateway.Stop();
        Console.WriteLine();
    }

    internal static async Task PublishAsync(MosquittoServer broker, byte[][] payloads, string topic)
    {
        await using var publisher = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "bench-pub", MaxOutboundInFlight = 200 });
        await publisher.ConnectAsync();
        var pending = new Queue<Task>();
        foreach (var payload in payloads)
        {
            pending.Enqueue(publisher.PublishAsync(topic, payload, MqttQos.AtLeastOnce));
            if (pending.Count >= 200)
            {
                await pending.Dequeue();
            }
        }

        await Task.WhenAll(pending);
    }

    internal static async Task<double> MosquittoSubRateAsync(MosquittoServer broker, byte[][] payloads)
    {
        var info = new ProcessStartInfo("mosquitto_sub", $"-p {broker.Port} -q 1 -t baseline/co2 -C {payloads.Length}") { RedirectStandardOutput = true, UseShellExecute = false };
        using var sub = Process.Start(info)!;
        var drain = sub.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await Task.Delay(500);
        var watch = Stopwatch.StartNew();
        await PublishAsync(broker, payloads, "baseline/co2");
        await sub.WaitForExitAsync();
        await drain;
        watch.Stop();
        return payloads.Length / watch.Elapsed.TotalSeconds;
    }
}
