namespace Sensors.Portal.Rollups;

/// <summary>One lamp's meter on one local day: its first and last reading (energy_kwh is cumulative).</summary>
public readonly record struct MeterDay(DateOnly Day, double First, double Last);

/// <summary>
/// The energy a lamp's meter counted each day: its last reading of the day minus its last reading
/// of the day before, or, when the lamp has no reading the day before (its first day, a day after
/// an outage), minus its first reading of the day. So a partial day (today, the first day of a
/// new lamp or of the history) counts what was metered. A meter that went back (a controller
/// replaced) counts from zero. Pure: the roll-up job gives it the days it read.
/// </summary>
public static class LampEnergy
{
    /// <summary>Each day of <paramref name="days"/> (in order) from <paramref name="firstDay"/> on, with its energy in kWh.</summary>
    public static IEnumerable<(DateOnly Day, double Kwh, double Meter)> PerDay(IEnumerable<MeterDay> days, DateOnly firstDay)
    {
        double? previous = null;
        DateOnly? previousDay = null;
        foreach (var (day, first, last) in days)
        {
            var start = previous is { } before && previousDay is { } dayBefore && day.DayNumber - dayBefore.DayNumber == 1 ? before : first;
            if (day >= firstDay)
            {
                yield return (day, last >= start ? last - start : last, last);
            }

            previous = last;
            previousDay = day;
        }
    }
}
