using Sensors.Sites;
using System.Globalization;
using System.Text.Json;
using Sensors.Core;
using Sensors.LoRaWan.Registry;

namespace Sensors.LoRaWan.Pickups;

/// <summary>
/// A pickup message that cannot be counted. Its text never holds the chip id in clear (at most its
/// pseudonym), so it may be logged and kept.
/// </summary>
public sealed class PickupException(string message) : Exception(message);

/// <summary>
/// RFID reads from a truck's onboard unit → <c>bin_pickup</c> readings. The message is JSON:
/// <c>{"chip_id": "E200…", "time": "2026-11-24T07:31:12Z", "truck_id": "camion-07", "lat": 48.86, "lon": 2.31, "weight_kg": 11.5}</c>
/// (also accepted: chip/tag/rfid/uid, timestamp/ts (ISO 8601 or Unix time, as JsonPath.Time reads it), truck, position {lat, lon},
/// latitude/longitude, weight, sector; the truck may come from the topic trucks/{truck}/…).
/// The chip id is replaced by its pseudonym at once; repeated reads of one lift count once (see
/// <see cref="LiftWindow"/>: durable across restarts); the
/// position is used to find the collection sector and then dropped (it points to a house).
/// </summary>
public sealed class PickupReader(ChipPseudonymiser pseudonyms, LiftWindow lifts, Func<DeviceRegistry> registry)
{
    public const string UnknownSector = "unknown";

    private long _pickups;
    private long _repeatedReads;
    private long _unreadable;

    public long Pickups => Interlocked.Read(ref _pickups);

    public long RepeatedReads => Interlocked.Read(ref _repeatedReads);

    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>
    /// The pickup of the lift this read belongs to: a new one (counted in <see cref="Pickups"/>), or
    /// the same point again for a repeated read (counted in <see cref="RepeatedReads"/>), so that a
    /// read redelivered after a crash is harmless.
    /// </summary>
    public Reading Read(string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        try
        {
            return Parse(topic, payload, received);
        }
        catch (PickupException)
        {
            Interlocked.Increment(ref _unreadable);
            throw;
        }
    }

    private Reading Parse(string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException error)
        {
            // The text is not shown: it may hold a chip id.
            throw new PickupException($"pickup on '{topic}' is not JSON ({error.Message.Split('.')[0]}; {payload.Length} bytes, not shown: it may hold a chip id).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PickupException($"pickup on '{topic}' is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
            }

            var chip = Text(root, "chip_id", "chip", "tag", "rfid", "uid");
            if (string.IsNullOrWhiteSpace(chip))
            {
                throw new PickupException($"pickup on '{topic}' has no chip id (chip_id); the onboard unit must send the chip it read.");
            }

            var bin = pseudonyms.Pseudonym(chip);
            var truck = Text(root, "truck_id", "truck") ?? TruckFromTopic(topic);
            if (!ConfigYaml.IsIdentifier(truck))
            {
                throw new PickupException($"pickup of bin {bin} on '{topic}': truck_id '{truck}' is missing or not an identifier (lower-case letters, digits, dashes).");
            }

            var readAt = Time(root, topic, bin) ?? received;
            var (latitude, longitude) = Position(root);
            var sector = Text(root, "sector") is { } given && ConfigYaml.IsIdentifier(given) ? given : SectorOf(truck!, latitude, longitude);
            var (lift, isNew) = lifts.Observe(bin, truck!, readAt, sector, Number(root, "weight_kg", "weight"));
            if (isNew)
            {
                Interlocked.Increment(ref _pickups);
            }
            else
            {
                Interlocked.Increment(ref _repeatedReads);
            }

            // A repeated read gives its lift's pickup again: the same point (bin, truck, sector, time), counted once in InfluxDB.
            return Pickup(lift, pseudonyms.Version);
        }
    }

    private static Reading Pickup(Lift lift, string keyVersion)
    {
        Field[] fields = lift.WeightKg is { } weight ? [new("count", 1L), new("weight_kg", weight)] : [new("count", 1L)];
        return new Reading("bin_pickup", [new Tag("sector", lift.Sector), new Tag("bin_id", lift.Bin), new Tag("truck_id", lift.Truck), new Tag("key_version", keyVersion)], fields, lift.Start);
    }

    private string SectorOf(string truck, double? latitude, double? longitude)
    {
        var current = registry();
        if (latitude is { } lat && longitude is { } lon && current.Sectors.FirstOrDefault(s => s.Contains(lat, lon)) is { } sector)
        {
            return sector.Id;
        }

        return current.Truck(truck)?.Sector ?? UnknownSector;
    }

    private static string? TruckFromTopic(string topic)
    {
        var levels = topic.Split('/');
        return levels.Length >= 3 && levels[0] == "trucks" ? levels[1] : null;
    }

    private static (double? Latitude, double? Longitude) Position(JsonElement root)
    {
        var holder = root.TryGetProperty("position", out var position) && position.ValueKind == JsonValueKind.Object ? position : root;
        return (Number(holder, "lat", "latitude"), Number(holder, "lon", "lng", "longitude"));
    }

    private static DateTimeOffset? Time(JsonElement root, string topic, string bin)
    {
        foreach (var name in new[] { "time", "timestamp", "ts" })
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            return JsonPath.Time(value) ?? throw new PickupException($"pickup of bin {bin} on '{topic}': {name} is not a time between 1677 and 2262 (ISO 8601, or Unix time; {value.GetRawText().Length} characters, not shown).");
        }

        return null;
    }

    private static string? Text(JsonElement root, params string[] names)
    {
        foreach (var name in names)
        {
            if (root.TryGetProperty(name, out var value))
            {
                return value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                };
            }
        }

        return null;
    }

    private static double? Number(JsonElement root, params string[] names)
    {
        foreach (var name in names)
        {
            if (root.TryGetProperty(name, out var value))
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    return number;
                }

                if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number))
                {
                    return number;
                }
            }
        }

        return null;
    }
}
