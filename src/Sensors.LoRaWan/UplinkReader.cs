using Sensors.Core;
using Sensors.LoRaWan.Codecs;
using Sensors.LoRaWan.Registry;

namespace Sensors.LoRaWan;

/// <summary>What became of an uplink.</summary>
public enum UplinkOutcome
{
    /// <summary>Decoded into readings.</summary>
    Decoded,

    /// <summary>The same uplink again (several LoRa gateways, a server's retry, both the MQTT and the HTTP path): counted once, nothing written.</summary>
    Duplicate,

    /// <summary>A device the registry does not know: set aside until it is registered.</summary>
    UnknownDevice,
}

/// <summary>The readings of one uplink, and whether this is the first time an unknown device was heard (to log it once).</summary>
public sealed record UplinkResult(UplinkOutcome Outcome, IReadOnlyList<Reading> Readings, bool FirstTimeUnknown = false);

/// <summary>An uplink whose payload the device's codec cannot read: the device, port and payload in hex, and why.</summary>
public sealed class UplinkException(string message) : Exception(message);

/// <summary>
/// One uplink → readings: find the device in the registry, count its frame once, decode the
/// payload with its type's codec, add what the registry knows (site, asset, the bin's depth
/// turning a distance into a fill %), and describe the radio link (<c>lorawan_link</c>, one per
/// LoRa gateway that heard it). Readings keep the network server's receive time, or the device's
/// own time for history frames. Pure apart from the frame counters it keeps; thread-safe.
/// </summary>
public sealed class UplinkReader(Func<DeviceRegistry> registry)
{
    private const int MaxRememberedUnknown = 10_000;

    private readonly HashSet<string> _unknown = new(StringComparer.Ordinal);
    private long _decoded;
    private long _unknownUplinks;
    private long _unreadable;

    public FrameCounters Frames { get; } = new();

    public long Decoded => Interlocked.Read(ref _decoded);

    public long UnknownUplinks => Interlocked.Read(ref _unknownUplinks);

    public long Unreadable => Interlocked.Read(ref _unreadable);

    public UplinkResult Read(Uplink uplink)
    {
        if (registry().Find(uplink.DevEui) is not { } device)
        {
            Interlocked.Increment(ref _unknownUplinks);
            bool first;
            lock (_unknown)
            {
                if (_unknown.Count >= MaxRememberedUnknown)
                {
                    _unknown.Clear();
                }

                first = _unknown.Add(uplink.DevEui);
            }

            return new UplinkResult(UplinkOutcome.UnknownDevice, [], first);
        }

        // A duplicate (heard twice, sent both ways, or redelivered after a restart of its source)
        // is counted once but read again: its readings are the same points (the server's time), so
        // writing them twice is harmless, and a redelivered uplink whose first reading never reached
        // the journal is not lost.
        var duplicate = Frames.Observe(uplink.DevEui, uplink.FCnt) == FrameVerdict.Duplicate;

        IReadOnlyList<DecodedPoint> points;
        try
        {
            points = Decode(device, uplink);
        }
        catch (PayloadException error)
        {
            throw UnreadableUplink(device, uplink, error.Message);
        }

        var readings = new List<Reading>(points.Count + uplink.Receptions.Count);
        var tags = AssetTags(device);
        foreach (var point in points)
        {
            var fields = WithFill(device, point.Fields);
            if (fields.Count == 0)
            {
                continue;
            }

            try
            {
                readings.Add(new Reading(device.Measurement, [.. tags], [.. fields], point.At ?? uplink.ReceivedAt));
            }
            catch (InvalidReadingException error)
            {
                throw UnreadableUplink(device, uplink, error.Message);
            }
        }

        readings.AddRange(Link(uplink));
        if (duplicate)
        {
            return new UplinkResult(UplinkOutcome.Duplicate, readings);
        }

        Interlocked.Increment(ref _decoded);
        return new UplinkResult(UplinkOutcome.Decoded, readings);
    }

    /// <summary>A status event (battery, link margin) of a registered device as a <c>lorawan_link</c> reading; nothing for an unknown one or an empty report.</summary>
    public IReadOnlyList<Reading> Read(DeviceStatus status)
    {
        if (registry().Find(status.DevEui) is null)
        {
            return [];
        }

        var fields = new List<Field>();
        if (status.BatteryPct is { } battery)
        {
            fields.Add(new Field("battery_pct", battery));
        }

        if (status.MarginDb is { } margin)
        {
            fields.Add(new Field("margin_db", (long)margin));
        }

        fields.Add(new Field("external_power", status.ExternalPower));
        return [new Reading("lorawan_link", [new Tag("device_eui", status.DevEui)], [.. fields], status.ReceivedAt)];
    }

