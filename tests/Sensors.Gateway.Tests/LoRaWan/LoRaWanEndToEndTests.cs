using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.LoRaWan;

/// <summary>
/// The real gateway with the example device registry: network-server uplinks published on a real
/// Mosquitto by mosquitto_pub, and pushed over HTTP as the network servers' integrations do, into
/// the journal and a real InfluxDB; truck pickups pseudonymised end to end.
/// </summary>
public sealed class LoRaWanEndToEndTests : IDisposable
{
    private const string PickupKey = "5b0e8c3f2a9d71e6c4b8a0f3d2e1c7b9a6f5e4d3c2b1a09f8e7d6c5b4a392817";
    private const string Chip = "E2000017221101441890ABCD";
    private const string OtherChip = "E20000172211014418907777";
    private const string WebhookSecret = "test-secret-0123456789abcdef";
    private readonly InfluxServer _influx = new();
    private readonly MosquittoServer _broker = new();

    private static string ChirpStackUp(string devEui, uint fCnt, int fPort, string hex, string time) => $$$"""
        {"deduplicationId":"{{{Guid.NewGuid()}}}","time":"{{{time}}}",
         "deviceInfo":{"tenantName":"Ville","applicationId":"17c82e96-be03-4f38-aef3-f83d48582d97","applicationName":"dechets","deviceName":"dev-{{{devEui[^4..]}}}","devEui":"{{{devEui}}}"},
         "devAddr":"00fc3d2a","adr":true,"dr":5,"fCnt":{{{fCnt}}},"fPort":{{{fPort}}},"data":"{{{Convert.ToBase64String(Convert.FromHexString(hex))}}}",
         "rxInfo":[{"gatewayId":"0016c001ff1a3b2c","uplinkId":4021,"rssi":-97,"snr":7.5,"crcStatus":"CRC_OK"},{"gatewayId":"0016c001ff1a3b2d","rssi":-112,"crcStatus":"CRC_OK"}],
         "txInfo":{"frequency":868500000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":9,"codeRate":"CR_4_5"} } } }
        """;

    private static string TtsUp(string devEui, uint fCnt, int fPort, string hex, string time) => $$$"""
        {"end_device_ids":{"device_id":"lampadaire","application_ids":{"application_id":"eclairage"},"dev_eui":"{{{devEui.ToUpperInvariant()}}}"},
         "received_at":"{{{time}}}",
         "uplink_message":{"f_port":{{{fPort}}},"f_cnt":{{{fCnt}}},"frm_payload":"{{{Convert.ToBase64String(Convert.FromHexString(hex))}}}",
           "rx_metadata":[{"gateway_ids":{"gateway_id":"mairie-toit","eui":"B827EBFFFE123456"},"rssi":-110,"snr":-4.25}],
           "settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":10}},"frequency":"867300000"},"received_at":"{{{time}}}"}}
        """;

    private object Settings(object? webhook = null, bool mqtt = true)
    {
        var settings = new GatewaySettingsBuilder("gw-lora").Influx(_influx, "lora").ExampleRegistry().With("Webhook", webhook ?? new { Enabled = false });
        if (mqtt)
        {
            settings.Mqtt(
                _broker,
                new { Topic = "application/+/device/+/event/+", Qos = "AtLeastOnce", Format = "LoRaWan" },
                new { Topic = "v3/+/devices/+/up", Qos = "AtLeastOnce", Format = "LoRaWan" },
                new { Topic = "trucks/+/pickups", Qos = "AtLeastOnce", Format = "Pickups" });
        }

        return settings.Build();
    }

    /// <summary>The gateway with only its uplink endpoint, on <paramref name="port"/>, once it listens.</summary>
    private static GatewayProcess StartWebhookGateway(int port)
    {
        var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-hook").ExampleRegistry().With("Webhook", new { Enabled = true, Port = port, Secret = WebhookSecret }).Build()).Start();
        gateway.Process.WaitForOutput("Uplink endpoint on", TimeSpan.FromSeconds(30));
        return gateway;
    }

    private void Publish(string topic, string payload)
    {
        using var process = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", payload]) { RedirectStandardError = true })!;
        Assert.True(process.WaitForExit(10_000), "mosquitto_pub did not finish");
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }

