using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Gateway.Tests;

/// <summary>
/// The delivery contract of DESIGN.md with the real gateway process, a real Mosquitto and a real
/// InfluxDB: what the broker saw acknowledged is in InfluxDB, through kill -9, outages and poison.
/// </summary>
public sealed class DeliveryContractTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    private readonly InfluxServer _influx = new();
    private readonly MosquittoServer _broker = new();

    private object Settings(string database) => new GatewaySettingsBuilder("contract")
        .Influx(_influx, database).With("Influx", new { RetryDelay = "00:00:00.200", BreakDuration = "00:00:01", MaxRetries = 1 })
        .Mqtt(_broker, new
        {
            Topic = "meters/+/reading",
            Measurement = "contract",
            Tags = new Dictionary<string, string> { ["meter"] = "{topic:1}" },
            Fields = new Dictionary<string, string> { ["n"] = "$.n", ["v"] = "$.v" },
            Timestamp = "$.time",
        })
        .Build();

    private static byte[] Message(int n) => Encoding.UTF8.GetBytes($"{{\"n\":{n},\"v\":{n * 0.5},\"time\":\"{T0.AddSeconds(n):O}\"}}");

    private long WaitForCount(string database, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long count;
        while ((count = _influx.Count(database, "contract", "v")) < expected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(250);
        }

        return count;
    }

    [Fact]
    public async Task KillNineDuringQos1Ingest_RestartedEachTime_EveryAcknowledgedMessageIsInInflux()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("KILL9_ROUNDS"), out var k) ? k : 6;
        var messages = 400 * kills;
        _influx.CreateDatabase("kill9");
        using var gateway = new GatewayProcess(Settings("kill9")).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));

        await using var publisher = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "meters", MaxOutboundInFlight = 50 });
        await publisher.ConnectAsync();
        var publishing = Task.Run(async () =>
        {
            for (var n = 0; n < messages; n++)
            {
                await publisher.PublishAsync($"meters/m{n % 7}/reading", Message(n), MqttQos.AtLeastOnce);
                if (n % 50 == 0)
                {
                    await Task.Delay(10);
                }
            }
        });

        var random = new Random(4);
        for (var i = 0; i < kills; i++)
        {
            await Task.Delay(random.Next(150, 900));
            gateway.Kill();
            await Task.Delay(random.Next(0, 300));
            gateway.Process.Start();
        }

        await publishing.WaitAsync(TimeSpan.FromMinutes(3)); // every PUBACK from the broker came back
        var count = WaitForCount("kill9", messages, TimeSpan.FromSeconds(90));

        Assert.True(count == messages, $"{count} of {messages} acknowledged messages in InfluxDB after {kills} kills. Gateway said:\n{gateway.Output[^Math.Min(4000, gateway.Output.Length)..]}");
        var sums = Assert.Single(_influx.Query("kill9", "SELECT SUM(n) AS n, SUM(v) AS v FROM contract"));
        Assert.Equal((long)messages * (messages - 1) / 2, sums["n"].GetInt64());
        Assert.Equal(messages * (messages - 1) / 4.0, sums["v"].GetDouble());
    }

    [Fact]
    public async Task InfluxStoppedWhileReadingsKeepComing_JournalGrows_ThenDrainsToZero_NothingLost()
    {
        _influx.CreateDatabase("outage");
        using var gateway = new GatewayProcess(Settings("outage")).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        await using var publisher = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "meters" });
        await publisher.ConnectAsync();

        for (var n = 0; n < 300; n++)
        {
            await publisher.PublishAsync("meters/a/reading", Message(n), MqttQos.AtLeastOnce);
        }

        Assert.Equal(300, WaitForCount("outage", 300, TimeSpan.FromSeconds(30)));
        _influx.Stop();
        for (var n = 300; n < 2300; n++)
        {
            await publisher.PublishAsync("meters/a/reading", Message(n), MqttQos.AtLeastOnce);
        }

        gateway.Process.WaitForOutput("unavailable", TimeSpan.FromSeconds(30));
        // The journal grows: the 2000 sent during the outage are all on disk, waiting.
        await gateway.WaitForMetricsAsync(m => GatewayProcess.Get(m, "sensors_journal_pending_readings") >= 2000, TimeSpan.FromSeconds(60), "the 2000 readings of the outage waiting in the journal");
        _influx.Start();

        Assert.Equal(2300, WaitForCount("outage", 2300, TimeSpan.FromSeconds(60)));
        gateway.Process.WaitForOutput("takes writes again", TimeSpan.FromSeconds(10));
        Assert.Equal(0, gateway.Stop());
    }

    [Fact]
    public async Task PoisonPoint_EndsInDeadLetters_WithTheReason_AndTheOthersLand()
    {
        _influx.CreateDatabase("poison");
        using var gateway = new GatewayProcess(Settings("poison")).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        await using var publisher = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "meters" });
        await publisher.ConnectAsync();
        for (var n = 0; n < 100; n++)
        {
            var payload = n == 37
                ? Encoding.UTF8.GetBytes($"{{\"n\":{n},\"v\":\"broken\",\"time\":\"{T0.AddSeconds(n):O}\"}}") // a string where v is a float
                : Message(n);
            await publisher.PublishAsync("meters/a/reading", payload, MqttQos.AtLeastOnce);
        }

        Assert.Equal(99, WaitForCount("poison", 99, TimeSpan.FromSeconds(30)));
        gateway.Process.WaitForOutput("dead-letter store", TimeSpan.FromSeconds(10));
        Assert.Equal(0, gateway.Stop());

        var deadLetters = Path.Combine(Path.GetDirectoryName(gateway.ConfigPath)!, "journal", "dead-letters.jsonl");
        var letter = Assert.Single(File.ReadAllLines(deadLetters));
        Assert.Contains("field type conflict", letter);
        Assert.Contains("v=\\u0022broken\\u0022", letter);
    }

    public void Dispose()
    {
        _broker.Dispose();
        _influx.Dispose();
    }
}
