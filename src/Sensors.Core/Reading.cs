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
        : this(measurement, tags, fields, UnixNanoseconds.From(timestamp, measurement))
    {
    }

    public string Measurement { get; }

    /// <summary>The same reading at another time (already valid: no second check).</summary>
    public Reading WithTimestamp(DateTimeOffset timestamp) => new(this, UnixNanoseconds.From(timestamp, Measurement));

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

/// <summary>
/// Conversions between <see cref="DateTimeOffset"/> (100 ns ticks) and Unix nanoseconds: the one
/// conversion of the codebase, and overflow-safe. A signed 64-bit count of nanoseconds, InfluxDB's
/// time, spans 1677-09-21 to 2262-04-11; a time outside is refused in words, never wrapped round
/// to another date.
/// </summary>
public static class UnixNanoseconds
{
    /// <summary>The earliest time a reading can carry (InfluxDB's minimum, −2^63 ns, rounded up to a tick).</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch.AddTicks((long.MinValue / 100) + 1);

    /// <summary>The latest time a reading can carry (2262-04-11T23:47:16.854775800Z).</summary>
    public static readonly DateTimeOffset Latest = DateTimeOffset.UnixEpoch.AddTicks(long.MaxValue / 100);

    /// <summary>Whether <paramref name="timestamp"/> can be stored in nanoseconds.</summary>
    public static bool InRange(DateTimeOffset timestamp) => timestamp >= Earliest && timestamp <= Latest;

    /// <summary>The nanoseconds since the epoch; an <see cref="InvalidReadingException"/> for a time outside 1677–2262.</summary>
    public static long From(DateTimeOffset timestamp, string measurement = "?") =>
        InRange(timestamp)
            ? (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100
            : throw new InvalidReadingException(measurement, "time", $"{timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} is outside the times InfluxDB stores ({Earliest.UtcDateTime:yyyy-MM-dd} to {Latest.UtcDateTime:yyyy-MM-dd}): the device's clock or its time field is wrong.");

    /// <summary>Ticks (100 ns) since the epoch as a time; null when it falls outside 1677–2262.</summary>
    public static DateTimeOffset? FromUnixTicks(long ticks) =>
        ticks >= Earliest.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks && ticks <= Latest.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks
            ? DateTimeOffset.UnixEpoch.AddTicks(ticks)
            : null;

    /// <summary>A Unix time in seconds, milliseconds, microseconds or nanoseconds as a time; null when it is not finite or falls outside 1677–2262.</summary>
    public static DateTimeOffset? FromUnix(double value, double ticksPerUnit)
    {
        var ticks = value * ticksPerUnit;
        if (!double.IsFinite(ticks) || ticks < Earliest.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks || ticks > Latest.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)
        {
            return null;
        }

        return DateTimeOffset.UnixEpoch.AddTicks((long)ticks);
    }

    public static DateTimeOffset ToDateTimeOffset(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(Math.DivRem(nanoseconds, 100, out _));
}
