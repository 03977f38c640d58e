using Sensors.Mqtt;
using Sensors.Gateway.Sources;
using Sensors.Mqtt.Packets;

namespace Sensors.Gateway.Sources.Mqtt;

/// <summary>How a subscription's payloads become readings.</summary>
public enum PayloadFormat
{
    /// <summary>A JSON object; <see cref="MqttSubscriptionOptions.Fields"/> and tags pick values by path ($.co2, $.sensor.id).</summary>
    Json,

    /// <summary>The payload is one number, e.g. "412.5": it becomes the field named in <see cref="MqttSubscriptionOptions.Field"/>.</summary>
    Number,

    /// <summary>A LoRaWAN network server's uplinks (ChirpStack v4 or The Things Stack v3, told by the topic), read through the device registry.</summary>
    LoRaWan,

    /// <summary>RFID reads from the trucks' onboard units: bin pickups, chip ids pseudonymised.</summary>
    Pickups,
}

/// <summary>One subscription of the MQTT source and its mapping to a reading.</summary>
public sealed class MqttSubscriptionOptions
{
    /// <summary>Topic filter, wildcards and $share/group/… allowed.</summary>
    public string Topic { get; set; } = string.Empty;

    public MqttQos Qos { get; set; } = MqttQos.AtLeastOnce;
    public PayloadFormat Format { get; set; } = PayloadFormat.Json;
    public string Measurement { get; set; } = string.Empty;

    /// <summary>Tag name → source: "{topic:2}" (third topic level), "$.path" (JSON), or a literal.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>JSON: field name → "$.path".</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>Number: the field name the value goes to, e.g. co2_ppm.</summary>
    public string Field { get; set; } = string.Empty;

    /// <summary>JSON: "$.path" of the time the device measured (ISO 8601, or Unix seconds/ms/µs/ns); empty means the time received.</summary>
    public string Timestamp { get; set; } = string.Empty;
}

/// <summary>The <c>Mqtt</c> section: the broker and what to take from it.</summary>
public sealed class MqttSourceOptions
{
    public const string Section = "Mqtt";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public MqttProtocolVersion Version { get; set; } = MqttProtocolVersion.V500;

    /// <summary>Stable across restarts, so the broker keeps our session; empty means "sensors-" + the gateway id.</summary>
    public string ClientId { get; set; } = string.Empty;

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>A file holding the password (e.g. a systemd credential), read at start; wins over <see cref="Password"/>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Also subscribe to the broker's own dropped-message counter ($SYS), for /metrics.</summary>
    public bool BrokerStats { get; set; } = true;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker keeps our session, and queues QoS 1/2 messages, while the gateway is away.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    public MqttTlsOptions? Tls { get; set; }

    /// <summary>QoS 1/2 messages in flight towards us before we acknowledge (MQTT 5.0 Receive Maximum).</summary>
    public ushort ReceiveMaximum { get; set; } = 1000;

    /// <summary>
    /// Largest message kept. A larger one is read past on the wire without being held in memory,
    /// acknowledged, and recorded (topic and size, no payload) in the unreadable store.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    public List<MqttSubscriptionOptions> Subscriptions { get; set; } = [];

    public bool IsConfigured => Subscriptions.Count > 0;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsConfigured)
        {
            return errors;
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Mqtt:Host is empty: give the broker's address, e.g. 127.0.0.1.");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"Mqtt:Port = {Port}: expected 1 to 65535 (1883 plain, 8883 TLS).");
        }

        if (MaxMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            errors.Add($"Mqtt:MaxMessageBytes = {MaxMessageBytes}: expected 1024 to 16777216 bytes, e.g. 262144 (a LoRaWAN uplink's envelope is a few KiB).");
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password) && !string.IsNullOrEmpty(Password))
        {
            errors.Add("Mqtt:Password is set without Mqtt:Username.");
        }

        if (Tls is { CaFile: { Length: > 0 } ca } && !File.Exists(ca))
        {
            errors.Add($"Mqtt:Tls:CaFile = '{ca}': no such file.");
        }

        if (Tls is { ClientCertificateFile: { Length: > 0 } cert } && !File.Exists(cert))
        {
            errors.Add($"Mqtt:Tls:ClientCertificateFile = '{cert}': no such file.");
        }

        for (var i = 0; i < Subscriptions.Count; i++)
        {
            var s = Subscriptions[i];
            var key = $"Mqtt:Subscriptions:{i}";
            if (MqttTopic.FilterProblem(s.Topic) is { } problem)
            {
                errors.Add($"{key}:Topic: {problem}.");
            }

            if (s.Format is PayloadFormat.LoRaWan or PayloadFormat.Pickups)
            {
                if (s.Fields.Count > 0 || s.Tags.Count > 0 || !string.IsNullOrEmpty(s.Measurement))
                {
                    errors.Add($"{key}: a {s.Format} subscription takes no Measurement, Tags or Fields: {(s.Format == PayloadFormat.LoRaWan ? "the device registry says what each device measures" : "pickups go to bin_pickup")}.");
                }

                continue;
            }

            if (string.IsNullOrWhiteSpace(s.Measurement))
            {
                errors.Add($"{key}:Measurement is empty: name the measurement the readings go to, e.g. bin_fill.");
            }

            if (s.Format == PayloadFormat.Json && s.Fields.Count == 0)
            {
                errors.Add($"{key}:Fields is empty: map at least one field, e.g. \"fill_pct\": \"$.fill\".");
            }

            if (s.Format == PayloadFormat.Number && string.IsNullOrWhiteSpace(s.Field))
            {
                errors.Add($"{key}:Field is empty: a Number payload needs the field it goes to, e.g. power_w.");
            }

            foreach (var (name, source) in s.Tags)
            {
                if (MqttPayloadReader.TopicLevel(source) is null && source.StartsWith('{'))
                {
                    errors.Add($"{key}:Tags:{name} = '{source}': expected {{topic:N}} (N counts topic levels from 0), a $.path, or a literal.");
                }
            }
        }

        return errors;
    }
}
