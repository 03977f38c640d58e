using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sensors.Core;

/// <summary>Timestamp precision of a line protocol write (the <c>precision</c> query parameter).</summary>
public enum Precision
{
    Nanoseconds,
    Microseconds,
    Milliseconds,
    Seconds,
}

/// <summary>
/// InfluxDB line protocol encoder, after the reference at
/// docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference:
/// <c>measurement[,tag=value...] field=value[,field=value...] timestamp\n</c>.
/// Escaping: in measurement names, comma, equals sign and space; in tag keys, tag values and field keys,
/// comma, equals sign and space; in string field values, double quote and backslash.
/// Writes straight into an <see cref="IBufferWriter{T}"/>: no allocation per point once the
/// buffer has grown to its working size.
/// </summary>
public static class LineProtocol
{
    // The reference escapes only comma and space in measurement names, but InfluxDB 1.6 also
    // unescapes "\=" there and misreads a bare '=' (checked against the real server), so '=' is escaped too.
    internal static readonly SearchValues<char> MeasurementSpecials = SearchValues.Create(",= ");
    internal static readonly SearchValues<char> KeySpecials = SearchValues.Create(",= ");
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create("\"\\");

    /// <summary>Encoding choices that depend on the server.</summary>
    /// <param name="Precision">Unit of the timestamp written at the end of the line.</param>
    /// <param name="UnsignedAsInteger">
    /// InfluxDB 1.x refuses the <c>u</c> suffix ("invalid number"); when set, unsigned fields
    /// are written as signed integers (<c>i</c>), and a value above <see cref="long.MaxValue"/>
    /// is refused.
    /// </param>
    public readonly record struct Options(Precision Precision = Precision.Nanoseconds, bool UnsignedAsInteger = false);

    /// <summary>Appends one line, ending with '\n', and returns the number of bytes written.</summary>
    public static int Write(IBufferWriter<byte> output, Reading reading, Options options = default)
    {
        if (options.UnsignedAsInteger)
        {
            CheckUnsignedFitsInteger(reading);
        }

        var total = WriteEscaped(output, reading.Measurement, MeasurementSpecials);
        foreach (var tag in reading.Tags)
        {
            total += WriteByte(output, (byte)',');
            total += WriteEscaped(output, tag.Key, KeySpecials);
            total += WriteByte(output, (byte)'=');
            total += WriteEscaped(output, tag.Value, KeySpecials);
        }

        var separator = (byte)' ';
        foreach (var field in reading.Fields)
        {
            total += WriteByte(output, separator);
            separator = (byte)',';
            total += WriteEscaped(output, field.Key, KeySpecials);
            total += WriteByte(output, (byte)'=');
            total += WriteFieldValue(output, field, options);
        }

        total += WriteByte(output, (byte)' ');
        total += WriteNumber(output, ScaleTimestamp(reading.TimestampNs, options.Precision), default);
        total += WriteByte(output, (byte)'\n');
        return total;
    }

    /// <summary>One line as a string, without the trailing newline: for logs, tests and exports.</summary>
    public static string ToLine(Reading reading, Options options = default)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(buffer, reading, options);
        return Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]);
    }

    /// <summary>The timestamp in the unit of <paramref name="precision"/>, rounded towards the past.</summary>
    public static long ScaleTimestamp(long nanoseconds, Precision precision) => precision switch
    {
        Precision.Nanoseconds => nanoseconds,
        Precision.Microseconds => Math.DivRem(nanoseconds, 1_000L, out var r) - (r < 0 ? 1 : 0),
        Precision.Milliseconds => Math.DivRem(nanoseconds, 1_000_000L, out var r) - (r < 0 ? 1 : 0),
        Precision.Seconds => Math.DivRem(nanoseconds, 1_000_000_000L, out var r) - (r < 0 ? 1 : 0),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>Checked before the first byte is written, so a refused reading leaves no half line behind.</summary>
    private static void CheckUnsignedFitsInteger(Reading reading)
    {
        foreach (var field in reading.Fields)
        {
            if (field.Value.Kind == FieldKind.UnsignedInteger && field.Value.AsUnsigned > long.MaxValue)
            {
                throw new InvalidReadingException(reading.Measurement, $"field '{field.Key}'", $"is {field.Value.AsUnsigned}, above the largest integer this InfluxDB stores ({long.MaxValue}).");
            }
        }
    }

    private static int WriteFieldValue(IBufferWriter<byte> output, Field field, Options options)
    {
        var value = field.Value;
        switch (value.Kind)
        {
            case FieldKind.Float:
                return WriteNumber(output, value.AsFloat, default);
            case FieldKind.Integer:
                return WriteNumber(output, value.AsInteger, default) + WriteByte(output, (byte)'i');
            case FieldKind.UnsignedInteger when options.UnsignedAsInteger:
                return WriteNumber(output, value.AsUnsigned, default) + WriteByte(output, (byte)'i');
            case FieldKind.UnsignedInteger:
                return WriteNumber(output, value.AsUnsigned, default) + WriteByte(output, (byte)'u');
            case FieldKind.Boolean:
                return WriteAscii(output, value.AsBoolean ? "true"u8 : "false"u8);
            default:
                return WriteByte(output, (byte)'"') + WriteEscaped(output, value.AsString, StringSpecials) + WriteByte(output, (byte)'"');
        }
    }

    private static int WriteEscaped(IBufferWriter<byte> output, string text, SearchValues<char> specials)
    {
        var rest = text.AsSpan();
        var total = 0;
        while (true)
        {
            var special = rest.IndexOfAny(specials);
            var plain = special < 0 ? rest : rest[..special];
            if (!plain.IsEmpty)
            {
                var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(plain.Length));
                var written = Encoding.UTF8.GetBytes(plain, span);
                output.Advance(written);
                total += written;
            }

            if (special < 0)
            {
                return total;
            }

            var escaped = output.GetSpan(2);
            escaped[0] = (byte)'\\';
            escaped[1] = (byte)rest[special];
            output.Advance(2);
            total += 2;
            rest = rest[(special + 1)..];
        }
    }

    private static int WriteNumber<T>(IBufferWriter<byte> output, T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Could not format {value} as a number.");
        }

        output.Advance(written);
        return written;
    }

    private static int WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
        return 1;
    }

    private static int WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        text.CopyTo(output.GetSpan(text.Length));
        output.Advance(text.Length);
        return text.Length;
    }
}
