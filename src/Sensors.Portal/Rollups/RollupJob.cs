using Sensors.Central;
using System.Globalization;
using Sensors.Core;
using Sensors.Portal.Influx;
using Sensors.Sites;

namespace Sensors.Portal.Rollups;

/// <summary>
/// Rolls the minute data up into what the waste and lighting pages read (<see cref="RollupNames"/>),
/// so that a page reads hundreds of points, not millions: pickups and fill per sector and day,
/// energy per lamp and per street and day, the lamps' hourly dimming profile, and, at each run,
/// the containers to empty and the lamps in fault now.
/// <para>
/// It reads with InfluxQL and writes line protocol, which InfluxDB 1.x, 2.x and 3.x all take
/// (continuous queries exist only in 1.x). Each run rolls up today and yesterday again; every
/// <see cref="RollupOptions.RecheckEvery"/> it counts the source points of each of the last
/// <see cref="RollupOptions.RecheckDays"/> days and rolls up again the days whose count changed
/// since (late data from a gateway that was cut off); the first run also rolls up every day of
/// the last <see cref="RollupOptions.BackfillDays"/> that has data and no roll-up yet (a city that
/// upgrades). Days older than the raw policy keeps are rolled up from the hourly roll-up.
/// </para>
/// </summary>
public sealed class RollupJob(IInfluxQuery influx, IInfluxWrite writer, PortalOptions options, ILogger<RollupJob> log)
{
    private const int MaxDaysPerStatement = 7;

    /// <summary>What one kind of roll-up reads: its source measurement and the field counted for its fingerprint.</summary>
    private sealed record Kind(string Name, string Measurement, string Counted);

    private static readonly Kind Pickups = new("pickups", "bin_pickup", "\"count\"");
    private static readonly Kind Fill = new("fill", "bin_fill", "fill_pct");
    private static readonly Kind Lamps = new("lamps", "lamp", "energy_kwh");
    private static readonly Kind[] Kinds = [Pickups, Fill, Lamps];

    private DateTimeOffset _lastRecheck = DateTimeOffset.MinValue;
    private bool _backfilled;

    /// <summary>What a run did, for the log and the tests.</summary>
    public sealed record Result(int DaysRolledUp, int PointsWritten, int LateDays, TimeSpan Took);

    /// <summary>One run at <paramref name="now"/>: today and yesterday, the recheck when due, the backfill the first time.</summary>
    public async Task<Result> RunAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var zone = options.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var rawDays = await RawDaysAsync(cancellation);
        var rawFrom = today.AddDays(-(rawDays - 2)); // the raw policy still holds whole days from here on
        var written = 0;
        var rolled = 0;
        var late = 0;
        var recheck = now - _lastRecheck >= options.Rollups.RecheckEvery || !_backfilled;
        var recheckFrom = today.AddDays(-Math.Min(options.Rollups.RecheckDays, rawDays - 2));
        foreach (var kind in Kinds)
        {
            var days = new SortedSet<DateOnly> { today.AddDays(-1), today };
            if (recheck)
            {
                var (changed, differing) = await ChangedDaysAsync(kind, recheckFrom, today.AddDays(-2), raw: true, onlyMissing: false, cancellation);
                var lateDays = _backfilled ? changed : differing; // after the first run, any day that changed got late data; in the first, the others are the backfill
                if (lateDays.Count > 0)
                {
                    log.LogInformation("Roll-ups: {Count} day(s) of {Kind} got data since they were rolled up (late data), from {First:yyyy-MM-dd} to {Last:yyyy-MM-dd}; rolled up again.", lateDays.Count, kind.Name, lateDays.Min(), lateDays.Max());
                }

                late += lateDays.Count;
                days.UnionWith(changed);
                if (kind == Lamps)
                {
                    days.UnionWith(changed.Select(d => d.AddDays(1)).Where(d => d <= today)); // a day's energy starts from the day before's last reading
                }
            }

            var fromHourly = new SortedSet<DateOnly>();
            if (!_backfilled)
            {
                var oldest = today.AddDays(-options.Rollups.BackfillDays);
                var rawStart = oldest > rawFrom ? oldest : rawFrom;
                if (rawStart < recheckFrom)
                {
                    days.UnionWith((await ChangedDaysAsync(kind, rawStart, recheckFrom.AddDays(-1), raw: true, onlyMissing: true, cancellation)).Days);
                }

                // Every other day without a roll-up that the hourly roll-up holds: older than the raw
                // policy keeps, or whose minute data the retention has already dropped.
                fromHourly.UnionWith((await ChangedDaysAsync(kind, oldest, today.AddDays(-2), raw: false, onlyMissing: true, cancellation)).Days.Where(d => !days.Contains(d)));
            }

            // Days the raw policy still holds are rolled up from it; the others from the hourly roll-up.
            days.ExceptWith(fromHourly);
            var hourlyRuns = Runs(fromHourly.Concat(days.Where(d => d < rawFrom)));
            foreach (var (first, last) in hourlyRuns)
            {
                written += await RollUpAsync(kind, first, last, raw: false, cancellation);
                rolled += last.DayNumber - first.DayNumber + 1;
            }

            foreach (var (first, last) in Runs(days.Where(d => d >= rawFrom)))
            {
                written += await RollUpAsync(kind, first, last, raw: true, cancellation);
                rolled += last.DayNumber - first.DayNumber + 1;
            }
        }

