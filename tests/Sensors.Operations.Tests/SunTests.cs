using Sensors.Operations.Fleet;

namespace Sensors.Operations.Tests;

/// <summary>Sunrise and sunset against the published times (Paris Observatory / NOAA tables), and the lamps' day and night around them.</summary>
public sealed class SunTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Theory]
    [InlineData(2026, 12, 21, 48.8566, 2.3522, "08:41", "16:56")] // Paris, winter solstice
    [InlineData(2026, 6, 21, 48.8566, 2.3522, "05:47", "21:58")] // Paris, summer solstice (CEST)
    [InlineData(2026, 3, 20, 48.8566, 2.3522, "06:54", "19:04")] // Paris, equinox
    public void RiseAndSet_WithinTwoMinutesOfThePublishedTimes(int year, int month, int day, double latitude, double longitude, string rise, string set)
    {
        var sun = Sun.RiseAndSet(new DateOnly(year, month, day), latitude, longitude)!.Value;
        var date = new DateTime(year, month, day);
        Assert.InRange((TimeZoneInfo.ConvertTime(sun.Rise, Paris).DateTime - (date + TimeSpan.Parse(rise))).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(2));
        Assert.InRange((TimeZoneInfo.ConvertTime(sun.Set, Paris).DateTime - (date + TimeSpan.Parse(set))).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void NoSunriseInThePolarNight()
    {
        Assert.Null(Sun.RiseAndSet(new DateOnly(2026, 12, 21), 78.2, 15.6)); // Longyearbyen
        Assert.Equal(false, Sun.IsDay(new DateTimeOffset(2026, 12, 21, 12, 0, 0, TimeSpan.Zero), 78.2, 15.6, TimeSpan.FromMinutes(40)));
    }

    [Theory]
    [InlineData("2026-12-21T12:00:00+01:00", true)]
    [InlineData("2026-12-21T02:00:00+01:00", false)]
    [InlineData("2026-12-21T08:00:00+01:00", false)] // 41 min before sunrise: night
    [InlineData("2026-12-21T08:30:00+01:00", null)] // 11 min before sunrise: either way
    [InlineData("2026-12-21T17:20:00+01:00", null)] // 24 min after sunset: either way
    [InlineData("2026-12-21T17:40:00+01:00", false)] // 44 min after sunset: night
    [InlineData("2026-12-21T23:59:00+01:00", false)] // late evening, next UTC day's sunrise not yet
    public void IsDay_LeavesTheMarginAroundSunriseAndSunsetAlone(string at, bool? day) =>
        Assert.Equal(day, Sun.IsDay(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), 48.8566, 2.3522, TimeSpan.FromMinutes(40)));
}