    /// <summary>At most 64 payload bytes in hex, for an error line.</summary>
    public static string Hex(ReadOnlySpan<byte> payload) =>
        payload.Length == 0 ? "(empty)" : payload.Length <= 64 ? Convert.ToHexString(payload) : Convert.ToHexString(payload[..64]) + $"… ({payload.Length} bytes)";

    /// <summary>Counts the uplink as unreadable and says which device, port and payload, and why.</summary>
    private UplinkException UnreadableUplink(RegisteredDevice device, Uplink uplink, string reason)
    {
        Interlocked.Increment(ref _unreadable);
        return new UplinkException($"device {uplink.DevEui} ({device.TypeName}, codec {device.Codec.Name}) fPort {uplink.FPort} payload {Hex(uplink.Payload)}: {reason}");
    }

    private static IReadOnlyList<DecodedPoint> Decode(RegisteredDevice device, Uplink uplink) => device.Codec switch
    {
        DeviceCodec.BuiltIn builtIn => builtIn.Decoder.Decode(uplink.FPort, uplink.Payload),
        DeviceCodec.NetworkServer server => uplink.Decoded is { } decoded
            ? [new DecodedPoint(null, server.Mapping.Apply(decoded))]
            : throw new PayloadException("the network server sent no decoded object; set the payload codec in its device profile (ChirpStack) or payload formatter (The Things Stack), or give this type a codec here."),
        DeviceCodec.Script script => [new DecodedPoint(null, script.Mapping.Apply(script.Codec.Decode(uplink.FPort, uplink.Payload, uplink.ReceivedAt)))],
        _ => throw new PayloadException($"no way to read codec {device.Codec.Name}."),
    };

    private static List<Tag> AssetTags(RegisteredDevice device)
    {
        var spec = device.Spec;
        var tags = new List<Tag>(5) { new("site", spec.Site) };
        switch (device.Asset)
        {
            case AssetKind.Room:
                tags.Add(new Tag("room", spec.Room!));
                tags.Add(new Tag("sensor_id", spec.SensorId ?? device.DevEui));
                tags.Add(new Tag("sensor_model", device.Model));
                return tags;
            case AssetKind.Bin:
                tags.Add(new Tag("bin_id", spec.BinId!));
                if (spec.Sector is { } sector)
                {
                    tags.Add(new Tag("sector", sector));
                }

                break;
            default:
                tags.Add(new Tag("lamp_id", spec.LampId!));
                if (spec.Street is { } street)
                {
                    tags.Add(new Tag("street", street));
                }

                break;
        }

        tags.Add(new Tag("device_eui", device.DevEui));
        tags.Add(new Tag("device_model", device.Model));
        return tags;
    }

    /// <summary>A bin's fill % from the distance to the waste and the bin's depth (full at 0 mm, empty at the depth or beyond).</summary>
    private static IReadOnlyList<Field> WithFill(RegisteredDevice device, IReadOnlyList<Field> fields)
    {
        if (device.Spec.DepthMm is not { } depth || fields.Any(f => f.Key == "fill_pct")
            || !fields.Any(f => f.Key == "distance_mm")
            || fields.First(f => f.Key == "distance_mm").Value.AsNumber is not { } distance)
        {
            return fields; // no distance in this frame (a battery report, a reading out of range): no fill
        }

        var fill = Math.Round(Math.Clamp((depth - distance) * 100.0 / depth, 0, 100), 1);
        return [.. fields, new Field("fill_pct", fill)];
    }

    private static IEnumerable<Reading> Link(Uplink uplink)
    {
        var common = new List<Field>(3) { new("f_cnt", (long)uplink.FCnt) };
        if (uplink.SpreadingFactor is { } sf)
        {
            common.Add(new Field("spreading_factor", (long)sf));
        }

        if (uplink.FrequencyHz is { } frequency)
        {
            common.Add(new Field("frequency_hz", frequency));
        }

        if (uplink.Receptions.Count == 0)
        {
            yield return new Reading("lorawan_link", [new Tag("device_eui", uplink.DevEui)], [.. common], uplink.ReceivedAt);
            yield break;
        }

        foreach (var gateway in uplink.Receptions.DistinctBy(r => r.GatewayId))
        {
            var fields = new List<Field>(common);
            if (gateway.RssiDbm is { } rssi)
            {
                fields.Add(new Field("rssi_dbm", rssi));
            }

            if (gateway.SnrDb is { } snr)
            {
                fields.Add(new Field("snr_db", snr));
            }

            yield return new Reading("lorawan_link", [new Tag("device_eui", uplink.DevEui), new Tag("gateway_id", gateway.GatewayId)], [.. fields], uplink.ReceivedAt);
        }
    }
}
