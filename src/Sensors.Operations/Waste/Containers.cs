namespace Sensors.Operations.Waste;

/// <summary>One fill level: an hour's mean of a container's readings.</summary>
public readonly record struct FillPoint(DateTimeOffset At, double Pct);

/// <summary>A container as the rounds see it: its fill now, its last emptying, how fast it fills, when it will be full, and whether that can be trusted.</summary>
public sealed record ContainerState(
    string Bin,
    string Sector,
    string Street,
    string Site,
    double? Fill,
    DateTimeOffset? LastReading,
    DateTimeOffset? LastEmptied,
    double? RatePerDay,
    DateTimeOffset? FullAt,
    int PointsSinceEmptying,
    string Status)
{
    public const string Ok = "ok";
    public const string Silent = "silent";
    public const string NotEnough = "not_enough";
}

/// <summary>One emptying: when, how full the container was just before, and the hours it had spent full since the one before.</summary>
public sealed record Emptying(DateTimeOffset At, double LevelBefore, int HoursFull);

/// <summary>
/// The rounds' rules, pure.
/// <para><b>Emptying.</b> A reading at least <c>drop</c> points below the level before it (the
/// median of up to three readings before), and the next reading too: the drop holds. A bag on
/// the sensor reads high for an hour and falls back: that is a rise and a fall to the same level,
/// never a drop below it, so it never makes an emptying; a single low reading (a reflection) is
/// not confirmed by the next one. The last reading cannot be confirmed yet: an emptying there
/// shows an hour later.</para>
/// <para><b>Fill rate.</b> Theil–Sen: the median of the slopes between every two readings since
/// the last emptying (robust to a bag, a reflection, a frost). <b>Forecast</b>: the day it reaches
/// 100 % at that rate, from its current fill; never from fewer than the points needed.</para>
/// </summary>
public static class Containers
{
    public static IReadOnlyList<int> Emptyings(IReadOnlyList<FillPoint> points, double drop)
    {
        var found = new List<int>();
        for (var i = 1; i + 1 < points.Count; i++)
        {
            var level = LevelBefore(points, i);
            if (points[i].Pct <= level - drop && points[i + 1].Pct <= level - drop)
            {
                found.Add(i);
                i++; // the confirming reading is part of this emptying, not the start of another
            }
        }

        return found;
    }

    /// <summary>The median of up to three readings before <paramref name="index"/>.</summary>
    public static double LevelBefore(IReadOnlyList<FillPoint> points, int index)
    {
        var before = points.Skip(Math.Max(0, index - 3)).Take(Math.Min(3, index)).Select(p => p.Pct).Order().ToList();
        return before.Count % 2 == 1 ? before[before.Count / 2] : (before[(before.Count / 2) - 1] + before[before.Count / 2]) / 2;
    }

    /// <summary>Theil–Sen slope, in points per hour: the median of the pairwise slopes.</summary>
    public static double? TheilSen(IReadOnlyList<FillPoint> points)
    {
        var slopes = new List<double>(points.Count * (points.Count - 1) / 2);
        for (var i = 0; i < points.Count; i++)
        {
            for (var j = i + 1; j < points.Count; j++)
            {
                var hours = (points[j].At - points[i].At).TotalHours;
                if (hours > 0)
                {
                    slopes.Add((points[j].Pct - points[i].Pct) / hours);
                }
            }
        }

        if (slopes.Count == 0)
        {
            return null;
        }

        slopes.Sort();
        var middle = slopes.Count / 2;
        return slopes.Count % 2 == 1 ? slopes[middle] : (slopes[middle - 1] + slopes[middle]) / 2;
    }

    /// <summary>Each emptying of the series: its time, the level before, and the hours at or above <paramref name="fullAt"/> since the previous emptying (or the series' start).</summary>
    public static IReadOnlyList<Emptying> History(IReadOnlyList<FillPoint> points, double drop, double fullAt)
    {
        var emptyings = new List<Emptying>();
        var from = 0;
        foreach (var index in Emptyings(points, drop))
        {
            var hoursFull = points.Skip(from).Take(index - from).Count(p => p.Pct >= fullAt);
            emptyings.Add(new Emptying(points[index].At, LevelBefore(points, index), hoursFull));
            from = index;
        }

        return emptyings;
    }

    public static ContainerState Assess(string bin, string sector, string street, string site, IReadOnlyList<FillPoint> points, DateTimeOffset now, WasteOptions options)
    {
        if (points.Count == 0)
        {
            return new ContainerState(bin, sector, street, site, null, null, null, null, null, 0, ContainerState.Silent);
        }

        var last = points[^1];
        var emptyings = Emptyings(points, options.EmptyingDropPts);
        var since = emptyings.Count > 0 ? emptyings[^1] : 0;
        var recent = points.Skip(since).ToList();
        var emptied = emptyings.Count > 0 ? points[since].At : (DateTimeOffset?)null;
        if (now - last.At > options.SilentAfter)
        {
            return new ContainerState(bin, sector, street, site, last.Pct, last.At, emptied, null, null, recent.Count, ContainerState.Silent);
        }

        if (recent.Count < options.MinForecastPoints)
        {
            return new ContainerState(bin, sector, street, site, last.Pct, last.At, emptied, null, null, recent.Count, ContainerState.NotEnough);
        }

        var perHour = TheilSen(recent);
        DateTimeOffset? fullAt = perHour is > 0 ? last.At + TimeSpan.FromHours(Math.Max(0, 100 - last.Pct) / perHour.Value) : null;
        return new ContainerState(bin, sector, street, site, last.Pct, last.At, emptied, perHour * 24, fullAt, recent.Count, ContainerState.Ok);
    }

    /// <summary>Tomorrow's round: full enough now, or forecast full before the next collection after tomorrow; apart, those whose sensor is silent or has too few readings to say.</summary>
    public static (IReadOnlyList<ContainerState> Round, IReadOnlyList<ContainerState> Apart) Round(IEnumerable<ContainerState> containers, DateTimeOffset tomorrow, WasteOptions options)
    {
        var all = containers.OrderBy(c => c.Sector, StringComparer.Ordinal).ThenBy(c => c.Street, StringComparer.Ordinal).ThenBy(c => c.Bin, StringComparer.Ordinal).ToList();
        var round = all.Where(c => c.Status != ContainerState.Silent && (c.Fill >= options.EmptyFromPct || (c.Status == ContainerState.Ok && c.FullAt is { } full && full <= tomorrow + options.CollectionEvery))).ToList();
        var apart = all.Where(c => !round.Contains(c) && c.Status != ContainerState.Ok).ToList();
        return (round, apart);
    }
}
