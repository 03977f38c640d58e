using Sensors.Core;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Sites;

namespace Sensors.Gateway.Indicators;

/// <summary>What a classroom's indicator shows now: its colour, the ppm and words for a display, whether the buzzer sounds, and why.</summary>
public sealed record IndicatorShows(LightShown Colour, double? Ppm, string French, string English, bool Buzzer, string Why);

/// <summary>
/// The one rule of the classroom indicators (the light in the room, where the teacher decides to
/// open the window): the same <see cref="Co2Levels"/> as the status page and the portal, and two
/// rules of their own. A reading that is missing or older than <paramref name="staleAfter"/> shows
/// grey, never green: a light that stays green because the sensor died would be worse than none.
/// The buzzer sounds only at red, during lesson hours (the site file's), and not once muted.
/// Pure: the devices (LEDs, displays, buzzer) only show what this decides.
/// </summary>
public static class IndicatorRule
{
    /// <summary>Ten minutes: two missed readings of the slowest sensor (SCD4x low power every 30 s, MH-Z19B polled every minute) and then some.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(10);

    public static IndicatorShows Decide((double Ppm, DateTimeOffset At)? last, DateTimeOffset now, Co2Levels levels, LessonHours lessons, TimeZoneInfo zone, bool muted, TimeSpan? staleAfter = null)
    {
        if (last is not { } reading)
        {
            return new IndicatorShows(LightShown.Grey, null, "Pas de mesure", "No reading", false, "no reading from the room's sensor yet");
        }

        var age = now - reading.At;
        if (age > (staleAfter ?? DefaultStaleAfter))
        {
            var at = TimeZoneInfo.ConvertTime(reading.At, zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            return new IndicatorShows(LightShown.Grey, null, $"Mesure trop ancienne ({at})", $"Reading too old ({at})", false, $"the last reading is {age.TotalMinutes:0} min old");
        }

        var light = levels.Classify(reading.Ppm);
        var (french, english) = Co2Advice.Label(light);
        var colour = light switch
        {
            Co2Light.Green => LightShown.Green,
            Co2Light.Orange => LightShown.Orange,
            _ => LightShown.Red,
        };
        var lesson = lessons.IsLesson(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var buzzer = colour == LightShown.Red && lesson && !muted;
        var why = colour != LightShown.Red ? $"{reading.Ppm:0} ppm"
            : buzzer ? $"{reading.Ppm:0} ppm, above {levels.RedAbovePpm:0}, during a lesson: the buzzer sounds"
            : $"{reading.Ppm:0} ppm, above {levels.RedAbovePpm:0}; buzzer silent ({(muted ? "muted" : "outside lesson hours")})";
        return new IndicatorShows(colour, reading.Ppm, french, english, buzzer, why);
    }
}
