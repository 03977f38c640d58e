using System.Globalization;
using System.Text.Json;
using Sensors.Core;

namespace Sensors.LoRaWan;

/// <summary>Which network server wrapped the uplink.</summary>
public enum NetworkServer
{
    ChirpStack,
    TheThingsStack,
}

/// <summary>One LoRa gateway that heard the uplink.</summary>
public sealed record RadioReception(string GatewayId, double? RssiDbm, double? SnrDb);

/// <summary>
/// An uplink as the network server delivered it, whatever its envelope: the device, the frame
/// counter and port, the application payload, the server's own decoded object if it has one,
/// when the network server received it, and who heard it at which signal.
/// </summary>
public sealed record Uplink(
    NetworkServer Server,
    string DevEui,
    string? DeviceName,
    uint FCnt,
    int FPort,
    byte[] Payload,
    JsonElement? Decoded,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<RadioReception> Receptions,
    int? SpreadingFactor,
    long? FrequencyHz,
    string? DeduplicationId);

/// <summary>A device status report (ChirpStack's status event): its battery, as a percentage, when it has one.</summary>
public sealed record DeviceStatus(NetworkServer Server, string DevEui, DateTimeOffset ReceivedAt, double? BatteryPct, int? MarginDb, bool ExternalPower);

/// <summary>An envelope that cannot be read, with the topic and what is missing or wrong.</summary>
public sealed class EnvelopeException(string message) : Exception(message);

/// <summary>
/// Reads the JSON the network servers publish, from their real messages (the documented examples
/// are incomplete, and protobuf's JSON mapping leaves out every field at its default: an fCnt
/// of 0, an fPort of 0, an snr of 0 are simply absent). Required: the device EUI and, for an
/// uplink, the payload or a decoded object. Everything else is optional and read when present.
/// Topics: ChirpStack v4 <c>application/{id}/device/{devEui}/event/{up|status|join}</c>;
/// The Things Stack v3 <c>v3/{app}@{tenant}/devices/{id}/up</c>.
/// </summary>
public static class Envelopes
{
    /// <summary>What a topic carries, or null when it is no network-server topic we read.</summary>
    public static (NetworkServer Server, string Event)? Classify(string topic)
    {
        var levels = topic.Split('/');
        if (levels.Length == 6 && levels[0] == "application" && levels[2] == "device" && levels[4] == "event")
        {
            return (NetworkServer.ChirpStack, levels[5]);
        }

        if (levels.Length == 5 && levels[0] == "v3" && levels[2] == "devices")
        {
            return (NetworkServer.TheThingsStack, levels[4]);
        }

        return null;
    }

    /// <summary>An uplink published on MQTT; the topic says which server wrapped it.</summary>
    public static Uplink ReadUplink(string topic, ReadOnlySpan<byte> json, DateTimeOffset receivedByUs)
    {
        var kind = Classify(topic) ?? throw new EnvelopeException($"'{topic}' is neither a ChirpStack v4 (application/…/device/…/event/up) nor a The Things Stack v3 (v3/…/devices/…/up) topic.");
        return ReadUplink(kind.Server, json, receivedByUs, topic);
    }

    /// <summary>
    /// An uplink from <paramref name="server"/>, however it came (MQTT, ChirpStack's HTTP
    /// integration, a The Things Stack webhook); <paramref name="where"/> names it in errors (the
    /// topic, or the HTTP path). A ChirpStack topic also gives the device EUI when the body does not.
    /// </summary>
    public static Uplink ReadUplink(NetworkServer server, ReadOnlySpan<byte> json, DateTimeOffset receivedByUs, string where)
    {
        using var document = Parse(where, json);
        var root = document.RootElement;
        return server == NetworkServer.ChirpStack ? ChirpStackUplink(where, root, receivedByUs) : TtsUplink(where, root, receivedByUs);
    }

    /// <summary>A ChirpStack status event (battery, margin), from MQTT or HTTP.</summary>
    public static DeviceStatus ReadStatus(string where, ReadOnlySpan<byte> json, DateTimeOffset receivedByUs)
    {
        using var document = Parse(where, json);
        var root = document.RootElement;
        var devEui = Eui(String(root, "deviceInfo", "devEui") ?? TopicEui(where), where, "deviceInfo.devEui");
        var unavailable = Bool(root, "batteryLevelUnavailable") ?? false;
        return new DeviceStatus(
            NetworkServer.ChirpStack,
            devEui,
            Time(root, "time") ?? receivedByUs,
            unavailable ? null : Number(root, "batteryLevel"),
            (int?)Number(root, "margin"),
            Bool(root, "externalPowerSource") ?? false);
    }

