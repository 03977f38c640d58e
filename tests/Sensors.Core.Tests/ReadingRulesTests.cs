using Sensors.Core;

namespace Sensors.Core.Tests;

public class ReadingRulesTests
{
    private static InvalidReadingException Refused(string measurement, Tag[] tags, Field[] fields) =>
        Assert.Throws<InvalidReadingException>(() => new Reading(measurement, tags, fields, 0));

    [Fact]
    public void EmptyMeasurement_IsRefused_NamingTheMeasurement()
    {
        var error = Refused("", [], [new Field("f", 1.0)]);
        Assert.Equal("measurement name", error.Part);
        Assert.Contains("is empty", error.Message);
    }

    [Fact]
    public void NoFields_IsRefused()
    {
        var error = Refused("air_quality", [new Tag("room", "a")], []);
        Assert.Equal("field list", error.Part);
        Assert.Contains("Reading 'air_quality' refused: field list is empty", error.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "infinite")]
    [InlineData(double.NegativeInfinity, "infinite")]
    public void NonFiniteFloat_IsRefused_NamingTheField(double value, string word)
    {
        var error = Refused("air_quality", [], [new Field("co2_ppm", 400.0), new Field("temperature_c", value)]);
        Assert.Equal("field 'temperature_c'", error.Part);
        Assert.Contains(word, error.Message);
    }

    [Theory]
    [InlineData("air\nquality", "measurement name")]
    [InlineData("air\rquality", "measurement name")]
    [InlineData("\tair_quality", "measurement name")]
    public void LineBreakInMeasurement_IsRefused_AndTheMessageStaysOnOneLine(string measurement, string part)
    {
        var error = Refused(measurement, [], [new Field("f", 1.0)]);
        Assert.Equal(part, error.Part);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
    }

    [Fact]
    public void LineBreakInTagValue_IsRefused_NamingTheTag()
    {
        var error = Refused("m", [new Tag("room", "CM1\nCM2")], [new Field("f", 1.0)]);
        Assert.Equal("value of tag 'room'", error.Part);
        Assert.Contains("CM1\\nCM2", error.Message);
    }

    [Fact]
    public void LineBreakInFieldKey_IsRefused() =>
        Assert.Equal("key of field 'a\\nb'", Refused("m", [], [new Field("a\nb", 1.0)]).Part);

    [Fact]
    public void EmptyTagValue_IsRefused_WithAdvice()
    {
        var error = Refused("m", [new Tag("room", "")], [new Field("f", 1.0)]);
        Assert.Equal("tag 'room'", error.Part);
        Assert.Contains("leave the tag out", error.Message);
    }

    [Fact]
    public void EmptyTagKey_IsRefused() =>
        Assert.Contains("tag key", Refused("m", [new Tag("", "v")], [new Field("f", 1.0)]).Part);

    [Fact]
    public void EmptyFieldKey_IsRefused() =>
        Assert.Contains("key of field", Refused("m", [], [new Field("", 1.0)]).Part);

    [Fact]
    public void TimeAsTagOrFieldKey_IsRefused()
    {
        Assert.Equal("tag key 'time'", Refused("m", [new Tag("time", "x")], [new Field("f", 1.0)]).Part);
        Assert.Equal("field key 'time'", Refused("m", [], [new Field("time", 1.0)]).Part);
    }

    [Fact]
    public void DuplicateKeys_AreRefused()
    {
        Assert.Contains("twice", Refused("m", [new Tag("a", "1"), new Tag("a", "2")], [new Field("f", 1.0)]).Message);
        Assert.Contains("twice", Refused("m", [], [new Field("f", 1.0), new Field("f", 2.0)]).Message);
    }

    [Fact]
    public void DoubleQuoteInFieldKey_IsRefused() =>
        Assert.Contains("double quote", Refused("m", [], [new Field("a\"b", 1.0)]).Message);

    [Fact]
    public void MeasurementStartingWithHash_IsRefused_BecauseInfluxReadsACommentLine() =>
        Assert.Contains("comment", Refused("#m", [], [new Field("f", 1.0)]).Message);

    [Theory]
    [InlineData("ends\\")]
    [InlineData("before\\,comma")]
    [InlineData("before\\ space")]
    [InlineData("before\\=equals")]
    [InlineData("before\\\"quote")]
    public void BackslashTheServerWouldTakeAsEscape_IsRefusedInTagValues(string value)
    {
        var error = Refused("m", [new Tag("t", value)], [new Field("f", 1.0)]);
        Assert.Equal("value of tag 't'", error.Part);
        Assert.Contains("backslash", error.Message);
    }

    [Fact]
    public void LiteralBackslash_IsAccepted_WhereTheServerKeepsIt()
    {
        var reading = new Reading("m\\x", [new Tag("path", "C:\\temp")], [new Field("f", "ends\\")], 0);
        Assert.Equal("C:\\temp", reading.Tag("path"));
    }

    [Fact]
    public void OverlongStringField_IsRefused()
    {
        var error = Refused("m", [], [new Field("note", new string('x', ReadingRules.MaxStringFieldBytes + 1))]);
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public void Timestamp_FromDateTimeOffset_IsUtcNanoseconds()
    {
        var when = new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.FromHours(1)).AddTicks(1234567);
        var reading = new Reading("m", [], [new Field("f", 1.0)], when);
        Assert.Equal(1_795_509_000_123_456_700L, reading.TimestampNs);
        Assert.Equal(when, reading.Timestamp);
    }
}