        written += await StateNowAsync(now, cancellation);
        if (recheck)
        {
            _lastRecheck = now;
        }

        _backfilled = true;
        return new Result(rolled, written, late, watch.Elapsed);
    }

    /// <summary>How many days the raw policy keeps (SHOW RETENTION POLICIES), 90 when it cannot be read.</summary>
    private async Task<int> RawDaysAsync(CancellationToken cancellation)
    {
        var answer = await influx.QueryAsync([$"SHOW RETENTION POLICIES ON {Ql.Name(options.Influx.Database)}"], cancellation);
        foreach (var series in answer[0])
        {
            foreach (var row in series.Rows)
            {
                if (row.Length > 1 && row[0] as string == options.RawPolicy && row[1] is string duration && TryDuration(duration, out var kept))
                {
                    return kept == TimeSpan.Zero ? 3650 : Math.Max(3, (int)kept.TotalDays);
                }
            }
        }

        return 90;
    }

    /// <summary>"2160h0m0s" → 90 days; "0s" (infinite) → zero.</summary>
    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var number = 0L;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (c - '0');
                continue;
            }

            duration += c switch { 'h' => TimeSpan.FromHours(number), 'm' => TimeSpan.FromMinutes(number), 's' => TimeSpan.FromSeconds(number), _ => TimeSpan.Zero };
            number = 0;
        }

        return text.Length > 0;
    }

    /// <summary>
    /// Days of [from, to] with data and no roll-up yet, and (unless <paramref name="onlyMissing"/>)
    /// days whose source count differs from the count their roll-up was made from: late data.
    /// </summary>
    private async Task<(IReadOnlyCollection<DateOnly> Days, IReadOnlyCollection<DateOnly> Differing)> ChangedDaysAsync(Kind kind, DateOnly from, DateOnly to, bool raw, bool onlyMissing, CancellationToken cancellation)
    {
        if (to < from)
        {
            return ([], []);
        }

        var source = raw ? options.Raw(kind.Measurement) : options.Hourly(kind.Measurement);
        var range = Ql.Between(Start(from), Start(to.AddDays(1)));
        var answers = await influx.QueryAsync(
            [
                $"SELECT count({kind.Counted}) FROM {source} WHERE {range} GROUP BY time(1d) fill(none) {options.Tz}",
                $"SELECT last(points) FROM {options.Hourly(RollupNames.Fingerprint)} WHERE {range} AND \"kind\" = {Ql.Text(kind.Name)} GROUP BY time(1d) fill(none) {options.Tz}",
            ],
            cancellation);
        var stored = answers[1].SelectMany(s => s.Rows).ToDictionary(r => Day(r), r => Series.Number(r, 1) ?? -1);
        var days = new List<DateOnly>();
        var late = new List<DateOnly>();
        foreach (var row in answers[0].SelectMany(s => s.Rows))
        {
            if (Series.Number(row, 1) is not { } count || count == 0)
            {
                continue;
            }

            var day = Day(row);
            if (!stored.TryGetValue(day, out var before))
            {
                days.Add(day);
            }
            else if (!onlyMissing && before != count)
            {
                days.Add(day);
                late.Add(day);
            }
        }

        return (days, late);
    }

    /// <summary>Rolls up the days [first, last] of one kind and writes them with their fingerprints; the number of points written.</summary>
    private async Task<int> RollUpAsync(Kind kind, DateOnly first, DateOnly last, bool raw, CancellationToken cancellation)
    {
        var lines = new List<string>();
        var counts = new Dictionary<DateOnly, double>();
        var src = raw ? options.Raw(kind.Measurement) : options.Hourly(kind.Measurement);
        var range = Ql.Between(Start(first), Start(last.AddDays(1)));
        if (kind == Pickups)
        {
            var answer = await influx.QueryAsync([$"SELECT sum(\"count\"), sum(weight_kg), count(\"count\") FROM {src} WHERE {range} GROUP BY time(1d), \"sector\" fill(none) {options.Tz}"], cancellation);
            foreach (var series in answer[0])
            {
                foreach (var row in series.Rows)
                {
                    Count(counts, row, 3);
                    if (Series.Number(row, 1) is { } pickups)
                    {
                        lines.Add(Line(RollupNames.PickupsPerSectorDay, [("sector", series.Tag("sector"))], [new Field("pickups", (long)Math.Round(pickups)), new Field("weight_kg", Series.Number(row, 2) ?? 0)], Series.Time(row)));
                    }
                }
            }
        }
        else if (kind == Fill)
        {
            var answer = await influx.QueryAsync([$"SELECT mean(fill_pct), max({(raw ? "fill_pct" : "fill_pct_max")}), count(fill_pct) FROM {src} WHERE {range} GROUP BY time(1d), \"sector\" fill(none) {options.Tz}"], cancellation);
            foreach (var series in answer[0])
            {
                foreach (var row in series.Rows)
                {
                    Count(counts, row, 3);
                    if (Series.Number(row, 1) is { } mean)
                    {
                        lines.Add(Line(RollupNames.FillPerSectorDay, [("sector", series.Tag("sector"))], [new Field("fill_pct", mean), new Field("fill_pct_max", Series.Number(row, 2) ?? mean)], Series.Time(row)));
                    }
                }
            }
        }
        else
        {
            var answer = await influx.QueryAsync(
                [
                    $"SELECT first(energy_kwh), last(energy_kwh), count(energy_kwh) FROM {src} WHERE {Ql.Between(Start(first.AddDays(-1)), Start(last.AddDays(1)))} GROUP BY time(1d), \"street\", \"lamp_id\" fill(none) {options.Tz}",
                    $"SELECT mean(dim_pct), mean(power_w) FROM {src} WHERE {range} GROUP BY time(1h) fill(none)",
                ],
                cancellation);
            var streets = new Dictionary<(DateOnly, string), (double Kwh, long Lamps, DateTimeOffset At)>();
            foreach (var series in answer[0])
            {
                var meter = new List<MeterDay>();
                var at = new Dictionary<DateOnly, DateTimeOffset>();
                foreach (var row in series.Rows)
                {
                    var day = Day(row);
                    if (day >= first)
                    {
                        Count(counts, row, 3);
                    }

                    if (Series.Number(row, 1) is { } a && Series.Number(row, 2) is { } b)
                    {
                        meter.Add(new MeterDay(day, a, b));
                        at[day] = Series.Time(row);
                    }
                }

                var street = series.Tag("street");
                foreach (var (day, kwh, reading) in LampEnergy.PerDay(meter, first))
                {
                    lines.Add(Line(RollupNames.EnergyPerLampDay, [("street", street), ("lamp_id", series.Tag("lamp_id"))], [new Field("energy_kwh", kwh), new Field("meter_kwh", reading)], at[day]));
                    var sum = streets.GetValueOrDefault((day, street));
                    streets[(day, street)] = (sum.Kwh + kwh, sum.Lamps + 1, at[day]);
                }
            }

            foreach (var ((_, street), (kwh, lamps, at)) in streets)
            {
                lines.Add(Line(RollupNames.EnergyPerStreetDay, [("street", street)], [new Field("energy_kwh", kwh), new Field("lamps", lamps)], at));
            }

            foreach (var row in answer[1].SelectMany(s => s.Rows))
            {
                var fields = new List<Field>();
                if (Series.Number(row, 1) is { } dim)
                {
                    fields.Add(new Field("dim_pct", dim));
                }

                if (Series.Number(row, 2) is { } power)
                {
                    fields.Add(new Field("power_w", power));
                }

                if (fields.Count > 0)
                {
                    lines.Add(Line(RollupNames.LampProfileHour, [], [.. fields], Series.Time(row)));
                }
            }
        }

        // The fingerprint last: a run cut short before it leaves the day to be rolled up again.
        await writer.WriteAsync(options.HourlyPolicy, lines, cancellation);
        var fingerprints = counts.Where(c => c.Key >= first && c.Key <= last)
            .Select(c => Line(RollupNames.Fingerprint, [("kind", kind.Name)], [new Field("points", (long)c.Value)], Start(c.Key))).ToList();
        await writer.WriteAsync(options.HourlyPolicy, fingerprints, cancellation);
        return lines.Count + fingerprints.Count;
    }

    /// <summary>The containers to empty and the lamps in fault or silent, at <paramref name="now"/>, written at the run's time.</summary>
    private async Task<int> StateNowAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var end = now + TimeSpan.FromMinutes(1);
        var lamp = options.Raw("lamp");
        var answers = await influx.QueryAsync(
            [
                $"SELECT last(fill_pct) FROM {options.Raw("bin_fill")} WHERE {Ql.Between(now - TimeSpan.FromDays(2), end)} GROUP BY \"sector\", \"bin_id\"",
                $"SELECT last(fault_code) FROM {lamp} WHERE {Ql.Between(now - TimeSpan.FromDays(1), end)} GROUP BY \"street\", \"lamp_id\"",
                $"SELECT last(power_w) FROM {lamp} WHERE {Ql.Between(now - TimeSpan.FromDays(7), end)} GROUP BY \"street\", \"lamp_id\"",
            ],
            cancellation);
        var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var lines = new List<string>();
        var sectors = answers[0].Where(s => s.Rows.Count > 0 && Series.Number(s.Rows[0], 1) is not null).GroupBy(s => s.Tag("sector"));
        var sectorCount = 0;
        foreach (var sector in sectors)
        {
            var fills = sector.Select(s => Series.Number(s.Rows[0], 1)!.Value).ToList();
            lines.Add(Line(RollupNames.FillNow, [("sector", sector.Key)], [new Field("bins", (long)fills.Count), new Field("to_empty", (long)fills.Count(f => f >= options.FillThresholdPct)), new Field("fill_pct", fills.Average())], at));
            sectorCount++;
        }

        var problems = 0;
        foreach (var series in answers[1].Where(s => s.Rows.Count > 0))
        {
            if (Series.Number(series.Rows[0], 1) is { } code && code > 0)
            {
                lines.Add(Line(RollupNames.LampProblemNow, [("street", series.Tag("street")), ("lamp_id", series.Tag("lamp_id"))], [new Field("fault_code", (long)code), new Field("last_seen_s", Series.Time(series.Rows[0]).ToUnixTimeSeconds()), new Field("silent", false)], at));
                problems++;
            }
        }

        foreach (var series in answers[2].Where(s => s.Rows.Count > 0))
        {
            var last = Series.Time(series.Rows[0]);
            if (now - last > TimeSpan.FromDays(1))
            {
                lines.Add(Line(RollupNames.LampProblemNow, [("street", series.Tag("street")), ("lamp_id", series.Tag("lamp_id"))], [new Field("fault_code", 0L), new Field("last_seen_s", last.ToUnixTimeSeconds()), new Field("silent", true)], at));
                problems++;
            }
        }

        // The run's own point last: the pages read the state of the last run that wrote it whole.
        await writer.WriteAsync(options.RawPolicy, lines, cancellation);
        await writer.WriteAsync(options.RawPolicy, [Line(RollupNames.Run, [], [new Field("sectors", (long)sectorCount), new Field("problems", (long)problems)], at)], cancellation);
        return lines.Count + 1;
    }

    /// <summary>Contiguous runs of days, each at most a week (one statement each: a week of 1,500 lamps is 12,000 rows).</summary>
    internal static IEnumerable<(DateOnly First, DateOnly Last)> Runs(IEnumerable<DateOnly> days)
    {
        DateOnly? first = null, last = null;
        foreach (var day in days.Order())
        {
            if (first is { } f && last is { } l && day.DayNumber == l.DayNumber + 1 && day.DayNumber - f.DayNumber < MaxDaysPerStatement)
            {
                last = day;
                continue;
            }

            if (first is { } done)
            {
                yield return (done, last!.Value);
            }

            first = last = day;
        }

        if (first is { } end)
        {
            yield return (end, last!.Value);
        }
    }

    private DateTimeOffset Start(DateOnly day) => LessonHours.Instant(day.ToDateTime(TimeOnly.MinValue), options.Zone);

    private DateOnly Day(object?[] row) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Series.Time(row), options.Zone).DateTime);

    private void Count(Dictionary<DateOnly, double> counts, object?[] row, int column)
    {
        var day = Day(row);
        counts[day] = counts.GetValueOrDefault(day) + (Series.Number(row, column) ?? 0);
    }

    /// <summary>One line of line protocol; a tag without a value is left out (InfluxDB has no empty tag), as the gateways do.</summary>
    private static string Line(string measurement, (string Key, string Value)[] tags, Field[] fields, DateTimeOffset at) =>
        LineProtocol.ToLine(new Reading(measurement, [.. tags.Where(t => t.Value.Length > 0).Select(t => new Tag(t.Key, t.Value))], fields, at));
}
