using System.Globalization;

namespace Sensors.Core;

/// <summary>The five field types of InfluxDB line protocol.</summary>
public enum FieldKind : byte
{
    Float,
    Integer,
    UnsignedInteger,
    Boolean,
    String,
}

/// <summary>
/// One typed field value. A struct with no boxing: numbers live in <see cref="_bits"/>,
/// strings in <see cref="_text"/>. Implicit conversions keep call sites short
/// (<c>new Field("co2_ppm", 812.0)</c>).
/// </summary>
public readonly struct FieldValue : IEquatable<FieldValue>
{
    private readonly long _bits;
    private readonly string? _text;

    private FieldValue(FieldKind kind, long bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        _text = text;
    }

    public FieldKind Kind { get; }

    public static FieldValue Float(double value) => new(FieldKind.Float, BitConverter.DoubleToInt64Bits(value), null);
    public static FieldValue Integer(long value) => new(FieldKind.Integer, value, null);
    public static FieldValue Unsigned(ulong value) => new(FieldKind.UnsignedInteger, unchecked((long)value), null);
    public static FieldValue Boolean(bool value) => new(FieldKind.Boolean, value ? 1 : 0, null);
    public static FieldValue String(string value) => new(FieldKind.String, 0, value ?? throw new ArgumentNullException(nameof(value)));

    public double AsFloat => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(FieldKind.Float);
    public long AsInteger => Kind == FieldKind.Integer ? _bits : throw WrongKind(FieldKind.Integer);
    public ulong AsUnsigned => Kind == FieldKind.UnsignedInteger ? unchecked((ulong)_bits) : throw WrongKind(FieldKind.UnsignedInteger);
    public bool AsBoolean => Kind == FieldKind.Boolean ? _bits != 0 : throw WrongKind(FieldKind.Boolean);
    /// <summary>The value as a number (floats and both integer kinds), or null for a boolean or a string.</summary>
    public double? AsNumber => Kind switch
    {
        FieldKind.Float => AsFloat,
        FieldKind.Integer => _bits,
        FieldKind.UnsignedInteger => unchecked((ulong)_bits),
        _ => null,
    };

    public string AsString => Kind == FieldKind.String ? _text! : throw WrongKind(FieldKind.String);

    public static implicit operator FieldValue(double value) => Float(value);
    public static implicit operator FieldValue(long value) => Integer(value);
    public static implicit operator FieldValue(int value) => Integer(value);
    public static implicit operator FieldValue(ulong value) => Unsigned(value);
    public static implicit operator FieldValue(bool value) => Boolean(value);
    public static implicit operator FieldValue(string value) => String(value);

    public bool Equals(FieldValue other) => Kind == other.Kind && _bits == other._bits && string.Equals(_text, other._text, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is FieldValue other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _text);
    public static bool operator ==(FieldValue left, FieldValue right) => left.Equals(right);
    public static bool operator !=(FieldValue left, FieldValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        FieldKind.Float => AsFloat.ToString(CultureInfo.InvariantCulture),
        FieldKind.Integer => AsInteger.ToString(CultureInfo.InvariantCulture) + "i",
        FieldKind.UnsignedInteger => AsUnsigned.ToString(CultureInfo.InvariantCulture) + "u",
        FieldKind.Boolean => AsBoolean ? "true" : "false",
        _ => "\"" + _text + "\"",
    };

    private InvalidOperationException WrongKind(FieldKind asked) =>
        new($"This field value is {Kind}, not {asked}.");
}

/// <summary>A named field of a reading: <c>co2_ppm=812</c>.</summary>
public readonly record struct Field(string Key, FieldValue Value);

/// <summary>A tag of a reading: a low-cardinality identifier such as <c>room=cm2-b</c>.</summary>
public readonly record struct Tag(string Key, string Value);
