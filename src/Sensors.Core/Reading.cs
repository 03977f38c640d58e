namespace Sensors.Core;

/// <summary>
/// The one internal type: a measurement name, tags, fields and a UTC timestamp in nanoseconds
/// since the Unix epoch. Every source produces Readings; every later stage consumes them.
/// A Reading is valid by construction: the constructor applies <see cref="ReadingRules"/>, so
/// anything that holds a Reading can encode it without a second check. Tags are kept sorted by
/// key (InfluxDB's recommended order, and one canonical form for tests and dedup).
/// </summary>
public sealed class Reading
{
    private readonly Tag[] _tags;
    private readonly Field[] _fields;

    public Reading(string measurement, ReadOnlySpan<Tag> tags, ReadOnlySpan<Field> fields, long timestampNs)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        _tags = tags.ToArray();
        _fields = fields.ToArray();
        if (_tags.Length > 1)
        {
            Array.Sort(_tags, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        ReadingRules.Validate(measurement, _tags, _fields);
        Measurement = measurement;
        TimestampNs = timestampNs;
    }

    private Reading(Reading other, long timestampNs)
    {
        _tags = other._tags;
        _fields = other._fields;
        Measurement = other.Measurement;
        TimestampNs = timestampNs;
    }

    public Reading(string measurement, ReadOnlySpan<Tag> tags, ReadOnlySpan<Field> fields, DateTimeOffset timestamp)
        : this(measurement, tags, fields, UnixNanoseconds.From(timestamp))
    {
    }

    public string Measurement { get; }

    /// <summary>The same reading at another time (already valid: no second check).</summary>
    public Reading WithTimestamp(DateTimeOffset timestamp) => new(this, UnixNanoseconds.From(timestamp));

    /// <summary>Tags sorted by key (ordinal).</summary>
    public ReadOnlySpan<Tag> Tags => _tags;

    public ReadOnlySpan<Field> Fields => _fields;

    /// <summary>Nanoseconds since 1970-01-01T00:00:00Z.</summary>
    public long TimestampNs { get; }

    public DateTimeOffset Timestamp => UnixNanoseconds.ToDateTimeOffset(TimestampNs);

    public string? Tag(string key)
    {
        foreach (var tag in _tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    public FieldValue? Field(string key)
    {
        foreach (var field in _fields)
        {
            if (field.Key == key)
            {
                return field.Value;
            }
        }

        return null;
    }

    public override string ToString() => LineProtocol.ToLine(this);
}

/// <summary>Conversions between <see cref="DateTimeOffset"/> (100 ns ticks) and Unix nanoseconds.</summary>
public static class UnixNanoseconds
{
    public static long From(DateTimeOffset timestamp) => (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static DateTimeOffset ToDateTimeOffset(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(Math.DivRem(nanoseconds, 100, out _));
}
