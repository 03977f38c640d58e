using System.Globalization;
using System.Text.Json;

namespace Sensors.Core;

/// <summary>
/// The small path language our mappings use to pick a value out of a JSON object: <c>$.a.b[0].c</c>
/// (object members and array indexes). One implementation for every mapping in the gateway: MQTT
/// subscriptions, a network server's decoded object, a JavaScript codec's result.
/// </summary>
public static class JsonPath
{
    // Paths come from configuration: a handful, each parsed once and walked for every message.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Step[]?> Parsed = new(StringComparer.Ordinal);

    /// <summary>One step of a path: a member name (or none), then an array index (or -1).</summary>
    private readonly record struct Step(string Name, int Index);

    /// <summary>The element at <paramref name="path"/>, or null when it is absent or JSON null.</summary>
    public static JsonElement? Select(JsonElement root, string path)
    {
        if ((Parsed.Count < 4096 ? Parsed.GetOrAdd(path, Parse) : Parse(path)) is not { } steps)
        {
            return null;
        }

        var current = root;
        foreach (var (name, index) in steps)
        {
            if (name.Length > 0)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }

            if (index >= 0)
            {
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
            }
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    /// <summary>The steps of a path; null when an index does not read (such a path selects nothing).</summary>
    private static Step[]? Parse(string path)
    {
        var rest = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var steps = new List<Step>();
        foreach (var part in rest.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0 && part.EndsWith(']'))
            {
                name = part[..bracket];
                if (!int.TryParse(part[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out index))
                {
                    return null;
                }
            }

            steps.Add(new Step(name, index));
        }

        return [.. steps];
    }

    /// <summary>
    /// A time as devices write it: ISO 8601 text, or a Unix time whose unit follows from its size
    /// (seconds until the year 5138, then milliseconds, microseconds, nanoseconds); null when it is
    /// neither, or when it falls outside the times a reading can carry (1677–2262, see
    /// <see cref="UnixNanoseconds"/>): a wrong time is refused, never wrapped round to another date.
    /// </summary>
    public static DateTimeOffset? Time(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return UnixNanoseconds.InRange(parsed) ? parsed : null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var whole) && whole > 0)
        {
            // Whole numbers exactly (a double cannot hold every nanosecond of today).
            return whole < 100_000_000_000L ? UnixNanoseconds.FromUnixTicks(whole * TimeSpan.TicksPerSecond)
                : whole < 100_000_000_000_000L ? UnixNanoseconds.FromUnixTicks(whole * TimeSpan.TicksPerMillisecond)
                : whole < 100_000_000_000_000_000L ? UnixNanoseconds.FromUnixTicks(whole * 10)
                : UnixNanoseconds.FromUnixTicks(whole / 100);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number > 0)
        {
            return number < 1e11 ? UnixNanoseconds.FromUnix(number, TimeSpan.TicksPerSecond)
                : number < 1e14 ? UnixNanoseconds.FromUnix(number, TimeSpan.TicksPerMillisecond)
                : number < 1e17 ? UnixNanoseconds.FromUnix(number, 10)
                : UnixNanoseconds.FromUnix(number, 0.01);
        }

        return null;
    }

    /// <summary>What is wrong with a path as written in a configuration file, or null when it reads.</summary>
    public static string? Problem(string path)
    {
        if (!path.StartsWith("$.", StringComparison.Ordinal) || path.Length == 2)
        {
            return $"'{path}' is not a path: write $.name, $.a.b or $.list[0].name";
        }

        foreach (var part in path[2..].Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket >= 0 ? part[..bracket] : part;
            if (part.Length == 0 || (bracket >= 0 && (!part.EndsWith(']') || !int.TryParse(part[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out _))) || (name.Length == 0 && bracket < 0))
            {
                return $"'{path}': '{part}' is not a member name or name[index]";
            }
        }

        return null;
    }
}
