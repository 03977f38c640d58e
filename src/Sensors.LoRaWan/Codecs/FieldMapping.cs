using System.Globalization;
using System.Text.Json;
using Sensors.Core;

namespace Sensors.LoRaWan.Codecs;

/// <summary>
/// Values of a decoded object (a network server's, or a JavaScript codec's <c>data</c>) mapped to
/// our field names, as a device type says: <c>co2_ppm: $.co2</c>, <c>energy_kwh: $.energy_wh * 0.001</c>.
/// Without a mapping, the object's top-level numbers and booleans are taken under their own names
/// (a codec written for us already speaks our names). Pure.
/// </summary>
public sealed partial class FieldMapping
{
    private readonly IReadOnlyList<(string Field, string Path, double Factor)> _rules;

    private FieldMapping(IReadOnlyList<(string, string, double)> rules) => _rules = rules;

    public static FieldMapping Identity { get; } = new([]);

    public bool IsIdentity => _rules.Count == 0;

    /// <summary>Reads a mapping as written in the registry; the problems come back in words.</summary>
    public static (FieldMapping Mapping, IReadOnlyList<string> Problems) Parse(IReadOnlyDictionary<string, string> fields)
    {
        var rules = new List<(string, string, double)>();
        var problems = new List<string>();
        foreach (var (field, text) in fields)
        {
            if (!OurFieldName().IsMatch(field) || field == "time")
            {
                problems.Add($"field name '{field}' cannot be written to InfluxDB; use lower-case letters, digits and underscores, the unit in the name (power_w)");
                continue;
            }

            var parts = (text ?? string.Empty).Split('*', 2, StringSplitOptions.TrimEntries);
            var factor = 1.0;
            if (parts.Length == 2 && !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out factor))
            {
                problems.Add($"{field}: '{text}': after '*' a number is expected, e.g. $.energy_wh * 0.001");
                continue;
            }

            if (JsonPath.Problem(parts[0]) is { } problem)
            {
                problems.Add($"{field}: {problem}");
                continue;
            }

            rules.Add((field, parts[0], factor));
        }

        return (new FieldMapping(rules), problems);
    }

    /// <summary>Our fields out of <paramref name="decoded"/>; absent values are left out; a value of the wrong kind is a <see cref="PayloadException"/>.</summary>
    public List<Field> Apply(JsonElement decoded)
    {
        var fields = new List<Field>();
        if (decoded.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException($"the decoded value is {Describe(decoded)}, not an object of named values.");
        }

        if (IsIdentity)
        {
            foreach (var member in decoded.EnumerateObject())
            {
                if (!CodecFieldName().IsMatch(member.Name) || member.Name == "time")
                {
                    continue;
                }

                switch (member.Value.ValueKind)
                {
                    case JsonValueKind.Number:
                        fields.Add(new Field(member.Name, Finite(member.Value.GetDouble(), member.Name)));
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        fields.Add(new Field(member.Name, member.Value.GetBoolean()));
                        break;
                }
            }

            return fields;
        }

        foreach (var (field, path, factor) in _rules)
        {
            if (JsonPath.Select(decoded, path) is not { } value)
            {
                continue;
            }

            fields.Add(value.ValueKind switch
            {
                JsonValueKind.Number => new Field(field, Finite(value.GetDouble() * factor, path)),
                JsonValueKind.True or JsonValueKind.False when factor == 1 => new Field(field, value.GetBoolean()),
                JsonValueKind.String when factor == 1 => new Field(field, value.GetString()!),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => new Field(field, Finite(number * factor, path)),
                _ => throw new PayloadException($"{path} is {Describe(value)}; {field} wants a number{(factor == 1 ? ", a boolean or a text" : string.Empty)}."),
            });
        }

        return fields;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex OurFieldName();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex CodecFieldName();

    private static double Finite(double value, string where) =>
        double.IsFinite(value) ? value : throw new PayloadException($"{where} is not a finite number.");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the text \"{(value.GetString() is { Length: > 30 } s ? s[..30] + "…" : value.GetString())}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.Undefined => "nothing",
        _ => value.GetRawText(),
    };
}
