using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;

namespace Sensors.Testing;

/// <summary>How a run of the hostile-input suite is made: the gateway's MQTT version, how many rounds (each: every kind of trouble for every format, each followed by a canary), the seed.</summary>
public sealed record HostileSuiteOptions(MqttProtocolVersion Version, int Rounds, int Seed, bool Http = true)
{
    /// <summary>How long the canaries of one round may take to land.</summary>
    public TimeSpan CanaryDeadline { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What a run saw: messages sent per kind, canaries, the gateway's counts, and the two equations.</summary>
public sealed class HostileSuiteResult
{
    public Dictionary<string, int> SentByKind { get; } = [];
    public int MqttSent { get; set; }
    public int HttpSent { get; set; }
    public Dictionary<int, int> HttpAnswers { get; } = [];
    public int CanariesSent { get; set; }
    public long CanariesLanded { get; set; }
    public TimeSpan SlowestRound { get; set; }
    public TimeSpan Elapsed { get; set; }
    public Dictionary<string, double> Metrics { get; set; } = [];
    public string GatewayOutput { get; set; } = string.Empty;

    /// <summary>The gateway's unreadable store (JSON lines: time, source, topic, reason, payload), read at the end.</summary>
    public IReadOnlyList<string> Unreadable { get; set; } = [];

    public double Metric(string key) => Metrics.TryGetValue(key, out var value) ? value : 0;

    /// <summary>The sum of a metric over its label sets whose text holds <paramref name="labelPart"/>.</summary>
    public double Sum(string name, string labelPart = "") =>
        Metrics.Where(m => (m.Key == name || m.Key.StartsWith(name + "{", StringComparison.Ordinal)) && m.Key.Contains(labelPart, StringComparison.Ordinal)).Sum(m => m.Value);

    public double SourceRestarts => Sum("sensors_source_restarts_total");

    /// <summary>Messages: received = read (their readings committed or refused for their time) + set aside, per source; over HTTP the refused-at-the-door too.</summary>
    public (double Received, double Read, double SetAside, double Refused) Messages =>
        (Metric("sensors_mqtt_messages_received_total") + Sum("sensors_webhook_requests_total"),
         Sum("sensors_messages_read_total"),
         Sum("sensors_messages_unreadable_total"),
         Sum("sensors_webhook_requests_total") - Metric("sensors_webhook_requests_total{status=\"200\"}") - Metric("sensors_webhook_requests_total{status=\"202\"}"));

    /// <summary>Readings: given by the read messages = taken in by the pipeline from those sources; taken in from every source = delivered + dead-lettered + dropped + refused for their time + still waiting.</summary>
    public (double Given, double TakenIn, double AllTakenIn, double Delivered, double DeadLettered, double Dropped, double RefusedForTime, double Pending) Readings =>
        (Sum("sensors_message_readings_total"),
         Metric("sensors_readings_received_total{source=\"mqtt\"}") + Metric("sensors_readings_received_total{source=\"webhook\"}"),
         Sum("sensors_readings_received_total"),
         Metric("sensors_readings_delivered_total"),
         Metric("sensors_readings_dead_lettered_total"),
         Sum("sensors_readings_dropped_total"),
         Sum("sensors_clock_refused_readings_total"),
         Metric("sensors_journal_pending_readings"));

    public override string ToString()
    {
        var m = Messages;
        var r = Readings;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"messages sent: {MqttSent} over MQTT, {HttpSent} over HTTP, in {Elapsed.TotalSeconds:0.0} s; kinds: {string.Join(", ", SentByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"canaries: {CanariesLanded} landed of {CanariesSent} sent; slowest round's canaries landed {SlowestRound.TotalSeconds:0.0} s after its last message");
        text.AppendLine(CultureInfo.InvariantCulture, $"HTTP answers: {string.Join(", ", HttpAnswers.OrderBy(a => a.Key).Select(a => $"{a.Key} x{a.Value}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"source restarts: {SourceRestarts}");
        text.AppendLine(CultureInfo.InvariantCulture, $"messages: received {m.Received} = read {m.Read} + set aside {m.SetAside} + refused at the door {m.Refused}");
        text.AppendLine(CultureInfo.InvariantCulture, $"readings: given by the read messages {r.Given} = taken in from MQTT and HTTP {r.TakenIn}");
        text.Append(CultureInfo.InvariantCulture, $"readings: taken in from all sources {r.AllTakenIn} = delivered {r.Delivered} + dead-lettered {r.DeadLettered} + dropped {r.Dropped} + refused for their time {r.RefusedForTime} + waiting {r.Pending}");
        return text.ToString();
    }
}

/// <summary>
/// The hostile-input suite through the real process: a gateway with a JSON mapping, ChirpStack and
/// The Things Stack over MQTT and HTTP, and truck pickups, fed every kind of trouble
/// (<see cref="HostileInputs"/>) by a field publisher on a real Mosquitto and by HTTP posts, each
/// message followed by a canary that must land in a real InfluxDB. Used by the test (a few seeded
/// rounds) and by the benchmark (≥ 100,000 messages).
/// </summary>
public static class HostileSuite
{
    public const string PickupKey = "5b0e8c3f2a9d71e6c4b8a0f3d2e1c7b9a6f5e4d3c2b1a09f8e7d6c5b4a392817";
    public const string Secret = "suite-secret-0123456789abcdef";
    private static readonly HostileFormat[] Formats = Enum.GetValues<HostileFormat>();

    public static async Task<HostileSuiteResult> RunAsync(HostileSuiteOptions options, Action<string>? progress = null)
    {
        using var influx = new InfluxServer();
        using var broker = new MosquittoServer(extraConfig: "sys_interval 1\n");
        influx.CreateDatabase("suite");
        var webhookPort = FreePort.Next();
        var settings = new GatewaySettingsBuilder("gw-suite")
            .With("Gateway", new { ReportInterval = "00:00:05" })
            .Influx(influx, "suite")
            .ExampleRegistry()
            .With("Webhook", new { Enabled = options.Http, Port = webhookPort, Secret, MaxBodyBytes = 256 * 1024 })
            .Mqtt(
                broker,
                JsonMapping("suite/canary/co2", "suite_air"),
                JsonMapping("suite/hostile/co2", "suite_hostile"), // apart: a hostile string field must not fix the canaries' field type
                new { Topic = "application/+/device/+/event/+", Qos = "AtLeastOnce", Format = "LoRaWan" },
                new { Topic = "v3/+/devices/+/up", Qos = "AtLeastOnce", Format = "LoRaWan" },
                new { Topic = "trucks/+/pickups", Qos = "AtLeastOnce", Format = "Pickups" })
            .With("Mqtt", new { Version = options.Version.ToString(), MaxMessageBytes = 256 * 1024 })
            .Build();

        using var gateway = new GatewayProcess(settings, new Dictionary<string, string> { ["SENSORS_Pickups__Key"] = PickupKey }).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));
        if (options.Http)
        {
            gateway.Process.WaitForOutput("Uplink endpoint on", TimeSpan.FromSeconds(30));
        }

        var result = new HostileSuiteResult();
        var inputs = new HostileInputs(options.Seed);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var webhook = new Uri($"http://127.0.0.1:{webhookPort}/");
        await using var field = new MqttClient(new MqttClientOptions { Port = broker.Port, Version = options.Version, ClientId = "suite-field", CleanStart = true });
        await field.ConnectAsync();
        var canaries = Formats.ToDictionary(f => f, _ => 0);
        var httpCanaries = Formats.ToDictionary(f => f, _ => 0);
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var format in Formats)
            {
                foreach (var kind in HostileInputs.Kinds)
                {
                    var hostile = inputs.Next(format, kind);
                    await field.PublishAsync(hostile.Topic, hostile.Payload);
                    var canary = inputs.Canary(format, canaries[format]++);
                    await field.PublishAsync(canary.Topic, canary.Payload);
                    result.MqttSent += 2;
                    Count(result.SentByKind, $"{kind}");
                    if (options.Http && format is HostileFormat.ChirpStack or HostileFormat.TheThingsStack)
                    {
                        await PostAsync(http, webhook, inputs.Next(format, kind), result);
                        await PostAsync(http, webhook, inputs.Canary(format, httpCanaries[format]++, http: true), result);
                        result.HttpSent += 2;
                        Count(result.SentByKind, $"{kind}");
                    }
                }
            }

