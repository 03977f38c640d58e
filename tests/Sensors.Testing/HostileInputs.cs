using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Sensors.Testing;

/// <summary>The message formats the gateway reads from the field.</summary>
public enum HostileFormat
{
    /// <summary>A JSON mapping of an MQTT subscription (fields, tags and the time from JSON paths).</summary>
    Json,

    /// <summary>ChirpStack v4 uplink events (MQTT, or its HTTP integration).</summary>
    ChirpStack,

    /// <summary>The Things Stack v3 uplink messages (MQTT, or a webhook).</summary>
    TheThingsStack,

    /// <summary>RFID reads from the trucks.</summary>
    Pickups,
}

/// <summary>One message to send: what kind of trouble it carries, where it goes, its bytes.</summary>
public sealed record HostileMessage(string Kind, HostileFormat Format, string Topic, byte[] Payload);

/// <summary>
/// Generates what the field sends, seeded and so reproducible: for each format, a valid message
/// from a device of its own (so that what still reads lands apart from the canaries), spoiled in
/// one of <see cref="Kinds"/> at a random place, and the canaries, valid messages from another
/// device that must land. Each canary is a point of its own (its own time, or its own bin), so
/// InfluxDB's count of them is exact.
/// </summary>
public sealed class HostileInputs(int seed)
{
    /// <summary>The kinds of trouble, each drawn at random places and with random values.</summary>
    public static readonly string[] Kinds =
    [
        "invalid-utf8", "deep-nesting", "huge-number", "tiny-number", "nan-infinity", "wrong-type", "empty", "binary",
        "huge-string", "bad-time", "oversize", "truncated", "flipped-bytes", "not-an-object", "unknown-device",
    ];

    public const string CanaryBinDevice = "24e124713b249730";
    public const string HostileBinDevice = "a840414f61838e52";
    public const string CanaryLampDevice = "24e124468c120001";
    public const string HostileLampDevice = "24e124468c120002";
    public const string CanaryTruck = "camion-canary";

    /// <summary>Over the gateway's Mqtt:MaxMessageBytes and Webhook:MaxBodyBytes as the suite sets them.</summary>
    public const int OversizeBytes = 300 * 1024;

