namespace Sensors.Portal.Data;

/// <summary>
/// Readings taken during lessons, how many of them were above 1000 and above 1700 ppm, and the
/// lesson minutes that have readings (by the hour from the roll-up, by five minutes from the minute data).
/// </summary>
public readonly record struct IconeCounts(long Samples, long Above1000, long Above1700, long MeasuredMinutes = 0)
{
    public static IconeCounts operator +(IconeCounts a, IconeCounts b) => new(a.Samples + b.Samples, a.Above1000 + b.Above1000, a.Above1700 + b.Above1700, a.MeasuredMinutes + b.MeasuredMinutes);

    /// <summary>Share of lesson time between 1000 and 1700 ppm.</summary>
    public double F1 => Samples == 0 ? 0 : (double)(Above1000 - Above1700) / Samples;

    /// <summary>Share of lesson time above 1700 ppm.</summary>
    public double F2 => Samples == 0 ? 0 : (double)Above1700 / Samples;
}

/// <summary>
/// The confinement index ICONE (CSTB, used in the French regulatory checks of schools' indoor air):
/// from the readings taken while pupils are in the room, f1 = share between 1000 and 1700 ppm,
/// f2 = share above 1700 ppm, ICONE = 2.5 / log10(2) × log10(1 + f1 + 3 f2), rounded to a whole
/// number from 0 (no confinement) to 5 (extreme). Pure.
/// </summary>
public static class Icone
{
    /// <summary>The index, or null when no reading was taken during lessons.</summary>
    public static int? Of(IconeCounts counts) => counts.Samples == 0 ? null : (int)Math.Round(Raw(counts), MidpointRounding.AwayFromZero);

    /// <summary>The index before rounding, 0 to 5.</summary>
    public static double Raw(IconeCounts counts) => 2.5 / Math.Log10(2) * Math.Log10(1 + counts.F1 + (3 * counts.F2));

    public static (string French, string English) Label(int index) => index switch
    {
        0 => ("nul", "none"),
        1 => ("faible", "low"),
        2 => ("moyen", "moderate"),
        3 => ("élevé", "high"),
        4 => ("très élevé", "very high"),
        _ => ("extrême", "extreme"),
    };

    /// <summary>What the index asks of the school, in plain words.</summary>
    public static (string French, string English) Advice(int index) => index switch
    {
        <= 1 => ("L'air de la classe est bien renouvelé.", "The classroom's air is well renewed."),
        <= 3 => ("Il faut aérer plus souvent : quelques minutes à chaque récréation et entre les cours.", "Air the room more often: a few minutes at each break and between lessons."),
        _ => ("L'air est très confiné : aérer à chaque pause et faire vérifier la ventilation.", "The air is very confined: air the room at every break and have the ventilation checked."),
    };
}