    private async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(condition(), $"not seen within 30 s: {what}");
    }

    [Fact]
    public async Task NetworkServerUplinksAndTruckPickups_OverMqtt_LandInInflux_WithoutAChipInClear()
    {
        _influx.CreateDatabase("lora");
        using var gateway = new GatewayProcess(Settings(), new Dictionary<string, string> { ["SENSORS_Pickups__Key"] = PickupKey }).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));

        const string binUp = "application/17c82e96/device/24e124713b249730/event/up";
        Publish(binUp, ChirpStackUp("24e124713b249730", 117, 85, "0175640382B004040000", "2026-11-24T07:31:10.25Z"));
        Publish(binUp, ChirpStackUp("24e124713b249730", 117, 85, "0175640382B004040000", "2026-11-24T07:31:10.25Z")); // heard twice
        Publish("application/17c82e96/device/a840414f61838e52/event/up", ChirpStackUp("a840414f61838e52", 40, 2, "0CE405DC0000D501", "2026-11-24T07:32:00Z"));
        Publish("application/17c82e96/device/24e124713b249730/event/status", """{"time":"2026-11-24T07:00:00Z","deviceInfo":{"devEui":"24e124713b249730"},"margin":7,"batteryLevel":87.5}""");
        Publish("application/17c82e96/device/24e124713b249730/event/join", """{"time":"2026-11-24T06:00:00Z","deviceInfo":{"devEui":"24e124713b249730"},"devAddr":"00fc3d2a"}""");
        Publish("v3/eclairage@ville/devices/lampadaire/up", TtsUp("24e124468c120001", 2042, 85, "0374FC08048014000000058163" + "0683E8030000", "2026-11-24T18:02:03.1Z"));
        Publish("application/17c82e96/device/0000000000000001/event/up", ChirpStackUp("0000000000000001", 1, 85, "017564", "2026-11-24T07:33:00Z"));
        Publish("application/17c82e96/device/0000000000000001/event/up", ChirpStackUp("0000000000000001", 2, 85, "017564", "2026-11-24T07:34:00Z"));
        Publish(binUp, ChirpStackUp("24e124713b249730", 121, 85, "01756499FF", "2026-11-24T08:31:10Z"));
        for (var i = 0; i < 5; i++)
        {
            Publish("trucks/camion-07/pickups", $$"""{"chip_id":"{{Chip}}","time":"2026-11-24T07:40:{{10 + (i * 2)}}Z","truck_id":"camion-07","lat":48.8712,"lon":2.3401,"weight_kg":11.5}""");
        }

        Publish("trucks/camion-07/pickups", $$"""{"chip_id":"{{OtherChip}}","time":"2026-11-24T07:41:30Z","lat":48.85,"lon":2.34}""");
        Publish("trucks/camion-07/pickups", $$"""{"chip_id":"{{Chip}}","time":"2026-11-24T07:4""");

        await WaitFor(() => _influx.Count("lora", "bin_pickup", "count") >= 2 && _influx.Count("lora", "lamp", "power_w") >= 1 && _influx.Count("lora", "bin_fill", "fill_pct") >= 2, "bins, lamp and pickups");

        var bin = Assert.Single(_influx.Query("lora", "SELECT fill_pct, distance_mm, battery_pct FROM bin_fill WHERE bin_id = 'pav-verre-0012' GROUP BY *"));
        Assert.Equal(20.0, bin["fill_pct"].GetDouble());
        Assert.Equal(Ns("2026-11-24T07:31:10.25Z"), bin["time"].GetInt64());
        Assert.Equal("nord", bin["sector"].GetString());
        Assert.Equal("24e124713b249730", bin["device_eui"].GetString());
        var js = Assert.Single(_influx.Query("lora", "SELECT fill_pct, battery_v FROM bin_fill WHERE bin_id = 'pav-papier-0407'"));
        Assert.Equal(16.7, js["fill_pct"].GetDouble());
        var links = _influx.Query("lora", "SELECT rssi_dbm, f_cnt, spreading_factor FROM lorawan_link WHERE device_eui = '24e124713b249730' AND f_cnt = 117 GROUP BY gateway_id");
        Assert.Equal(2, links.Count);
        Assert.Equal(87.5, Assert.Single(_influx.Query("lora", "SELECT battery_pct FROM lorawan_link WHERE device_eui = '24e124713b249730' AND battery_pct > 0"))["battery_pct"].GetDouble());
        var lamp = Assert.Single(_influx.Query("lora", "SELECT voltage_v, power_w, energy_kwh FROM lamp GROUP BY *"));
        Assert.Equal("lp-gare-001", lamp["lamp_id"].GetString());
        Assert.Equal("avenue-de-la-gare", lamp["street"].GetString());
        Assert.Equal(230.0, lamp["voltage_v"].GetDouble());
        Assert.Equal(20.0, lamp["power_w"].GetDouble());
        Assert.Equal(Ns("2026-11-24T18:02:03.1Z"), lamp["time"].GetInt64());
        Assert.Equal("mairie-toit", Assert.Single(_influx.Query("lora", "SELECT rssi_dbm FROM lorawan_link WHERE device_eui = '24e124468c120001' GROUP BY gateway_id"))["gateway_id"].GetString());

        // Five reads of one lift are one pickup; the other bin's position puts it in sector sud.
        var pickups = _influx.Query("lora", "SELECT count, weight_kg FROM bin_pickup GROUP BY *");
        Assert.Equal(2, pickups.Count);
        Assert.Equal(["nord", "sud"], pickups.Select(p => p["sector"].GetString()).Order());
        Assert.All(pickups, p => Assert.Matches("^[0-9a-f]{32}$", p["bin_id"].GetString()!));

        // The chip ids appear nowhere downstream: InfluxDB, the log, the journal and the stores beside it.
        var everything = string.Join('\n', _influx.Query("lora", "SELECT * FROM bin_pickup GROUP BY *").SelectMany(r => r.Values.Select(v => v.ToString())));
        var journalFolder = Path.Combine(Path.GetDirectoryName(gateway.ConfigPath)!, "journal");
        await WaitFor(() => gateway.Output.Contains("is not in the device registry"), "the unknown device said");
        Assert.Equal(0, gateway.Stop());
        var files = string.Join('\n', Directory.GetFiles(journalFolder).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        foreach (var chip in new[] { Chip, OtherChip })
        {
            Assert.DoesNotContain(chip, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(chip, gateway.Output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(chip, files, StringComparison.OrdinalIgnoreCase);
        }

        // What could not be read is kept with its reason, and said: the unknown device once, the bad payload with EUI, port and hex.
        var kept = new Sensors.Journal.UnreadableStore(journalFolder).ReadAll();
        Assert.Equal(2, kept.Count(k => k.Reason.Contains("0000000000000001 is not in the device registry")));
        Assert.Single(kept, k => k.Reason.Contains("fPort 85 payload 01756499FF") && k.Payload is not null);
        Assert.Single(kept, k => k.Source == "mqtt" && k.Topic == "trucks/camion-07/pickups" && k.Payload is null && k.Reason.Contains("not JSON"));
        Assert.Equal(1, CountOf(gateway.Output, "LoRaWAN device 0000000000000001"));
        Assert.Contains("24e124713b249730 (milesight-em310-udl, codec milesight-em310-udl) fPort 85 payload 01756499FF: milesight-em310-udl: unknown channel 0x99", gateway.Output);
    }

    [Fact]
    public async Task HttpIntegration_AnswersOnlyOnceCommitted_AndRefusesAWrongSecret()
    {
        var port = FreePort.Next();
        using var gateway = StartWebhookGateway(port);
        var journalFolder = Path.Combine(Path.GetDirectoryName(gateway.ConfigPath)!, "journal");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        async Task<(HttpStatusCode Status, string Body)> Post(string path, string json, string? secret = WebhookSecret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (secret is not null)
            {
                request.Headers.Add("X-Sensors-Secret", secret);
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var chirp = ChirpStackUp("24e124713b249731", 5, 85, "0175640382DC05040000", "2026-11-24T09:00:00Z");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("/chirpstack?event=up", chirp, secret: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("/chirpstack?event=up", chirp, secret: "guess")).Status);
        Assert.DoesNotContain(Sensors.Journal.Journal.ReadPendingLines(journalFolder), l => Encoding.UTF8.GetString(l).Contains("pav-verre-0013"));

        var answer = await Post("/chirpstack?event=up", chirp);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("3 reading(s) stored", answer.Body);
        // 200 means committed: the reading is in the journal on disk when the answer arrives.
        var line = Assert.Single(Sensors.Journal.Journal.ReadPendingLines(journalFolder).Select(l => Encoding.UTF8.GetString(l)), l => l.StartsWith("bin_fill,", StringComparison.Ordinal));
        Assert.Contains("bin_id=pav-verre-0013", line);
        Assert.Contains("fill_pct=0", line); // 1500 mm of 1500: empty

        Assert.Equal(HttpStatusCode.OK, (await Post("/tts/up", TtsUp("24e124468c120002", 9, 85, "0374E608", "2026-11-24T18:00:00Z"))).Status);
        Assert.Contains(Sensors.Journal.Journal.ReadPendingLines(journalFolder), l => Encoding.UTF8.GetString(l).Contains("lamp_id=lp-gare-002"));
        Assert.Equal(HttpStatusCode.OK, (await Post("/chirpstack?event=join", """{"deviceInfo":{"devEui":"24e124468c120002"}}""")).Status);

        var unknown = await Post("/chirpstack?event=up", ChirpStackUp("0000000000000002", 1, 85, "017564", "2026-11-24T09:00:00Z"));
        Assert.Equal(HttpStatusCode.Accepted, unknown.Status);
        Assert.Contains("not in the device registry", unknown.Body);
        Assert.Equal(HttpStatusCode.Accepted, (await Post("/chirpstack?event=up", "{\"deviceInfo\":")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post("/elsewhere", chirp)).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post("/tts/up", new string(' ', 2 * 1024 * 1024))).Status);
        Assert.Equal(0, gateway.Stop());
        Assert.Equal(2, new Sensors.Journal.UnreadableStore(journalFolder).Count);
    }

    [Fact]
    public async Task SilentAndSecretlessClients_CannotLockTheNetworkServerOut_AndEveryRequestGetsAStatusLine()
    {
        var port = FreePort.Next();
        using var gateway = StartWebhookGateway(port);

        async Task<Socket> Open(string from)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return socket;
        }

        async Task<string> Answer(Socket socket)
        {
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var text = new StringBuilder();
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return text.ToString();
        }

        // 32 clients announce a body and send none, without the secret: each is refused at once, from its headers alone.
        var secretless = new List<Socket>();
        for (var i = 0; i < 32; i++)
        {
            var socket = await Open("127.0.0.2");
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /chirpstack?event=up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
            secretless.Add(socket);
        }

        foreach (var socket in secretless)
        {
            Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", await Answer(socket), StringComparison.Ordinal);
            socket.Dispose();
        }

        // Eight silent connections from one address take its share; a ninth from there is told 503 at once.
        var silent = new List<Socket>();
        for (var i = 0; i < 8; i++)
        {
            silent.Add(await Open("127.0.0.3"));
        }

        using (var ninth = await Open("127.0.0.3"))
        {
            var busy = await Answer(ninth);
            Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", busy, StringComparison.Ordinal);
            Assert.Contains("Retry-After: 5", busy, StringComparison.Ordinal);
        }

        // Meanwhile the network server is served.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chirpstack?event=up") { Content = new StringContent(ChirpStackUp("24e124713b249731", 6, 85, "0175640382DC05040000", "2026-11-24T09:10:00Z"), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Sensors-Secret", WebhookSecret);
        using var stored = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        // The silent ones are answered or closed by the header deadline, never held for ever.
        foreach (var socket in silent)
        {
            var watch = Stopwatch.StartNew();
            await Answer(socket);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"a silent client was held {watch.Elapsed}"); // the header deadline is 5 s; the old body wait was 30 s
            socket.Dispose();
        }
    }

    [Fact]
    public void PickupsWithoutAKey_AreAConfigurationError_ThatSaysHowToMakeOne()
    {
        var settings = Configuration.GatewaySettings.Load(null, new Dictionary<string, string?>
        {
            ["Mqtt:Subscriptions:0:Topic"] = "trucks/+/pickups",
            ["Mqtt:Subscriptions:0:Format"] = "Pickups",
            ["Webhook:Enabled"] = "true",
        });

        Assert.Contains(settings.Errors, e => e.Contains("Pickups:KeyFile is not set") && e.Contains("openssl rand -hex 32"));
        Assert.Contains(settings.Errors, e => e.StartsWith("Webhook: no shared secret", StringComparison.Ordinal));
        Assert.Contains(settings.Errors, e => e.StartsWith("LoRaWan:Registry is not set", StringComparison.Ordinal));
    }

    private static long Ns(string time) => Sensors.Core.UnixNanoseconds.From(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        _broker.Dispose();
        _influx.Dispose();
    }
}
