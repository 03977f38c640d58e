using System.Buffers;

namespace Sensors.Core;

/// <summary>
/// What InfluxDB accepts, checked once when a Reading is built, so that a point the server would
/// refuse or misread is refused here with a message that names the part. Rules checked against a
/// real InfluxDB 1.6 (see README): control characters (line breaks, tabs) in names are cut or
/// dropped, so they are refused, though string field values carry them fine; a measurement starting with '#' is read as a comment and
/// silently lost; 'time' is refused as a tag or field key; a backslash at the end of a name or
/// just before a character that must be escaped there cannot be written at all, because the
/// server's scanner takes it as an escape; a double quote in a field key derails the server's
/// field scanner.
/// </summary>
public static class ReadingRules
{
    /// <summary>InfluxDB refuses string field values longer than 64 KiB.</summary>
    public const int MaxStringFieldBytes = 64 * 1024;

    public static void Validate(string measurement, ReadOnlySpan<Tag> sortedTags, ReadOnlySpan<Field> fields)
    {
        CheckName(measurement, measurement, NamePart.Measurement, null);
        if (measurement[0] == '#')
        {
            throw new InvalidReadingException(measurement, "measurement name", "starts with '#': InfluxDB reads the line as a comment and drops it.");
        }

        string? previous = null;
        foreach (var tag in sortedTags)
        {
            if (tag.Key is null)
            {
                throw new InvalidReadingException(measurement, "a tag", "has no key.");
            }

            CheckName(measurement, tag.Key, NamePart.TagKey, tag.Key);
            if (tag.Key == "time")
            {
                throw new InvalidReadingException(measurement, "tag key 'time'", "is reserved by InfluxDB; use another name.");
            }

            if (tag.Key == previous)
            {
                throw new InvalidReadingException(measurement, $"tag '{tag.Key}'", "appears twice.");
            }

            previous = tag.Key;
            if (string.IsNullOrEmpty(tag.Value))
            {
                throw new InvalidReadingException(measurement, $"tag '{tag.Key}'", "has an empty value; line protocol has no empty tag values, leave the tag out instead.");
            }

            CheckName(measurement, tag.Value, NamePart.TagValue, tag.Key);
        }

        if (fields.IsEmpty)
        {
            throw new InvalidReadingException(measurement, "field list", "is empty; a point needs at least one field.");
        }

        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (field.Key is null)
            {
                throw new InvalidReadingException(measurement, "a field", "has no key.");
            }

            CheckName(measurement, field.Key, NamePart.FieldKey, field.Key);
            if (field.Key.Contains('"', StringComparison.Ordinal))
            {
                throw new InvalidReadingException(measurement, Describe(NamePart.FieldKey, field.Key), "holds a double quote, which InfluxDB 1.x takes for the start of a string value; use another name.");
            }

            if (field.Key == "time")
            {
                throw new InvalidReadingException(measurement, "field key 'time'", "is reserved by InfluxDB; use another name.");
            }

            for (var j = 0; j < i; j++)
            {
                if (fields[j].Key == field.Key)
                {
                    throw new InvalidReadingException(measurement, FieldPart(field.Key), "appears twice.");
                }
            }

            switch (field.Value.Kind)
            {
                case FieldKind.Float when double.IsNaN(field.Value.AsFloat):
                    throw new InvalidReadingException(measurement, FieldPart(field.Key), "is NaN; InfluxDB stores only finite numbers.");
                case FieldKind.Float when double.IsInfinity(field.Value.AsFloat):
                    throw new InvalidReadingException(measurement, FieldPart(field.Key), "is infinite; InfluxDB stores only finite numbers.");
                case FieldKind.String when field.Value.AsString.Length > MaxStringFieldBytes / 3
                    && System.Text.Encoding.UTF8.GetByteCount(field.Value.AsString) > MaxStringFieldBytes:
                    throw new InvalidReadingException(measurement, FieldPart(field.Key), $"is a string over 64 KiB ({MaxStringFieldBytes} bytes), InfluxDB's limit.");
            }
        }
    }

    /// <summary>
    /// Characters that InfluxDB 1.6 unescapes after a backslash in names: the escaped ones and the
    /// double quote. A literal backslash just before one of them cannot be written.
    /// </summary>
    private static readonly SearchValues<char> BackslashHazards = SearchValues.Create(",= \"");

    private enum NamePart
    {
        Measurement,
        TagKey,
        TagValue,
        FieldKey,
    }

    private static string FieldPart(string key) => $"field '{InvalidReadingException.Printable(key)}'";

    /// <summary>The part's name for an error message; built only when there is an error.</summary>
    private static string Describe(NamePart kind, string? key) => kind switch
    {
        NamePart.Measurement => "measurement name",
        NamePart.TagKey => $"tag key '{InvalidReadingException.Printable(key!)}'",
        NamePart.TagValue => $"value of tag '{key}'",
        _ => $"key of {FieldPart(key!)}",
    };

    private static void CheckName(string measurement, string text, NamePart kind, string? key)
    {
        if (text.Length == 0)
        {
            throw new InvalidReadingException(measurement, Describe(kind, key), "is empty.");
        }

        if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || text.Contains('\u007f', StringComparison.Ordinal))
        {
            throw new InvalidReadingException(measurement, Describe(kind, key), $"'{InvalidReadingException.Printable(text)}' holds a control character (line break, tab…), which InfluxDB cuts or drops in names.");
        }

        var backslash = text.IndexOf('\\', StringComparison.Ordinal);
        while (backslash >= 0)
        {
            var last = backslash == text.Length - 1;
            if (last || BackslashHazards.Contains(text[backslash + 1]))
            {
                throw new InvalidReadingException(
                    measurement,
                    Describe(kind, key),
                    $"'{InvalidReadingException.Printable(text)}' has a backslash {(last ? "at the end" : $"before '{text[backslash + 1]}'")}, which InfluxDB would read as an escape; remove or replace it.");
            }

            backslash = text.IndexOf('\\', backslash + 1);
        }
    }
}