    private static readonly string[] InvalidUtf8 = ["C328", "FF", "C0AF", "EDA080", "F8888080", "E282", "80", "F4908080"];
    private static readonly string[] HugeNumbers = ["1e308", "-1e308", "1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "4294967296", "1.7976931348623157e309"];
    private static readonly string[] TinyNumbers = ["1e-400", "-0", "5e-324", "-1e-320", "0.0000000000000000000000000000001"];
    private static readonly string[] NotNumbers = ["NaN", "Infinity", "-Infinity", "nan", "+1", "0x1F", "01", "1.", ".5"];
    private static readonly string[] WrongTypes = ["true", "null", "{}", "[]", "\"\"", "\"12\"", "[1,2]", "{\"a\":1}", "false", "0", "-1"];
    private static readonly string[] NotObjects = ["[1,2,3]", "\"text\"", "42", "null", "true", "[]", "[{}]"];

    private readonly Random _random = new(seed);
    private readonly DateTimeOffset _base = DateTimeOffset.UtcNow.AddHours(-2);

    /// <summary>The valid message of the canary device, the n-th of its format on this transport (<paramref name="http"/>: a range of frame counters of its own).</summary>
    public HostileMessage Canary(HostileFormat format, int n, bool http = false)
    {
        var at = _base.AddMilliseconds((http ? 3_000_000 : 0) + (n * 10L));
        var fCnt = (uint)((http ? 1_000_000 : 0) + n);
        return format switch
        {
            HostileFormat.Json => new("canary", format, "suite/canary/co2", Utf8(Json("canary-1", 400 + (n % 1000), at).ToJsonString())),
            HostileFormat.ChirpStack => new("canary", format, $"application/suite/device/{CanaryBinDevice}/event/up", Utf8(ChirpStack(CanaryBinDevice, fCnt, 85, "0175640382B004040000", at).ToJsonString())),
            HostileFormat.TheThingsStack => new("canary", format, "v3/suite@ville/devices/lampadaire/up", Utf8(Tts(CanaryLampDevice, fCnt, at).ToJsonString())),
            _ => new("canary", format, $"trucks/{CanaryTruck}/pickups", Utf8(Pickup($"CANARY{(http ? 1 : 0)}{n:D10}", CanaryTruck, at).ToJsonString())),
        };
    }

    /// <summary>A message of <paramref name="format"/> spoiled as <paramref name="kind"/> says.</summary>
    public HostileMessage Next(HostileFormat format, string kind)
    {
        var at = _base.AddSeconds(_random.Next(3600));
        var (topic, template, timePaths) = format switch
        {
            HostileFormat.Json => ("suite/hostile/co2", (JsonNode)Json("s-h", 612, at), new[] { "time" }),
            HostileFormat.ChirpStack => ($"application/suite/device/{HostileBinDevice}/event/up", ChirpStack(HostileBinDevice, (uint)_random.Next(1, 1 << 20), 2, "0CE405DC0000D501", at), ["time"]),
            HostileFormat.TheThingsStack => ("v3/suite@ville/devices/lampadaire-2/up", Tts(HostileLampDevice, (uint)_random.Next(1, 1 << 20), at), ["received_at", "uplink_message.received_at"]),
            _ => ("trucks/camion-07/pickups", Pickup($"E2000017{_random.Next():X8}", "camion-07", at), ["time"]),
        };

        byte[] payload = kind switch
        {
            "invalid-utf8" => InsertBytes(Utf8(template.ToJsonString()), Pick(InvalidUtf8)),
            "deep-nesting" => Replace(template, RandomLeaf(template), Nested(Pick([65, 1000, 20_000]))),
            "huge-number" => Replace(template, RandomLeaf(template), Pick(HugeNumbers)),
            "tiny-number" => Replace(template, RandomLeaf(template), Pick(TinyNumbers)),
            "nan-infinity" => Replace(template, RandomLeaf(template), Pick(NotNumbers)),
            "wrong-type" => Replace(template, RandomLeaf(template), Pick(WrongTypes)),
            "empty" => [],
            "binary" => RandomBytes(_random.Next(1, 300)),
            "huge-string" => Replace(template, RandomLeaf(template), "\"" + new string((char)('a' + _random.Next(26)), Pick([70_000, 120_000, 200_000])) + "\""),
            "bad-time" => Replace(template, Pick(timePaths), BadTime()),
            "oversize" => Utf8(template.ToJsonString().Insert(1, "\"padding\":\"" + new string('x', OversizeBytes) + "\",")),
            "truncated" => Utf8(template.ToJsonString()) is var whole ? whole[..(_random.Next(whole.Length))] : [],
            "flipped-bytes" => Flip(Utf8(template.ToJsonString()), _random.Next(1, 6)),
            "not-an-object" => Utf8(Pick(NotObjects)),
            "unknown-device" => Utf8(template.ToJsonString().Replace(HostileBinDevice, $"{_random.NextInt64():x16}", StringComparison.Ordinal).Replace(HostileLampDevice.ToUpperInvariant(), $"{_random.NextInt64():X16}", StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind of trouble"),
        };
        return new HostileMessage(kind, format, topic, payload);
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private string BadTime() => Pick(
    [
        "1e30", "-1", "0", "\"2610-01-01T00:00:00Z\"", "99999999999999999999", "\"yesterday\"", "\"0001-01-01T00:00:00Z\"",
        "\"9999-12-31T23:59:59Z\"", "\"1970-01-01T00:00:00Z\"", $"\"{DateTimeOffset.UtcNow.AddDays(3):O}\"", "\"2026-13-45T99:00:00Z\"", "1e17", "-1e30",
    ]);

    // ------------------------------------------------------------------ templates

    private static JsonObject Json(string id, int co2, DateTimeOffset at) => new()
    {
        ["id"] = id,
        ["co2"] = co2,
        ["time"] = at.ToString("O", CultureInfo.InvariantCulture),
    };

    private static JsonObject ChirpStack(string devEui, uint fCnt, int fPort, string hex, DateTimeOffset at) => new()
    {
        ["deduplicationId"] = Guid.NewGuid().ToString(),
        ["time"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["deviceInfo"] = new JsonObject { ["tenantName"] = "Ville", ["applicationId"] = "17c82e96-be03-4f38-aef3-f83d48582d97", ["applicationName"] = "dechets", ["deviceName"] = "dev", ["devEui"] = devEui },
        ["devAddr"] = "00fc3d2a",
        ["adr"] = true,
        ["dr"] = 5,
        ["fCnt"] = fCnt,
        ["fPort"] = fPort,
        ["data"] = Convert.ToBase64String(Convert.FromHexString(hex)),
        ["rxInfo"] = new JsonArray(new JsonObject { ["gatewayId"] = "0016c001ff1a3b2c", ["uplinkId"] = 4021, ["rssi"] = -97, ["snr"] = 7.5, ["crcStatus"] = "CRC_OK" }),
        ["txInfo"] = new JsonObject { ["frequency"] = 868500000, ["modulation"] = new JsonObject { ["lora"] = new JsonObject { ["bandwidth"] = 125000, ["spreadingFactor"] = 9, ["codeRate"] = "CR_4_5" } } },
    };

    private static JsonObject Tts(string devEui, uint fCnt, DateTimeOffset at) => new()
    {
        ["end_device_ids"] = new JsonObject { ["device_id"] = "lampadaire", ["application_ids"] = new JsonObject { ["application_id"] = "eclairage" }, ["dev_eui"] = devEui.ToUpperInvariant() },
        ["received_at"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["uplink_message"] = new JsonObject
        {
            ["f_port"] = 85,
            ["f_cnt"] = fCnt,
            ["frm_payload"] = Convert.ToBase64String(Convert.FromHexString("0374FC080480140000000581630683E8030000")),
            ["rx_metadata"] = new JsonArray(new JsonObject { ["gateway_ids"] = new JsonObject { ["gateway_id"] = "mairie-toit", ["eui"] = "B827EBFFFE123456" }, ["rssi"] = -110, ["snr"] = -4.25 }),
            ["settings"] = new JsonObject { ["data_rate"] = new JsonObject { ["lora"] = new JsonObject { ["bandwidth"] = 125000, ["spreading_factor"] = 10 } }, ["frequency"] = "867300000" },
            ["received_at"] = at.ToString("O", CultureInfo.InvariantCulture),
        },
    };

    private static JsonObject Pickup(string chip, string truck, DateTimeOffset at) => new()
    {
        ["chip_id"] = chip,
        ["time"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["truck_id"] = truck,
        ["lat"] = 48.8712,
        ["lon"] = 2.3401,
        ["weight_kg"] = 11.5,
    };

    // ------------------------------------------------------------------ spoiling

    /// <summary>The dotted path of a random leaf (a value that is not an object or array).</summary>
    private string RandomLeaf(JsonNode root)
    {
        var leaves = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj)
                    {
                        Walk(child, path.Length == 0 ? name : $"{path}.{name}");
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], $"{path}[{i}]");
                    }

                    break;
                default:
                    leaves.Add(path);
                    break;
            }
        }

        Walk(root, string.Empty);
        return Pick(leaves.ToArray());
    }

    /// <summary>The template with the value at <paramref name="path"/> replaced by raw text (valid JSON or not).</summary>
    private static byte[] Replace(JsonNode template, string path, string raw)
    {
        const string Marker = "\u0001HOSTILE\u0001";
        var copy = template.DeepClone();
        var (parent, key, index) = Locate(copy, path);
        if (index is { } i)
        {
            parent.AsArray()[i] = Marker;
        }
        else
        {
            parent.AsObject()[key!] = Marker;
        }

        return Utf8(copy.ToJsonString().Replace("\"\\u0001HOSTILE\\u0001\"", raw, StringComparison.Ordinal));
    }

    private static (JsonNode Parent, string? Key, int? Index) Locate(JsonNode root, string path)
    {
        var node = root;
        var parts = path.Split('.');
        for (var p = 0; p < parts.Length; p++)
        {
            var part = parts[p];
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket >= 0 ? part[..bracket] : part;
            var last = p == parts.Length - 1;
            if (bracket < 0)
            {
                if (last)
                {
                    return (node, name, null);
                }

                node = node[name]!;
                continue;
            }

            var index = int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture);
            node = node[name]!;
            if (last)
            {
                return (node, null, index);
            }

            node = node[index]!;
        }

        throw new ArgumentException(path);
    }

    private byte[] InsertBytes(byte[] bytes, string hex)
    {
        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. Convert.FromHexString(hex), .. bytes[at..]];
    }

    private byte[] Flip(byte[] bytes, int count)
    {
        for (var i = 0; i < count && bytes.Length > 0; i++)
        {
            bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return bytes;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
