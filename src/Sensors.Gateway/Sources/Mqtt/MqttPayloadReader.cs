using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Pipeline;

namespace Sensors.Gateway.Sources.Mqtt;

/// <summary>
/// Turns one MQTT message into a reading, as its subscription says. Pure: topic, payload and
/// time received in; a reading out, or <see cref="UnreadablePayloadException"/> saying why not.
/// </summary>
public static class MqttPayloadReader
{
    public static Reading Map(MqttSubscriptionOptions subscription, string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        if (subscription.Format == PayloadFormat.Number)
        {
            var text = Decode(payload).Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new UnreadablePayloadException($"expected one number, got '{Excerpt(text)}'");
            }

            return Build(subscription, topic, null, [new Field(subscription.Field, value)], received);
        }

        // The document reads from a pooled copy of the payload (the message's buffer is not ours to keep).
        var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        var fields = ArrayPool<Field>.Shared.Rent(subscription.Fields.Count);
        JsonDocument json;
        try
        {
            payload.CopyTo(copy);
            json = JsonDocument.Parse(copy.AsMemory(0, payload.Length));
        }
        catch (JsonException error)
        {
            ArrayPool<byte>.Shared.Return(copy);
            ArrayPool<Field>.Shared.Return(fields);
            throw new UnreadablePayloadException($"not JSON ({error.Message.Split('.')[0]}): '{Excerpt(Decode(payload))}'");
        }

        try
        {
            var count = 0;
            foreach (var (name, path) in subscription.Fields)
            {
                if (JsonPath.Select(json.RootElement, path) is not { } element)
                {
                    continue;
                }

                fields[count++] = element.ValueKind switch
                {
                    JsonValueKind.Number => new Field(name, element.GetDouble()),
                    JsonValueKind.True or JsonValueKind.False => new Field(name, element.GetBoolean()),
                    JsonValueKind.String => new Field(name, element.GetString()!),
                    _ => throw new UnreadablePayloadException($"{path} is {element.ValueKind}, not a number, boolean or string"),
                };
            }

            if (count == 0)
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

            return Build(subscription, topic, json.RootElement, fields.AsSpan(0, count), time);
        }
        finally
        {
            json.Dispose();
            ArrayPool<byte>.Shared.Return(copy);
            ArrayPool<Field>.Shared.Return(fields, clearArray: true);
        }
    }

    /// <summary>N of "{topic:N}", or null when the text is not such a template.</summary>
    public static int? TopicLevel(string source) =>
        source.StartsWith("{topic:", StringComparison.Ordinal) && source.EndsWith('}')
        && int.TryParse(source.AsSpan(7, source.Length - 8), NumberStyles.None, CultureInfo.InvariantCulture, out var level)
            ? level
            : null;

    /// <summary>The shown part of a payload in a log line: at most 120 characters, on one line.</summary>
    public static string Excerpt(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 120 ? line : line[..120] + "…";
    }

    private static Reading Build(MqttSubscriptionOptions subscription, string topic, JsonElement? json, ReadOnlySpan<Field> fields, DateTimeOffset time)
    {
        var tags = new List<Tag>(subscription.Tags.Count);
        string[]? levels = null;
        foreach (var (name, source) in subscription.Tags)
        {
            string? value;
            if (TopicLevel(source) is { } level)
            {
                levels ??= topic.Split('/');
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
            return new Reading(subscription.Measurement, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tags), fields, time);
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
}
