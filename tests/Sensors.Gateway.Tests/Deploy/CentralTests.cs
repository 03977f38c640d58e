using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Deploy;

/// <summary>deploy/central on real servers: the InfluxDB schema and its roll-ups, and the broker's accounts and ACL over TLS.</summary>
public sealed class CentralTests : IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new("central");

    [Fact]
    public async Task Schema_AppliesTwice_AndTheRollUpsGiveTheHourlyNumbersThePortalNeeds()
    {
        using var influx = new InfluxServer();
        var statements = CitySeed.SchemaStatements();
        foreach (var statement in statements.Concat(statements))
        {
            influx.Execute(statement);
        }

        var policies = influx.Query("sensors", "SHOW RETENTION POLICIES ON sensors").ToDictionary(r => r["name"].GetString()!);
        Assert.Equal("2160h0m0s", policies["raw"]["duration"].GetString());
        Assert.True(policies["raw"]["default"].GetBoolean());
        Assert.Equal("87600h0m0s", policies["hourly"]["duration"].GetString());
        Assert.Equal(8, influx.Query("sensors", "SHOW CONTINUOUS QUERIES").Count(r => r["_measurement"].GetString() == "sensors"));

        // One classroom hour, one reading a minute: 40 at 900 ppm, 15 at 1200, 5 at 1800.
        var lines = new StringBuilder();
        for (var minute = 0; minute < 60; minute++)
        {
            var ppm = minute < 40 ? 900 : minute < 55 ? 1200 : 1800;
            lines.Append(CultureInfo.InvariantCulture, $"air_quality,room=cm1-a,sensor_id=scd41-1,sensor_model=SCD41,site=ecole co2_ppm={ppm},temperature_c=21,humidity_pct=45 {Hour.AddMinutes(minute).ToUnixTimeSeconds()}\n");
        }

        lines.Append(CultureInfo.InvariantCulture, $"bin_pickup,bin_id=h-1,sector=nord,truck_id=t-7 count=1i,weight_kg=12.5 {Hour.AddMinutes(5).ToUnixTimeSeconds()}\n");
        lines.Append(CultureInfo.InvariantCulture, $"bin_pickup,bin_id=h-1,sector=nord,truck_id=t-7 count=1i,weight_kg=7.5 {Hour.AddMinutes(50).ToUnixTimeSeconds()}\n");
        using (var written = await influx.Http.PostAsync("write?db=sensors&rp=raw&precision=s", new StringContent(lines.ToString())))
        {
            Assert.True(written.IsSuccessStatusCode, await written.Content.ReadAsStringAsync());
        }

        foreach (var cq in statements.Where(s => s.StartsWith("CREATE CONTINUOUS QUERY", StringComparison.Ordinal)))
        {
            influx.Execute(CitySeed.RollUp(cq, Hour, Hour.AddHours(1)));
        }

        var air = Assert.Single(influx.Query("sensors", "SELECT * FROM sensors.hourly.air_quality"));
        Assert.Equal(((40 * 900) + (15 * 1200) + (5 * 1800)) / 60.0, air["co2_ppm"].GetDouble(), 6);
        Assert.Equal(1800, air["co2_ppm_max"].GetDouble());
        Assert.Equal(60, air["samples"].GetInt64());
        Assert.Equal(20, air["samples_above_1000"].GetInt64());
        Assert.Equal(5, air["samples_above_1700"].GetInt64());
        Assert.Equal("cm1-a", air["room"].GetString());
        var pickups = Assert.Single(influx.Query("sensors", "SELECT * FROM sensors.hourly.bin_pickup"));
        Assert.Equal(2, pickups["count"].GetInt64());
        Assert.Equal(20.0, pickups["weight_kg"].GetDouble());
    }

    [Fact]
    public async Task Broker_GivesEachGatewayItsOwnShare_AndEachTruckItsOwnTopic_OverTls()
    {
        using var certificates = new MosquittoServer(tls: true); // only for its CA and server certificate
        var dir = Directory.CreateDirectory(_folder.File("sensors")).FullName;
        Directory.CreateDirectory(Path.Combine(dir, "tls"));
        File.Copy(certificates.CaFile, Path.Combine(dir, "tls/ca.crt"));
        File.Copy(certificates.ServerCertificateFile, Path.Combine(dir, "tls/server.crt"));
        File.Copy(certificates.ServerKeyFile, Path.Combine(dir, "tls/server.key"));
        File.Copy(RepoPaths.Of("deploy/central/mosquitto/acl"), Path.Combine(dir, "acl"));

        var environment = new Dictionary<string, string> { ["MOSQUITTO_SENSORS_DIR"] = dir, ["ACCOUNT_PASSWORD"] = "a-long-enough-password" };
        foreach (var account in new[] { new[] { "gateway", "gw-dechets-nord", "application/1/#", "trucks/+/pickups" }, ["gateway", "gw-eclairage", "application/2/#"], ["truck", "truck-07"] })
        {
            var (code, output) = Shell.Run("bash", [RepoPaths.Of("deploy/central/mosquitto/add-account.sh"), .. account], environment);
            Assert.True(code == 0, output);
        }

        Assert.Equal(0, Shell.Run("mosquitto_passwd", "-b", Path.Combine(dir, "passwords"), "chirpstack", "network-server-password").Code);
        var (again, _) = Shell.Run("bash", [RepoPaths.Of("deploy/central/mosquitto/add-account.sh"), "gateway", "gw-eclairage", "application/2/#"], environment);
        Assert.Equal(0, again);
        Assert.Single(Regex.Matches(File.ReadAllText(Path.Combine(dir, "acl")), "^user gw-eclairage$", RegexOptions.Multiline)); // updated, not repeated
        Assert.DoesNotContain("a-long-enough-password", File.ReadAllText(Path.Combine(dir, "passwords")), StringComparison.Ordinal);

        var tlsPort = FreePort.Next();
        var plainPort = FreePort.Next();
        var conf = File.ReadAllText(RepoPaths.Of("deploy/central/mosquitto/mosquitto.conf"))
            .Replace("/etc/mosquitto/sensors", dir, StringComparison.Ordinal)
            .Replace("listener 8883", $"listener {tlsPort} 127.0.0.1", StringComparison.Ordinal)
            .Replace("listener 1883 127.0.0.1", $"listener {plainPort} 127.0.0.1", StringComparison.Ordinal);
        var confPath = _folder.File("mosquitto.conf");
        File.WriteAllText(confPath, $"persistence_location {_folder.Path}/\nuser {Environment.UserName}\n{conf}");
        using var broker = new ServerProcess("central mosquitto", "mosquitto", "-c", confPath);
        broker.Start();
        broker.WaitForPort(tlsPort, TimeSpan.FromSeconds(10));

        MqttClient Client(string user, string password) => new(new MqttClientOptions
        {
            Port = tlsPort,
            ClientId = user,
            Username = user,
            Password = password,
            Tls = new MqttTlsOptions { CaFile = Path.Combine(dir, "tls/ca.crt"), ServerName = "localhost" },
        });

        await using var waste = Client("gw-dechets-nord", "a-long-enough-password");
        await using var lighting = Client("gw-eclairage", "a-long-enough-password");
        await waste.ConnectAsync();
        await lighting.ConnectAsync();
        await waste.SubscribeAsync([new MqttSubscription("application/#"), new MqttSubscription("trucks/#")]);
        await lighting.SubscribeAsync([new MqttSubscription("application/#"), new MqttSubscription("trucks/#")]);

        await using (var networkServer = Client("chirpstack", "network-server-password"))
        {
            await networkServer.ConnectAsync();
            await networkServer.PublishAsync("application/1/device/a84041000181c8e4/event/up", "bin"u8.ToArray(), MqttQos.AtLeastOnce);
            await networkServer.PublishAsync("application/2/device/24e124538c223622/event/up", "lamp"u8.ToArray(), MqttQos.AtLeastOnce);
        }

        await using (var truck = Client("truck-07", "a-long-enough-password"))
        {
            await truck.ConnectAsync();
            await truck.PublishAsync("trucks/truck-07/pickups", "mine"u8.ToArray(), MqttQos.AtLeastOnce);
            var forged = await Assert.ThrowsAsync<InvalidOperationException>(() => truck.PublishAsync("trucks/truck-08/pickups", "forged"u8.ToArray(), MqttQos.AtLeastOnce));
            Assert.Contains("0x87", forged.Message, StringComparison.Ordinal); // MQTT 5: not authorised
            await truck.PublishAsync("trucks/truck-07/pickups", "last"u8.ToArray(), MqttQos.AtLeastOnce);
        }

        Assert.Equal(["application/1/device/a84041000181c8e4/event/up bin", "trucks/truck-07/pickups mine", "trucks/truck-07/pickups last"], await ReceiveAsync(waste, 3));
        Assert.Equal(["application/2/device/24e124538c223622/event/up lamp"], await ReceiveAsync(lighting, 1));

        var anonymous = new MqttClient(new MqttClientOptions { Port = tlsPort, ClientId = "nobody", Tls = new MqttTlsOptions { CaFile = Path.Combine(dir, "tls/ca.crt"), ServerName = "localhost" } });
        await using (anonymous)
        {
            await Assert.ThrowsAsync<MqttConnectException>(() => anonymous.ConnectAsync());
        }
    }

    /// <summary>The first <paramref name="count"/> messages, then a short wait to show that nothing else comes.</summary>
    private static async Task<List<string>> ReceiveAsync(MqttClient client, int count)
    {
        var received = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received.Count < count)
        {
            var message = await client.Messages.ReadAsync(timeout.Token);
            received.Add($"{message.Topic} {Encoding.UTF8.GetString(message.Payload.Span)}");
        }

        await Task.Delay(500);
        while (client.Messages.TryRead(out var extra))
        {
            received.Add($"{extra.Topic} {Encoding.UTF8.GetString(extra.Payload.Span)}");
        }

        return received;
    }

    public void Dispose() => _folder.Dispose();
}
