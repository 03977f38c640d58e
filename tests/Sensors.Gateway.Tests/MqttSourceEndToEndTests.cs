using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Gateway.Tests;

/// <summary>The real gateway process taking MQTT messages from a real Mosquitto into a real InfluxDB.</summary>
public sealed class MqttSourceEndToEndTests : IDisposable
{
    private readonly InfluxServer _influx = new();
    private readonly MosquittoServer _broker = new();

    [Theory]
    [InlineData("V311")]
    [InlineData("V500")]
    public async Task JsonMessages_LandInInflux_AndAnUnreadableOneIsSetAsideWithoutStoppingTheFlow(string version)
    {
        _influx.CreateDatabase("mqtt");
        using var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-test")
            .Influx(_influx, "mqtt")
            .Mqtt(
                _broker,
                new
                {
                    Topic = "bins/+/+/fill",
                    Qos = "AtLeastOnce",
                    Measurement = "bin_fill",
                    Tags = new Dictionary<string, string> { ["site"] = "{topic:1}", ["bin_id"] = "{topic:2}" },
                    Fields = new Dictionary<string, string> { ["fill_pct"] = "$.fill", ["battery_pct"] = "$.battery" },
                    Timestamp = "$.time",
                },
                new
                {
                    Topic = "lamps/+/power",
                    Format = "Number",
                    Measurement = "lamp",
                    Tags = new Dictionary<string, string> { ["lamp_id"] = "{topic:1}" },
                    Field = "power_w",
                })
            .With("Mqtt", new { Version = version })
            .Build()).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));

        await using var publisher = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "truck-unit" });
        await publisher.ConnectAsync();
        var t0 = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 100; i++)
        {
            if (i == 50)
            {
                await publisher.PublishAsync("bins/depot-sud/B-9/fill", Encoding.UTF8.GetBytes("{\"fill\": oops"), MqttQos.AtLeastOnce);
            }

            var json = $"{{\"fill\":{i % 100},\"battery\":88,\"time\":\"{t0.AddMinutes(i):O}\"}}";
            await publisher.PublishAsync($"bins/depot-nord/B-{i % 10}/fill", Encoding.UTF8.GetBytes(json), MqttQos.AtLeastOnce);
        }

        await publisher.PublishAsync("lamps/L-3/power", Encoding.UTF8.GetBytes("41.5"), MqttQos.AtLeastOnce);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((_influx.Count("mqtt", "bin_fill", "fill_pct") < 100 || _influx.Count("mqtt", "lamp", "power_w") < 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(100, _influx.Count("mqtt", "bin_fill", "fill_pct"));
        var row = Assert.Single(_influx.Query("mqtt", $"SELECT fill_pct, battery_pct FROM bin_fill WHERE time = '{t0.AddMinutes(42):O}' GROUP BY *"));
        Assert.Equal(42.0, row["fill_pct"].GetDouble());
        Assert.Equal("B-2", row["bin_id"].GetString());
        Assert.Equal("depot-nord", row["site"].GetString());
        Assert.Equal(41.5, Assert.Single(_influx.Query("mqtt", "SELECT power_w FROM lamp WHERE lamp_id = 'L-3'"))["power_w"].GetDouble());
        Assert.Contains("mqtt: message on 'bins/depot-sud/B-9/fill' set aside: not JSON", gateway.Output);
        Assert.Contains("{\"fill\": oops", gateway.Output);
        var kept = Assert.Single(new Sensors.Journal.UnreadableStore(Path.Combine(Path.GetDirectoryName(gateway.ConfigPath)!, "journal")).ReadAll());
        Assert.Equal("{\"fill\": oops", Encoding.UTF8.GetString(Convert.FromBase64String(kept.Payload!)));
        Assert.Equal(0, gateway.Stop());
    }

    public void Dispose()
    {
        _broker.Dispose();
        _influx.Dispose();
    }
}
