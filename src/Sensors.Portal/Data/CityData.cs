using Sensors.Central;
using Sensors.Portal.Influx;
using Sensors.Portal.Rollups;

namespace Sensors.Portal.Data;

/// <summary>One value of one group (a sector, a street) on one local day.</summary>
public sealed record DayValue(DateOnly Day, string Group, double Value, double? Second = null);

/// <summary>Fill levels of one sector's bins now: how many report, how many are above the threshold, the mean.</summary>
public sealed record SectorFill(string Sector, int Bins, int AboveThreshold, double MeanFillPct);

/// <summary>A lamp post whose controller reports a fault, or has gone silent.</summary>
public sealed record LampProblem(string LampId, string Street, int? FaultCode, DateTimeOffset LastSeen, bool Silent);

/// <summary>
/// Bins and lamp posts, read from the roll-ups the roll-up job keeps (Sensors.Portal/Rollups):
/// a page reads a point per sector, street or hour and day, never the minute data of thousands of
/// bins and lamps. Pickups are per sector only: the pseudonymised bin id of a household never
/// leaves the database through the portal. Days are local days of the city.
/// </summary>
public sealed class CityData(IInfluxQuery influx, PortalOptions options)
{
    /// <summary>Pickups (and weight) per sector per local day; every sector, or one.</summary>
    public async Task<IReadOnlyList<DayValue>> PickupsPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation, string? sector = null)
    {
        var answers = await influx.QueryAsync([$"SELECT pickups, weight_kg FROM {options.Hourly(RollupNames.PickupsPerSectorDay)} WHERE {Ql.Between(from, to)}{Sector(sector)} GROUP BY \"sector\""], cancellation);
        return [.. Days(answers[0], "sector", 1, 2)];
    }

    /// <summary>Pickups of every sector together per local day.</summary>
    public async Task<IReadOnlyList<DayValue>> PickupsPerDayAllSectorsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT sum(pickups) FROM {options.Hourly(RollupNames.PickupsPerSectorDay)} WHERE {Ql.Between(from, to)} GROUP BY time(1d) fill(none) {options.Tz}"], cancellation);
        return [.. Days(answers[0], "sector", 1, 1)];
    }

    /// <summary>When the roll-up job last wrote the state of the bins and lamps, within the day before <paramref name="now"/>; null if it has not.</summary>
    public async Task<DateTimeOffset?> LastRunAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT last(sectors) FROM {options.Raw(RollupNames.Run)} WHERE {Ql.Between(now - TimeSpan.FromDays(1), now + TimeSpan.FromMinutes(1))}"], cancellation);
        return answers[0].SelectMany(s => s.Rows).Select(Series.Time).Cast<DateTimeOffset?>().FirstOrDefault();
    }

    /// <summary>Each sector's containers by their last fill level of the two days before the run.</summary>
    public async Task<IReadOnlyList<SectorFill>> FillBySectorAsync(DateTimeOffset run, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT bins, to_empty, fill_pct FROM {options.Raw(RollupNames.FillNow)} WHERE time = {Ql.Time(run)} GROUP BY \"sector\""], cancellation);
        return [.. answers[0]
            .Where(s => s.Rows.Count > 0)
            .Select(s => new SectorFill(Group(s.Tag("sector")), (int)(Series.Number(s.Rows[0], 1) ?? 0), (int)(Series.Number(s.Rows[0], 2) ?? 0), Series.Number(s.Rows[0], 3) ?? 0))
            .OrderBy(f => f.Sector, StringComparer.Ordinal)];
    }

    /// <summary>Mean and highest fill level per sector per day; every sector, or one.</summary>
    public async Task<IReadOnlyList<DayValue>> FillPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation, string? sector = null)
    {
        var answers = await influx.QueryAsync([$"SELECT fill_pct, fill_pct_max FROM {options.Hourly(RollupNames.FillPerSectorDay)} WHERE {Ql.Between(from, to)}{Sector(sector)} GROUP BY \"sector\""], cancellation);
        return [.. Days(answers[0], "sector", 1, 2)];
    }

    /// <summary>Energy per street per local day (the rule: <see cref="LampEnergy"/>); second value: lamps counted.</summary>
    public async Task<IReadOnlyList<DayValue>> EnergyPerDayAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT energy_kwh, lamps FROM {options.Hourly(RollupNames.EnergyPerStreetDay)} WHERE {Ql.Between(from, to)} GROUP BY \"street\""], cancellation);
        return [.. Days(answers[0], "street", 1, 2).OrderBy(d => d.Day).ThenBy(d => d.Group, StringComparer.Ordinal)];
    }

    /// <summary>At the run: lamps whose last report of the day before carries a fault code, and lamps silent for a day that reported in the week.</summary>
    public async Task<IReadOnlyList<LampProblem>> LampProblemsAsync(DateTimeOffset run, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT fault_code, last_seen_s, silent FROM {options.Raw(RollupNames.LampProblemNow)} WHERE time = {Ql.Time(run)} GROUP BY \"street\", \"lamp_id\""], cancellation);
        return [.. answers[0]
            .Where(s => s.Rows.Count > 0)
            .Select(s =>
            {
                var row = s.Rows[0];
                var silent = Series.Number(row, 3) is 1.0;
                return new LampProblem(s.Tag("lamp_id"), Group(s.Tag("street")), silent ? null : (int?)(Series.Number(row, 1) ?? 0), DateTimeOffset.FromUnixTimeSeconds((long)(Series.Number(row, 2) ?? 0)), silent);
            })
            .OrderBy(p => p.Street, StringComparer.Ordinal).ThenBy(p => p.LampId, StringComparer.Ordinal).ThenBy(p => p.Silent)];
    }

    /// <summary>Mean dimming level and power per local hour of the day over the last week; index 0 is midnight.</summary>
    public async Task<(double? DimPct, double? PowerW)[]> DimmingProfileAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync([$"SELECT dim_pct, power_w FROM {options.Hourly(RollupNames.LampProfileHour)} WHERE {Ql.Between(now - TimeSpan.FromDays(7), now)}"], cancellation);
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

    private static string Sector(string? sector) => sector is null ? string.Empty : $" AND \"sector\" = {Ql.Text(sector)}";

    /// <summary>A reading without a sector or street still counts, under "—".</summary>
    private static string Group(string tag) => tag.Length == 0 ? "—" : tag;
}
