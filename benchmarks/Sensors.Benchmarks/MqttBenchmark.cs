using System.Diagnostics;
using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

/// <summary>
/// Inbound MQTT throughput: a backlog of ≈100-byte JSON messages queued by Mosquitto for an
/// offline persistent session is drained by our client, and the same backlog by mosquitto_sub,
/// in the same run, at QoS 0 and QoS 1. The broker, not the publisher, sets the pace.
/// </summary>
internal static class MqttBenchmark
{
    private const int Messages = 200_000;

    public static async Task RunAsync()
    {
        using var broker = new MosquittoServer(extraConfig: "queue_qos0_messages true\nmax_queued_bytes 0\nset_tcp_nodelay true\n");
        Console.WriteLine($"MQTT inbound, a backlog of {Messages:N0} JSON messages of ≈100 bytes drained from a real Mosquitto on loopback:");
        var payloadFile = Path.Combine(Path.GetTempPath(), $"mqtt-bench-{Environment.ProcessId}.txt");
        await File.WriteAllLinesAsync(payloadFile, Enumerable.Range(0, Messages).Select(i => $"{{\"site\":\"ecole-jules-ferry\",\"room\":\"salle-{i % 30:00}\",\"co2\":{400 + (i % 2000)},\"t\":21.4,\"n\":{i}}}"));
        try
        {
            foreach (var qos in new[] { 0, 1 })
            {
                var ours = new List<double>();
                var theirs = new List<double>();
                var memory = new List<long>();
                var allocated = new List<double>();
                for (var round = 0; round < 3; round++)
                {
                    theirs.Add(await MosquittoSubAsync(broker, payloadFile, qos, $"msub-{qos}-{round}"));
                    var (rate, perMessage) = await OursAsync(broker, payloadFile, qos, $"ours-{qos}-{round}");
                    ours.Add(rate);
                    allocated.Add(perMessage);
                    GC.Collect();
                    memory.Add(GC.GetTotalMemory(forceFullCollection: true) / 1024);
                }

                Console.WriteLine($"  QoS {qos}: our client {ours.Max():N0} msg/s, mosquitto_sub {theirs.Max():N0} msg/s ({ours.Max() / theirs.Max():P0}), best of {ours.Count} alternating rounds each; {allocated.Min():N0} bytes allocated per message (this process, publisher idle meanwhile); GC heap after each round {string.Join(", ", memory.Select(k => $"{k:N0} KiB"))}");
            }

            Console.WriteLine($"  working set of this process at the end: {Environment.WorkingSet / 1024 / 1024} MiB (it also holds the {Messages:N0} payloads it publishes)");
        }
        finally
        {
            File.Delete(payloadFile);
        }

        Console.WriteLine();
    }

    private static async Task<(double Rate, double AllocatedPerMessage)> OursAsync(MosquittoServer broker, string payloadFile, int qos, string id)
    {
        var options = new MqttClientOptions { Port = broker.Port, ClientId = id, CleanStart = false, SessionExpiry = TimeSpan.FromHours(1), InboundQueueCapacity = 10_000, ReceiveMaximum = 1000 };
        await using (var first = new MqttClient(options))
        {
            await first.ConnectAsync();
            await first.SubscribeAsync([new MqttSubscription("bench/co2", (MqttQos)qos)]);
        }

        Publish(broker, payloadFile, qos);
        var client = new MqttClient(options);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await client.ConnectAsync();
        var received = 0;
        long bytes = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (received < Messages)
        {
            var message = await client.Messages.ReadAsync(limit.Token);
            bytes += message.Payload.Length;
            received++;
        }

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await client.DisposeAsync();
        return (Messages / watch.Elapsed.TotalSeconds, allocated / (double)Messages);
    }

    private static async Task<double> MosquittoSubAsync(MosquittoServer broker, string payloadFile, int qos, string id)
    {
        await Run("mosquitto_sub", $"-p {broker.Port} -i {id} -c -q {qos} -t bench/co2 -E");
        Publish(broker, payloadFile, qos);
        var watch = Stopwatch.StartNew();
        await Run("mosquitto_sub", $"-p {broker.Port} -i {id} -c -q {qos} -t bench/co2 -C {Messages} -W 120");
        watch.Stop();
        return Messages / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Fills the backlog with our client, 100 QoS 1 messages in flight at most: mosquitto_pub -l
    /// sends a QoS 1 file all at once and Mosquitto 2.0.11 cuts it off ("out of memory").
    /// </summary>
    private static void Publish(MosquittoServer broker, string payloadFile, int qos)
    {
        var lines = File.ReadAllLines(payloadFile).Select(Encoding.UTF8.GetBytes).ToArray();
        var publisher = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "bench-publisher", MaxOutboundInFlight = 100 });
        publisher.ConnectAsync().GetAwaiter().GetResult();
        var pending = new Queue<Task>();
        foreach (var line in lines)
        {
            pending.Enqueue(publisher.PublishAsync("bench/co2", line, (MqttQos)qos));
            if (pending.Count >= 100)
            {
                pending.Dequeue().GetAwaiter().GetResult();
            }
        }

        Task.WhenAll(pending).GetAwaiter().GetResult();
        publisher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Thread.Sleep(500); // let the broker finish queueing
    }

    private static async Task Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await process.WaitForExitAsync();
        await drain;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} exited with {process.ExitCode}");
        }
    }
}
