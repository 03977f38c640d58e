using System.Text.Json;

namespace Sensors.Core.Tests;

/// <summary>One overflow-safe conversion of times: a time InfluxDB cannot store is refused in words, never wrapped round to another date.</summary>
public sealed class TimeRangeTests
{
    private static DateTimeOffset? Time(string json) => JsonPath.Time(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("1e30")]                          // the issue's {"time":1e30}
    [InlineData("99999999999999999999")]          // ms by size, year 3170: once stored at 2216
    [InlineData("\"2610-01-01T00:00:00Z\"")]      // once stored at 2025-06-12
    [InlineData("\"9999-12-31T23:59:59Z\"")]
    [InlineData("\"1600-01-01T00:00:00Z\"")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1e400")]
    [InlineData("\"yesterday\"")]
    [InlineData("true")]
    public void OutOfRangeOrNotATime_IsNull(string json) => Assert.Null(Time(json));

    [Theory]
    [InlineData("1790000000", "2026-09-21T14:13:20Z")]           // seconds
    [InlineData("1790000000123", "2026-09-21T14:13:20.123Z")]    // milliseconds
    [InlineData("1790000000123456", "2026-09-21T14:13:20.123456Z")] // microseconds
    [InlineData("1790000000123456700", "2026-09-21T14:13:20.1234567Z")] // nanoseconds
    [InlineData("\"2262-04-11T23:47:16Z\"", "2262-04-11T23:47:16Z")] // the last second InfluxDB stores
    public void UnixTimeBySize_AndIsoText_AreRead(string json, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Time(json));

    [Fact]
    public void AReadingOutsideTheStorableTimes_IsRefusedWithItsDate_NotWrapped()
    {
        var error = Assert.Throws<InvalidReadingException>(() => new Reading("air_quality", [], [new Field("co2_ppm", 500.0)], new DateTimeOffset(2610, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains("2610-01-01", error.Message);
        Assert.Contains("2262-04-11", error.Message);

        var edge = new Reading("air_quality", [], [new Field("co2_ppm", 500.0)], UnixNanoseconds.Latest);
        Assert.Equal(UnixNanoseconds.Latest, edge.Timestamp);
        Assert.Throws<InvalidReadingException>(() => edge.WithTimestamp(UnixNanoseconds.Latest.AddTicks(1)));
        Assert.Throws<InvalidReadingException>(() => edge.WithTimestamp(UnixNanoseconds.Earliest.AddTicks(-1)));
    }
}
