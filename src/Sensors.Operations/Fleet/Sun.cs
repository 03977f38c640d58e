namespace Sensors.Operations.Fleet;

/// <summary>
/// Sunrise and sunset for a place and a day, by NOAA's solar calculator (the sun's centre 0.833°
/// below the horizon: refraction and the disc's radius). Pure; good to a minute or two, well
/// inside the lamps' margin. Null for a day without sunrise or sunset (polar day or night).
/// </summary>
public static class Sun
{
    public static (DateTimeOffset Rise, DateTimeOffset Set)? RiseAndSet(DateOnly day, double latitude, double longitude)
    {
        var noonUtc = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var (declination, equationMinutes) = SolarPosition(noonUtc.AddHours(-longitude / 15));
        var lat = Radians(latitude);
        var cosHourAngle = (Math.Cos(Radians(90.833)) / (Math.Cos(lat) * Math.Cos(declination))) - (Math.Tan(lat) * Math.Tan(declination));
        if (cosHourAngle is < -1 or > 1)
        {
            return null;
        }

        var hourAngleMinutes = Degrees(Math.Acos(cosHourAngle)) * 4;
        var solarNoonMinutes = 720 - (4 * longitude) - equationMinutes;
        var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return (midnight.AddMinutes(solarNoonMinutes - hourAngleMinutes), midnight.AddMinutes(solarNoonMinutes + hourAngleMinutes));
    }

    /// <summary>Day (true) or night (false) at <paramref name="at"/>, or null within <paramref name="margin"/> of sunrise or sunset (either way is right then).</summary>
    public static bool? IsDay(DateTimeOffset at, double latitude, double longitude, TimeSpan margin)
    {
        var utcDay = DateOnly.FromDateTime(at.UtcDateTime);
        foreach (var day in new[] { utcDay.AddDays(-1), utcDay, utcDay.AddDays(1) })
        {
            if (RiseAndSet(day, latitude, longitude) is not { } sun)
            {
                continue;
            }

            if ((at - sun.Rise).Duration() <= margin || (at - sun.Set).Duration() <= margin)
            {
                return null;
            }

            if (at > sun.Rise && at < sun.Set)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The sun's declination (radians) and the equation of time (minutes) at an instant.</summary>
    private static (double Declination, double EquationMinutes) SolarPosition(DateTimeOffset at)
    {
        var julianCentury = ((at.UtcDateTime.ToOADate() + 2415018.5) - 2451545.0) / 36525.0;
        var meanLongitude = (280.46646 + (julianCentury * (36000.76983 + (julianCentury * 0.0003032)))) % 360;
        var meanAnomaly = 357.52911 + (julianCentury * (35999.05029 - (0.0001537 * julianCentury)));
        var eccentricity = 0.016708634 - (julianCentury * (0.000042037 + (0.0000001267 * julianCentury)));
        var centre = (Math.Sin(Radians(meanAnomaly)) * (1.914602 - (julianCentury * (0.004817 + (0.000014 * julianCentury)))))
            + (Math.Sin(Radians(2 * meanAnomaly)) * (0.019993 - (0.000101 * julianCentury)))
            + (Math.Sin(Radians(3 * meanAnomaly)) * 0.000289);
        var trueLongitude = meanLongitude + centre;
        var omega = 125.04 - (1934.136 * julianCentury);
        var apparentLongitude = trueLongitude - 0.00569 - (0.00478 * Math.Sin(Radians(omega)));
        var meanObliquity = 23 + ((26 + ((21.448 - (julianCentury * (46.815 + (julianCentury * (0.00059 - (julianCentury * 0.001813)))))) / 60)) / 60);
        var obliquity = meanObliquity + (0.00256 * Math.Cos(Radians(omega)));
        var declination = Math.Asin(Math.Sin(Radians(obliquity)) * Math.Sin(Radians(apparentLongitude)));
        var y = Math.Pow(Math.Tan(Radians(obliquity / 2)), 2);
        var equation = 4 * Degrees((y * Math.Sin(2 * Radians(meanLongitude)))
            - (2 * eccentricity * Math.Sin(Radians(meanAnomaly)))
            + (4 * eccentricity * y * Math.Sin(Radians(meanAnomaly)) * Math.Cos(2 * Radians(meanLongitude)))
            - (0.5 * y * y * Math.Sin(4 * Radians(meanLongitude)))
            - (1.25 * eccentricity * eccentricity * Math.Sin(2 * Radians(meanAnomaly))));
        return (declination, equation);
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;

    private static double Degrees(double radians) => radians * 180 / Math.PI;
}