    private static Uplink ChirpStackUplink(string topic, JsonElement root, DateTimeOffset receivedByUs)
    {
        var devEui = Eui(String(root, "deviceInfo", "devEui") ?? TopicEui(topic), topic, "deviceInfo.devEui");
        var receptions = new List<RadioReception>();
        DateTimeOffset? heard = null;
        if (root.TryGetProperty("rxInfo", out var rxInfo) && rxInfo.ValueKind == JsonValueKind.Array)
        {
            foreach (var rx in rxInfo.EnumerateArray())
            {
                receptions.Add(new RadioReception(String(rx, "gatewayId") ?? "unknown", Number(rx, "rssi"), Number(rx, "snr") ?? (rx.TryGetProperty("rssi", out _) ? 0 : null)));
                heard ??= Time(rx, "nsTime") ?? Time(rx, "time");
            }
        }

        var fPort = (int)(Number(root, "fPort") ?? 0);
        var decoded = Decoded(root, "object");
        return new Uplink(
            NetworkServer.ChirpStack,
            devEui,
            String(root, "deviceInfo", "deviceName"),
            (uint)(Number(root, "fCnt") ?? 0),
            fPort,
            Payload(root, "data", topic, devEui, decoded, fPort),
            decoded,
            Time(root, "time") ?? heard ?? receivedByUs,
            receptions,
            (int?)Number(root, "txInfo", "modulation", "lora", "spreadingFactor"),
            (long?)Number(root, "txInfo", "frequency"),
            String(root, "deduplicationId"));
    }

    private static Uplink TtsUplink(string topic, JsonElement root, DateTimeOffset receivedByUs)
    {
        var devEui = Eui(String(root, "end_device_ids", "dev_eui"), topic, "end_device_ids.dev_eui");
        if (!root.TryGetProperty("uplink_message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            throw new EnvelopeException($"'{topic}': no uplink_message in the message from device {devEui}.");
        }

        var receptions = new List<RadioReception>();
        if (message.TryGetProperty("rx_metadata", out var rxMetadata) && rxMetadata.ValueKind == JsonValueKind.Array)
        {
            foreach (var rx in rxMetadata.EnumerateArray())
            {
                receptions.Add(new RadioReception(String(rx, "gateway_ids", "gateway_id") ?? String(rx, "gateway_ids", "eui") ?? "unknown", Number(rx, "rssi") ?? Number(rx, "channel_rssi"), Number(rx, "snr")));
            }
        }

        var decoded = Decoded(message, "decoded_payload");
        var fPort = (int)(Number(message, "f_port") ?? 0);
        return new Uplink(
            NetworkServer.TheThingsStack,
            devEui,
            String(root, "end_device_ids", "device_id"),
            (uint)(Number(message, "f_cnt") ?? 0),
            fPort,
            Payload(message, "frm_payload", topic, devEui, decoded, fPort),
            decoded,
            Time(message, "received_at") ?? Time(root, "received_at") ?? receivedByUs,
            receptions,
            (int?)Number(message, "settings", "data_rate", "lora", "spreading_factor"),
            Number(message, "settings", "frequency") is { } f ? (long)f : null,
            null);
    }

    private static JsonDocument Parse(string topic, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException error)
        {
            throw new EnvelopeException($"'{topic}': not JSON ({error.Message.Split('.')[0]}).");
        }
    }

    /// <summary>The payload bytes; missing is fine for a MAC-only uplink (port 0) or when the server decoded it, else an error.</summary>
    private static byte[] Payload(JsonElement parent, string name, string topic, string devEui, JsonElement? decoded, int fPort)
    {
        if (!parent.TryGetProperty(name, out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return decoded is not null || fPort == 0
                ? []
                : throw new EnvelopeException($"'{topic}': device {devEui} sent neither {name} (the payload, base64) nor a decoded object on port {fPort}; nothing to read.");
        }

        try
        {
            return data.GetBytesFromBase64();
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException)
        {
            throw new EnvelopeException($"'{topic}': {name} of device {devEui} is not base64: '{Excerpt(data.ToString())}'.");
        }
    }

    private static JsonElement? Decoded(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;

    private static string Eui(string? value, string topic, string field)
    {
        if (value is null)
        {
            throw new EnvelopeException($"'{topic}': the device EUI is missing ({field}); cannot tell which device sent it.");
        }

        return Registry.DeviceRegistry.NormaliseEui(value) ?? throw new EnvelopeException($"'{topic}': {field} = '{Excerpt(value)}' is not a 16-hex-digit EUI-64.");
    }

    /// <summary>The device EUI level of a ChirpStack topic (application/{id}/device/{devEui}/event/…), or null.</summary>
    private static string? TopicEui(string topic)
    {
        var levels = topic.Split('/');
        return levels.Length == 6 && levels[0] == "application" && levels[2] == "device" ? levels[3] : null;
    }

    private static JsonElement? Path(JsonElement element, string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element;
    }

    private static string? String(JsonElement root, params string[] path) =>
        Path(root, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static double? Number(JsonElement root, params string[] path) => Path(root, path) switch
    {
        { ValueKind: JsonValueKind.Number } value => value.GetDouble(),
        { ValueKind: JsonValueKind.String } value when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static bool? Bool(JsonElement root, params string[] path) =>
        Path(root, path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    private static DateTimeOffset? Time(JsonElement root, params string[] path) =>
        String(root, path) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && UnixNanoseconds.InRange(time) ? time : null;

    private static string Excerpt(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
