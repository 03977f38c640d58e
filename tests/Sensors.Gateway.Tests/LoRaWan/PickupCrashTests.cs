using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.LoRaWan;

/// <summary>
/// The waste service bills households on the pickup count: trucks' RFID reads through the real
/// gateway, killed with SIGKILL again and again, must count each lift exactly once.
/// </summary>
public sealed class PickupCrashTests : IDisposable
{
    private const string PickupKey = "5b0e8c3f2a9d71e6c4b8a0f3d2e1c7b9a6f5e4d3c2b1a09f8e7d6c5b4a392817";
    private static readonly DateTimeOffset Morning = DateTimeOffset.UtcNow.Date.AddHours(-18);
    private readonly InfluxServer _influx = new();
    private readonly MosquittoServer _broker = new();

    [Fact]
    public async Task TwoHundredLifts_ReadThreeToFiveTimesEach_WithTheGatewayKilledEveryTwoSeconds_CountTwoHundredPickups()
    {
        const int lifts = 200;
        _influx.CreateDatabase("waste");
        var settings = new GatewaySettingsBuilder("gw-truck")
            .Influx(_influx, "waste")
            .Mqtt(_broker, new { Topic = "trucks/+/pickups", Qos = "AtLeastOnce", Format = "Pickups" })
            .Build();
        using var gateway = new GatewayProcess(settings, new Dictionary<string, string> { ["SENSORS_Pickups__Key"] = PickupKey }).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));

        // The truck: lift after lift, each bin read 3 to 5 times a few seconds apart (its own clock), sent at QoS 1.
        var random = new Random(200);
        var reads = new List<(string Topic, byte[] Payload)>();
        for (var lift = 0; lift < lifts; lift++)
        {
            var at = Morning.AddSeconds(lift * 40);
            for (var read = 0; read < random.Next(3, 6); read++)
            {
                reads.Add(("trucks/camion-07/pickups", Encoding.UTF8.GetBytes($$"""{"chip_id":"E2000017{{lift:X8}}","time":"{{at.AddSeconds(read * 2):O}}","truck_id":"camion-07","weight_kg":{{10 + (lift % 7)}}}""")));
            }
        }

        await using var truck = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "camion-07" });
        await truck.ConnectAsync();
        var publishing = Task.Run(async () =>
        {
            foreach (var (topic, payload) in reads)
            {
                await truck.PublishAsync(topic, payload, MqttQos.AtLeastOnce);
                await Task.Delay(15);
            }
        });

        var kills = 0;
        while (!publishing.IsCompleted && kills < 20)
        {
            await Task.WhenAny(publishing, Task.Delay(random.Next(1500, 2500)));
            gateway.Kill();
            kills++;
            gateway.Process.Start();
            gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        }

        await publishing.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(kills >= 4, $"only {kills} kills during the run");

        // Every read is taken and committed; then the count in InfluxDB is the number of lifts, not of reads.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long counted;
        while ((counted = PickupPoints()) < lifts && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        // A canary lift, read once after all the others on the same topic: once it is counted and the
        // journal is empty, a late duplicate (a read the broker sent again, before it) would be too.
        var canary = Morning.AddSeconds(lifts * 40);
        await truck.PublishAsync("trucks/camion-07/pickups", Encoding.UTF8.GetBytes($$"""{"chip_id":"E2000017FFFFFFFF","time":"{{canary:O}}","truck_id":"camion-07","weight_kg":9}"""), MqttQos.AtLeastOnce);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (PickupPoints() < lifts + 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await gateway.WaitForMetricsAsync(m => GatewayProcess.Get(m, "sensors_journal_pending_readings") == 0, TimeSpan.FromSeconds(30), "the journal drained");
        counted = PickupPoints() - 1;
        Assert.True(counted == lifts, $"{counted} pickups counted for {lifts} lifts ({reads.Count} reads, {kills} kills)");
        var total = Assert.Single(_influx.Query("waste", "SELECT sum(\"count\") FROM bin_pickup"));
        Assert.Equal(lifts + 1, total["sum"].GetInt64());
    }

    private long PickupPoints()
    {
        var rows = _influx.Query("waste", "SELECT count(\"count\") FROM bin_pickup");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    public void Dispose()
    {
        _broker.Dispose();
        _influx.Dispose();
    }
}
