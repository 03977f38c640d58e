using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Sensors.Core;
using Sensors.Gateway.Sources.LoRaWan;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// Decoded LoRaWAN uplinks per second, for a built-in decoder (Milesight EM310-UDL) and for a
/// JavaScript codec in the sandbox (Dragino LDDS75): first the gateway's decoding stage alone on
/// one thread (ChirpStack envelope → registry → codec → readings → line protocol), then the whole
/// gateway process taking the uplinks from Mosquitto at QoS 1 and committing them to its journal,
/// next to Mosquitto's own publisher → mosquitto_sub rate for the same messages.
/// </summary>
internal static class LoRaWanBenchmark
{
    private const int Devices = 1000;

    public static async Task RunAsync(int uplinks)
    {
        using var folder = new TempFolder("lorawan-bench");
        var registry = WriteRegistry(folder.Path);
        Console.WriteLine($"LoRaWAN uplinks, {Devices} devices of each kind, ChirpStack v4 envelopes:");
        var builtIn = Uplinks(uplinks, "24e1240000", 85, i => [0x01, 0x75, 90, 0x03, 0x82, (byte)(i % 200), 0x04, 0x04, 0x00, 0x00]);
        var script = Uplinks(uplinks, "a840410000", 2, i => [0x0C, 0xE4, 0x05, (byte)(i % 200), 0x00, 0x00, 0xD5, 0x01]);

        var stage = Stage(registry, Path.Combine(folder.Path, "codecs"));
        Console.WriteLine($"  decoding stage, one thread: built-in {Measure(stage, builtIn):N0} uplinks/s, JavaScript {Measure(stage, script):N0} uplinks/s (goals 50,000 and 5,000)");

        using var broker = new MosquittoServer();
        var baseline = await GatewayBenchmark.MosquittoSubRateAsync(broker, builtIn);
        using var gateway = new GatewayProcess(new
        {
            Gateway = new { Id = "bench-lora" },
            Pipeline = new { StatusLogInterval = "01:00:00" },
            LoRaWan = new { Registry = registry },
            Mqtt = new { Port = broker.Port, Subscriptions = new object[] { new { Topic = "application/+/device/+/event/up", Format = "LoRaWan" } } },
        }).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        Console.WriteLine($"  gateway started: resident memory {ProcessStats.Status(gateway.Process.Pid!.Value, "VmRSS")}");
        using var http = new HttpClient { BaseAddress = gateway.HttpUrl };
        var pid = gateway.Process.Pid!.Value;
        foreach (var (name, messages) in new[] { ("built-in", builtIn), ("JavaScript", script) })
        {
            var before = await Stored(http);
            var cpuBefore = ProcessStats.CpuTicks(pid);
            var watch = Stopwatch.StartNew();
            await GatewayBenchmark.PublishAsync(broker, messages, "application/bench/device/0000000000000000/event/up");
            var deadline = DateTime.UtcNow.AddMinutes(3);
            long stored;
            while ((stored = await Stored(http) - before) < 2L * messages.Length && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            watch.Stop();
            var cpu = (ProcessStats.CpuTicks(pid) - cpuBefore) * (1_000_000.0 / 100);
            var rate = stored / 2 / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  whole gateway, {name}: {rate:N0} uplinks/s committed to the journal ({stored / 2:N0} of {messages.Length:N0}; 2 readings each), {cpu / messages.Length:0.0} µs CPU per uplink; Mosquitto publisher → mosquitto_sub {baseline:N0} msg/s ({rate / baseline:P0}); resident memory {ProcessStats.Status(pid, "VmRSS")}, peak {ProcessStats.Status(pid, "VmHWM")}");
        }

        gateway.Stop();
        Console.WriteLine();
    }

    private static LoRaWanMessageReader Stage(string registry, string codecs)
    {
        var (loaded, errors) = Sensors.LoRaWan.Registry.DeviceRegistryLoader.Load(registry, codecs);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", errors));
        }

        return new LoRaWanMessageReader(new RegistryProvider(loaded, null, null, NullLogger<RegistryProvider>.Instance), NullLogger<LoRaWanMessageReader>.Instance);
    }

    /// <summary>Uplinks per second through envelope, registry, codec and line protocol; the second half of the stream is timed (fresh frame counters).</summary>
    private static double Measure(LoRaWanMessageReader stage, byte[][] messages)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var topic = "application/bench/device/0000000000000000/event/up";
        var half = messages.Length / 2;
        for (var i = 0; i < half; i++)
        {
            Encode(stage.FromMqtt(topic, messages[i], DateTimeOffset.UtcNow), buffer);
        }

        var watch = Stopwatch.StartNew();
        for (var i = half; i < messages.Length; i++)
        {
            Encode(stage.FromMqtt(topic, messages[i], DateTimeOffset.UtcNow), buffer);
        }

        return (messages.Length - half) / watch.Elapsed.TotalSeconds;
    }

    private static void Encode(IReadOnlyList<Reading> readings, ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount > (1 << 19))
        {
            buffer.ResetWrittenCount();
        }

        foreach (var reading in readings)
        {
            LineProtocol.Write(buffer, reading);
        }
    }

    private static byte[][] Uplinks(int count, string euiPrefix, int fPort, Func<int, byte[]> payload) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var eui = $"{euiPrefix}{i % Devices:x6}";
            return Encoding.UTF8.GetBytes($$$"""
                {"deduplicationId":"{{{Guid.NewGuid()}}}","time":"{{{DateTimeOffset.UnixEpoch.AddSeconds(1_795_000_000 + i):O}}}","deviceInfo":{"applicationId":"bench","devEui":"{{{eui}}}"},"fCnt":{{{(i / Devices) + 1}}},"fPort":{{{fPort}}},"data":"{{{Convert.ToBase64String(payload(i))}}}","rxInfo":[{"gatewayId":"b827ebfffe6c2a01","rssi":-97,"snr":7.5}],"txInfo":{"frequency":868100000,"modulation":{"lora":{"spreadingFactor":9} } } }
                """);
        }).ToArray();

    private static string WriteRegistry(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "registry"));
        Directory.CreateDirectory(Path.Combine(folder, "codecs"));
        File.Copy(RepoPaths.Of("firmware-config/codecs/dragino-ldds75.js"), Path.Combine(folder, "codecs", "dragino-ldds75.js"));
        var yaml = new StringBuilder();
        yaml.AppendLine(File.ReadAllText(RepoPaths.Of("firmware-config/registry/devices.yaml")).Split("\ndevices:")[0]);
        yaml.AppendLine("devices:");
        for (var i = 0; i < Devices; i++)
        {
            yaml.AppendLine($"  - {{ dev_eui: 24e1240000{i:x6}, type: milesight-em310-udl, site: bench, bin_id: bin-{i}, sector: nord, depth_mm: 1500 }}");
            yaml.AppendLine($"  - {{ dev_eui: a840410000{i:x6}, type: dragino-ldds75, site: bench, bin_id: js-bin-{i}, sector: sud, depth_mm: 1800 }}");
        }

        var path = Path.Combine(folder, "registry", "devices.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    private static async Task<long> Stored(HttpClient http)
    {
        var metrics = await http.GetStringAsync("metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("sensors_readings_received_total{source=\"mqtt\"}", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
