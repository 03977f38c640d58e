using Sensors.Portal.Influx;

namespace Sensors.Portal.Data;

/// <summary>One value of one group (a sector, a street) on one local day.</summary>
public sealed record DayValue(DateOnly Day, string Group, double Value, double? Second = null);

/// <summary>Fill levels of one sector's bins now: how many report, how many are above the threshold, the mean.</summary>
public sealed record SectorFill(string Sector, int Bins, int AboveThreshold, double MeanFillPct);

/// <summary>A lamp post whose controller reports a fault, or has gone silent.</summary>
public sealed record LampProblem(string LampId, string Street, int? FaultCode, DateTimeOffset LastSeen, bool Silent);

/// <summary>
/// Bins and lamp posts, read from the central InfluxDB. Pickups are read per sector only: the
/// pseudonymised bin id of a household never leaves the database through the portal.
/// Days are local days of the city (InfluxQL's tz()).
/// </summary>
public sealed class CityData(IInfluxQuery influx, PortalOptions options)
{
    /// <summary>Pickups (and weight) per sector per local day; the raw policy (90 days) or the hourly roll-up for longer.</summary>
    public async Task<IReadOnlyList<DayValue>> PickupsPerDayAsync(DateTimeOffset from, DateTimeOffset to, bool hourly, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT sum(\"count\") AS pickups, sum(weight_kg) AS weight_kg FROM {(hourly ? options.Hourly("bin_pickup") : options.Raw("bin_pickup"))} WHERE {Ql.Between(from, to)} GROUP BY time(1d), \"sector\" fill(0) {options.Tz}"],
            cancellation);
        return [.. Days(answers[0], "sector", 1, 2)];
    }

    /// <summary>Each sector's bins by their last fill level of the last two days.</summary>
    public async Task<IReadOnlyList<SectorFill>> FillBySectorAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT last(fill_pct) FROM {options.Raw("bin_fill")} WHERE {Ql.Between(now - TimeSpan.FromDays(2), now + TimeSpan.FromMinutes(1))} GROUP BY \"sector\", \"bin_id\""],
            cancellation);
        return [.. answers[0]
            .Where(s => s.Rows.Count > 0 && Series.Number(s.Rows[0], 1) is not null)
            .GroupBy(s => Group(s.Tag("sector")))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var fills = g.Select(s => Series.Number(s.Rows[0], 1)!.Value).ToList();
                return new SectorFill(g.Key, fills.Count, fills.Count(f => f >= options.FillThresholdPct), fills.Average());
            })];
    }

    /// <summary>Mean and highest fill level per sector per day (hourly roll-up).</summary>
    public async Task<IReadOnlyList<DayValue>> FillPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT mean(fill_pct) AS fill_pct, max(fill_pct_max) AS fill_pct_max FROM {options.Hourly("bin_fill")} WHERE {Ql.Between(from, to)} GROUP BY time(1d), \"sector\" fill(none) {options.Tz}"],
            cancellation);
        return [.. Days(answers[0], "sector", 1, 2)];
    }

    /// <summary>
    /// Energy per street per local day, from each lamp's meter (energy_kwh, cumulative) in the
    /// minute data: its last reading of the day minus its last reading of the day before, or, when
    /// the lamp has no reading the day before (its first day, a day after an outage), minus its
    /// first reading of the day; summed over the street's lamps. So a partial day (today, the first
    /// day of a new lamp or of the demo's history) counts what was metered. A meter that went back
    /// (a controller replaced) counts from zero. Second value: lamps counted.
    /// </summary>
    public async Task<IReadOnlyList<DayValue>> EnergyPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT first(energy_kwh), last(energy_kwh) FROM {options.Raw("lamp")} WHERE {Ql.Between(from - TimeSpan.FromDays(1), to)} GROUP BY time(1d), \"street\", \"lamp_id\" fill(none) {options.Tz}"],
            cancellation);
        var zone = options.Zone;
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime);
        var perStreet = new Dictionary<(DateOnly, string), (double Kwh, int Lamps)>();
        foreach (var lamp in answers[0])
        {
            double? previous = null;
            DateOnly? previousDay = null;
            foreach (var row in lamp.Rows)
            {
                if (Series.Number(row, 1) is not { } first || Series.Number(row, 2) is not { } last)
                {
                    continue;
                }

                var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Series.Time(row), zone).DateTime);
                var start = previous is { } before && previousDay is { } dayBefore && day.DayNumber - dayBefore.DayNumber == 1 ? before : first;
                if (day >= firstDay)
                {
                    var key = (day, Group(lamp.Tag("street")));
                    var sum = perStreet.GetValueOrDefault(key);
                    perStreet[key] = (sum.Kwh + (last >= start ? last - start : last), sum.Lamps + 1);
                }

                previous = last;
                previousDay = day;
            }
        }

        return [.. perStreet.OrderBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).Select(p => new DayValue(p.Key.Item1, p.Key.Item2, p.Value.Kwh, p.Value.Lamps))];
    }

    /// <summary>Lamps whose last report of the last day carries a fault code, and lamps silent for a day that reported in the week.</summary>
    public async Task<IReadOnlyList<LampProblem>> LampProblemsAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var lamp = options.Raw("lamp");
        var answers = await influx.QueryAsync(
            [
                $"SELECT last(fault_code) FROM {lamp} WHERE {Ql.Between(now - TimeSpan.FromDays(1), now + TimeSpan.FromMinutes(1))} GROUP BY \"street\", \"lamp_id\"",
                $"SELECT last(power_w) FROM {lamp} WHERE {Ql.Between(now - TimeSpan.FromDays(7), now + TimeSpan.FromMinutes(1))} GROUP BY \"street\", \"lamp_id\"",
            ],
            cancellation);
        var problems = new List<LampProblem>();
        foreach (var series in answers[0].Where(s => s.Rows.Count > 0))
        {
            if (Series.Number(series.Rows[0], 1) is { } code && code > 0)
            {
                problems.Add(new LampProblem(series.Tag("lamp_id"), Group(series.Tag("street")), (int)code, Series.Time(series.Rows[0]), false));
            }
        }

        foreach (var series in answers[1].Where(s => s.Rows.Count > 0))
        {
            var last = Series.Time(series.Rows[0]);
            if (now - last > TimeSpan.FromDays(1))
            {
                problems.Add(new LampProblem(series.Tag("lamp_id"), Group(series.Tag("street")), null, last, true));
            }
        }

        return [.. problems.OrderBy(p => p.Street, StringComparer.Ordinal).ThenBy(p => p.LampId, StringComparer.Ordinal)];
    }

    /// <summary>Mean dimming level and power per local hour of the day over the last week (hourly roll-up); index 0 is midnight.</summary>
    public async Task<(double? DimPct, double? PowerW)[]> DimmingProfileAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT mean(dim_pct) AS dim_pct, mean(power_w) AS power_w FROM {options.Hourly("lamp")} WHERE {Ql.Between(now - TimeSpan.FromDays(7), now)} GROUP BY time(1h) fill(none) {options.Tz}"],
            cancellation);
        var sums = new (double Dim, int DimN, double Power, int PowerN)[24];
        foreach (var row in answers[0].SelectMany(s => s.Rows))
        {
            var hour = TimeZoneInfo.ConvertTime(Series.Time(row), options.Zone).Hour;
            if (Series.Number(row, 1) is { } dim)
            {
                sums[hour].Dim += dim;
                sums[hour].DimN++;
            }

            if (Series.Number(row, 2) is { } power)
            {
                sums[hour].Power += power;
                sums[hour].PowerN++;
            }
        }

        return [.. sums.Select(s => (s.DimN > 0 ? s.Dim / s.DimN : (double?)null, s.PowerN > 0 ? s.Power / s.PowerN : (double?)null))];
    }

    private IEnumerable<DayValue> Days(IReadOnlyList<Series> series, string tag, int first, int second)
    {
        foreach (var s in series)
        {
            foreach (var row in s.Rows)
            {
                if (Series.Number(row, first) is { } value)
                {
                    yield return new DayValue(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Series.Time(row), options.Zone).DateTime), Group(s.Tag(tag)), value, Series.Number(row, second));
                }
            }
        }
    }

    /// <summary>A reading without a sector or street still counts, under "—".</summary>
    private static string Group(string tag) => tag.Length == 0 ? "—" : tag;
}
