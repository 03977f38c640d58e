using System.Buffers;
using System.Text;
using Sensors.Core;

namespace Sensors.Core.Tests;

public class LineProtocolTests
{
    private static string Line(Reading reading, LineProtocol.Options options = default) => LineProtocol.ToLine(reading, options);

    [Fact]
    public void Encode_OfficialSpecialCharactersExample_MatchesReference()
    {
        // The InfluxDB 1.x line protocol reference, "Special characters and keywords": quotes in a
        // measurement name are literal, spaces and commas are escaped, and in a string field only
        // the double quote (and backslash) are escaped.
        var reading = new Reading(
            "\"measurement with quo⚡️es and emoji\"",
            [new Tag("tag key with sp🚀ces", "tag,value,with\"commas\"")],
            [new Field("field_k\\ey", "string field value, only \" need be esc🔥ped")],
            1556813561098000000);

        Assert.Equal(
            "\"measurement\\ with\\ quo⚡️es\\ and\\ emoji\",tag\\ key\\ with\\ sp🚀ces=tag\\,value\\,with\"commas\" field_k\\ey=\"string field value, only \\\" need be esc🔥ped\" 1556813561098000000",
            Line(reading));
    }

    [Fact]
    public void Encode_AllFieldTypes_UseTheirSuffixes()
    {
        var reading = new Reading(
            "lamp",
            [new Tag("site", "quai-nord"), new Tag("lamp_id", "L-042")],
            [new Field("dim_pct", 62.5), new Field("fault_code", 3L), new Field("energy_wh", 18446744073709551615UL), new Field("on", true), new Field("label", "ok")],
            1_700_000_000_123_456_789);

        Assert.Equal(
            "lamp,lamp_id=L-042,site=quai-nord dim_pct=62.5,fault_code=3i,energy_wh=18446744073709551615u,on=true,label=\"ok\" 1700000000123456789",
            Line(reading));
    }

    [Fact]
    public void Encode_TagsAreSortedByKey()
    {
        var reading = new Reading("air_quality", [new Tag("site", "s"), new Tag("room", "r"), new Tag("sensor_id", "x")], [new Field("co2_ppm", 800.0)], 1);
        Assert.StartsWith("air_quality,room=r,sensor_id=x,site=s ", Line(reading));
    }

    [Fact]
    public void Encode_EqualsSignsAndBackslashes_AreEscapedOrLiteralAsTheServerReadsThem()
    {
        var reading = new Reading("m=1,x", [new Tag("k=1", "a b=c")], [new Field("f,1", "back\\slash \"q\"")], 5);
        Assert.Equal("m\\=1\\,x,k\\=1=a\\ b\\=c f\\,1=\"back\\\\slash \\\"q\\\"\" 5", Line(reading));
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e20, "1E+20")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    public void Encode_Floats_RoundTripInShortestForm(double value, string expected)
    {
        var line = Line(new Reading("m", [], [new Field("f", value)], 0));
        Assert.Equal($"m f={expected} 0", line);
        Assert.Equal(value, double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(Precision.Nanoseconds, "1700000000123456789")]
    [InlineData(Precision.Microseconds, "1700000000123456")]
    [InlineData(Precision.Milliseconds, "1700000000123")]
    [InlineData(Precision.Seconds, "1700000000")]
    public void Encode_Timestamp_IsScaledToPrecision(Precision precision, string expected)
    {
        var reading = new Reading("m", [], [new Field("f", 1L)], 1_700_000_000_123_456_789);
        Assert.EndsWith(" " + expected, Line(reading, new LineProtocol.Options(precision)));
    }

    [Fact]
    public void Encode_NegativeTimestampAtCoarsePrecision_RoundsTowardsThePast()
    {
        Assert.Equal(-2, LineProtocol.ScaleTimestamp(-1_500_000_000, Precision.Seconds));
        Assert.Equal(-1, LineProtocol.ScaleTimestamp(-1, Precision.Microseconds));
    }

    [Fact]
    public void Encode_UnsignedAsInteger_WritesIntegerSuffix_AndRefusesValuesAboveLongMax()
    {
        var options = new LineProtocol.Options(UnsignedAsInteger: true);
        Assert.Equal("m c=42i 0", Line(new Reading("m", [], [new Field("c", 42UL)], 0), options));

        var huge = new Reading("m", [], [new Field("c", ulong.MaxValue)], 0);
        var buffer = new ArrayBufferWriter<byte>();
        var error = Assert.Throws<InvalidReadingException>(() => LineProtocol.Write(buffer, huge, options));
        Assert.Equal("field 'c'", error.Part);
        Assert.Equal(0, buffer.WrittenCount); // no half line left behind
    }

    [Fact]
    public void Write_ReturnsBytesWritten_AndEndsWithNewline()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var reading = new Reading("air_quality", [new Tag("room", "salle é")], [new Field("co2_ppm", 412.0)], 7);
        var written = LineProtocol.Write(buffer, reading);
        Assert.Equal(buffer.WrittenCount, written);
        Assert.Equal("air_quality,room=salle\\ é co2_ppm=412 7\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Write_SteadyState_AllocatesNothingPerPoint()
    {
        var reading = new Reading(
            "air_quality",
            [new Tag("site", "ecole-jules-ferry"), new Tag("room", "CM2 B"), new Tag("sensor_id", "scd41-5f2a"), new Tag("sensor_model", "SCD41")],
            [new Field("co2_ppm", 1234.0), new Field("temperature_c", 21.37), new Field("humidity_pct", 44.2), new Field("status", "ok")],
            1_700_000_000_000_000_000);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        for (var i = 0; i < 100; i++)
        {
            LineProtocol.Write(buffer, reading);
        }

        buffer.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            LineProtocol.Write(buffer, reading);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
