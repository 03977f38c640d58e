using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Pipeline;

namespace Sensors.Gateway.Sources;

/// <summary>
/// Turns one MQTT message into a reading, as its subscription says. Pure: topic, payload and
/// time received in; a reading out, or <see cref="UnreadablePayloadException"/> saying why not.
/// </summary>
public static partial class MqttPayloadMapper
{
    public static Reading Map(MqttSubscriptionOptions subscription, string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        var levels = topic.Split('/');
        if (subscription.Format == PayloadFormat.Number)
        {
            var text = Decode(payload).Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new UnreadablePayloadException($"expected one number, got '{Excerpt(text)}'");
            }

            return Build(subscription, levels, null, [new Field(subscription.Field, value)], received);
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException error)
        {
            throw new UnreadablePayloadException($"not JSON ({error.Message.Split('.')[0]}): '{Excerpt(Decode(payload))}'");
        }

        using (json)
        {
            var fields = new List<Field>();
            foreach (var (name, path) in subscription.Fields)
            {
                if (JsonPath.Select(json.RootElement, path) is not { } element)
                {
                    continue;
                }

                fields.Add(element.ValueKind switch
                {
                    JsonValueKind.Number => new Field(name, element.GetDouble()),
                    JsonValueKind.True or JsonValueKind.False => new Field(name, element.GetBoolean()),
                    JsonValueKind.String => new Field(name, element.GetString()!),
                    _ => throw new UnreadablePayloadException($"{path} is {element.ValueKind}, not a number, boolean or string"),
                });
            }

            if (fields.Count == 0)
            {
                throw new UnreadablePayloadException($"none of the mapped fields ({string.Join(", ", subscription.Fields.Values)}) is in '{Excerpt(Decode(payload))}'");
            }

            var time = received;
            if (!string.IsNullOrEmpty(subscription.Timestamp))
            {
                time = JsonPath.Select(json.RootElement, subscription.Timestamp) is { } stamp
                    ? ParseTime(stamp, subscription.Timestamp)
                    : throw new UnreadablePayloadException($"no timestamp at {subscription.Timestamp}");
            }

            return Build(subscription, levels, json.RootElement, fields, time);
        }
    }

    /// <summary>N of "{topic:N}", or null when the text is not such a template.</summary>
    public static int? TopicLevel(string source)
    {
        var match = TopicTemplate().Match(source);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The shown part of a payload in a log line: at most 120 characters, on one line.</summary>
    public static string Excerpt(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 120 ? line : line[..120] + "…";
    }

    private static Reading Build(MqttSubscriptionOptions subscription, string[] levels, JsonElement? json, List<Field> fields, DateTimeOffset time)
    {
        var tags = new List<Tag>();
        foreach (var (name, source) in subscription.Tags)
        {
            string? value;
            if (TopicLevel(source) is { } level)
            {
                value = level < levels.Length ? levels[level] : throw new UnreadablePayloadException($"tag '{name}' wants topic level {level}, the topic has {levels.Length}");
            }
            else if (source.StartsWith("$.", StringComparison.Ordinal))
            {
                value = json is { } root && JsonPath.Select(root, source) is { } element
                    ? element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText()
                    : throw new UnreadablePayloadException($"tag '{name}': nothing at {source}");
            }
            else
            {
                value = source;
            }

            if (!string.IsNullOrEmpty(value))
            {
                tags.Add(new Tag(name, value));
            }
        }

        try
        {
            return new Reading(subscription.Measurement, [.. tags], [.. fields], time);
        }
        catch (InvalidReadingException error)
        {
            throw new UnreadablePayloadException(error.Message);
        }
    }

    private static DateTimeOffset ParseTime(JsonElement stamp, string path) =>
        JsonPath.Time(stamp) ?? throw new UnreadablePayloadException($"{path} = {Excerpt(stamp.GetRawText())} is not a time between 1677 and 2262 (ISO 8601 text or Unix time)");

    private static string Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            throw new UnreadablePayloadException($"not UTF-8 text: {Convert.ToHexString(payload[..Math.Min(payload.Length, 32)])}");
        }
    }

    [GeneratedRegex(@"^\{topic:(\d+)\}$")]
    private static partial Regex TopicTemplate();
}