            result.CanariesSent = canaries.Values.Sum() + httpCanaries.Values.Sum();
            var roundEnd = Stopwatch.StartNew();
            result.CanariesLanded = await WaitForAsync(() => CanariesLanded(influx), n => n >= result.CanariesSent, options.CanaryDeadline);
            result.SlowestRound = roundEnd.Elapsed > result.SlowestRound ? roundEnd.Elapsed : result.SlowestRound;
            if (result.CanariesLanded < result.CanariesSent)
            {
                break; // said by the caller's assertion, with the figures
            }

            progress?.Invoke($"round {round + 1}/{options.Rounds}: {result.MqttSent + result.HttpSent} messages, {result.CanariesLanded} canaries landed");
        }

        result.Elapsed = watch.Elapsed;

        // Everything settled: the journal empty and the counts still.
        var metricsUrl = new Uri(gateway.HttpUrl, "metrics");
        result.Metrics = await WaitForAsync(
            () => ReadMetricsAsync(http, metricsUrl),
            m => m.GetValueOrDefault("sensors_journal_pending_readings", -1) == 0
                && m.GetValueOrDefault("sensors_mqtt_messages_received_total") >= result.MqttSent
                && m.Where(p => p.Key.StartsWith("sensors_webhook_requests_total", StringComparison.Ordinal)).Sum(p => p.Value) >= result.HttpSent,
            TimeSpan.FromSeconds(60));
        result.GatewayOutput = gateway.Output;
        var store = Path.Combine(Path.GetDirectoryName(gateway.ConfigPath)!, "journal", "unreadable-messages.jsonl");
        result.Unreadable = File.Exists(store) ? File.ReadAllLines(store) : [];
        return result;
    }

    /// <summary>Canaries in InfluxDB: each is a point of its own (its own time, or its own bin).</summary>
    public static long CanariesLanded(InfluxServer influx) =>
        Count(influx, "SELECT count(co2_ppm) FROM suite_air WHERE room = 'canary'")
        + Count(influx, $"SELECT count(fill_pct) FROM bin_fill WHERE device_eui = '{HostileInputs.CanaryBinDevice}'")
        + Count(influx, $"SELECT count(power_w) FROM lamp WHERE device_eui = '{HostileInputs.CanaryLampDevice}'")
        + Count(influx, $"SELECT count(\"count\") FROM bin_pickup WHERE truck_id = '{HostileInputs.CanaryTruck}'");

    private static long Count(InfluxServer influx, string query)
    {
        var rows = influx.Query("suite", query);
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    private static object JsonMapping(string topic, string measurement) => new
    {
        Topic = topic,
        Qos = "AtLeastOnce",
        Measurement = measurement,
        Tags = new Dictionary<string, string> { ["site"] = "suite", ["room"] = "{topic:1}", ["sensor_id"] = "$.id" },
        Fields = new Dictionary<string, string> { ["co2_ppm"] = "$.co2" },
        Timestamp = "$.time",
    };

    private static async Task PostAsync(HttpClient http, Uri webhook, HostileMessage message, HostileSuiteResult result)
    {
        var path = message.Format == HostileFormat.ChirpStack ? "chirpstack?event=up" : "tts/up";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(webhook, path)) { Content = new ByteArrayContent(message.Payload) };
        request.Headers.Add("X-Sensors-Secret", Secret);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var answer = await http.SendAsync(request);
        var status = (int)answer.StatusCode;
        result.HttpAnswers[status] = result.HttpAnswers.GetValueOrDefault(status) + 1;
    }

    public static async Task<Dictionary<string, double>> ReadMetricsAsync(HttpClient http, Uri url)
    {
        var text = await http.GetStringAsync(url);
        return text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => (Key: line[..line.LastIndexOf(' ')], Value: double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Key, p => p.Value);
    }

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout) =>
        await WaitForAsync(() => Task.FromResult(read()), done, timeout);

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            T last;
            try
            {
                last = await read();
            }
            catch (HttpRequestException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(100);
                continue;
            }

            if (done(last) || deadline.Elapsed >= timeout)
            {
                return last;
            }

            await Task.Delay(100);
        }
    }

    private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
