using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Core;
using Sensors.Gateway.Indicators;
using Sensors.Sites;

namespace Sensors.Gateway.Tests.Indicators;

/// <summary>The classroom indicator's rule, without any device: the pages' thresholds, grey when the reading cannot be trusted, the buzzer only at red in lessons and unmuted.</summary>
public sealed class IndicatorRuleTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    // Thursday 3 December 2026, 10:00 in Paris: a lesson (08:30–12:00) by the default week.
    private static readonly DateTimeOffset ThursdayTen = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static IndicatorShows Show(double? ppm, DateTimeOffset now, TimeSpan age = default, bool muted = false) =>
        IndicatorRule.Decide(ppm is { } p ? (p, now - age) : null, now, Co2Levels.Default, LessonHours.Default, Paris, muted);

    [Theory]
    [InlineData(420, LightShown.Green, "Air sain")]
    [InlineData(799, LightShown.Green, "Air sain")]
    [InlineData(800, LightShown.Orange, "Air chargé")]
    [InlineData(1500, LightShown.Orange, "Air chargé")]
    [InlineData(1501, LightShown.Red, "Air très chargé")]
    public void TheLight_FollowsThePagesThresholds(double ppm, LightShown colour, string words)
    {
        var shows = Show(ppm, ThursdayTen);
        Assert.Equal(colour, shows.Colour);
        Assert.Equal(words, shows.French);
        Assert.Equal(ppm, shows.Ppm);
    }

    [Fact]
    public void AMissingOrStaleReading_IsGrey_NeverGreen_AndSilent()
    {
        Assert.Equal(LightShown.Grey, Show(null, ThursdayTen).Colour);
        var stale = Show(420, ThursdayTen, age: TimeSpan.FromMinutes(11));
        Assert.Equal(LightShown.Grey, stale.Colour);
        Assert.Equal("Mesure trop ancienne (09:49)", stale.French);
        Assert.Null(stale.Ppm);
        Assert.False(Show(2500, ThursdayTen, age: TimeSpan.FromMinutes(30)).Buzzer);
        Assert.Equal(LightShown.Green, Show(420, ThursdayTen, age: TimeSpan.FromMinutes(9)).Colour);
    }

    [Fact]
    public void TheBuzzer_SoundsOnlyAtRed_DuringALesson_AndNotOnceMuted()
    {
        Assert.True(Show(1800, ThursdayTen).Buzzer);
        Assert.False(Show(1400, ThursdayTen).Buzzer);                       // orange
        Assert.False(Show(1800, ThursdayTen, muted: true).Buzzer);          // muted by the teacher
        Assert.Contains("muted", Show(1800, ThursdayTen, muted: true).Why, StringComparison.Ordinal);
        Assert.False(Show(1800, ThursdayTen.AddHours(3)).Buzzer);           // 13:00: lunch break
        Assert.False(Show(1800, ThursdayTen.AddDays(2)).Buzzer);            // Saturday
        Assert.Contains("outside lesson hours", Show(1800, ThursdayTen.AddDays(2)).Why, StringComparison.Ordinal);
        Assert.Equal(LightShown.Red, Show(1800, ThursdayTen.AddDays(2)).Colour); // the light still says red
    }
}
