using Sensors.Central;
using Sensors.Portal.Influx;

namespace Sensors.Portal.Data;

/// <summary>A classroom's latest reading.</summary>
public sealed record RoomNow(string Site, string Room, double Co2Ppm, DateTimeOffset At, double? TemperatureC, double? HumidityPct);

/// <summary>A span of lesson time, keyed by what it belongs to (the start of its week).</summary>
public readonly record struct LessonSpan(DateTimeOffset Key, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// The classrooms' air, read from the central InfluxDB: minute data (the raw policy) for what is
/// recent, where the confinement index needs every reading of each lesson.
/// </summary>
public sealed class AirQualityData(IInfluxQuery influx, PortalOptions options)
{
    /// <summary>A reading older than this is not "now": the room shows grey.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromMinutes(15);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Site, string? Room, DateTimeOffset From, DateTimeOffset To), (long Fingerprint, Dictionary<string, IconeCounts> Counts)> _settled = new();

    private string Raw => options.Raw("air_quality");

    /// <summary>
    /// Each room's last reading of the last 15 minutes; all sites, or one. Without
    /// <paramref name="climate"/> (the lists of schools, which show CO2 only) one statement, not three.
    /// </summary>
    public async Task<IReadOnlyList<RoomNow>> NowAsync(string? site, DateTimeOffset now, CancellationToken cancellation, bool climate = true)
    {
        var where = $"{Ql.Between(now - Fresh, now + TimeSpan.FromMinutes(1))}{(site is null ? string.Empty : $" AND \"site\" = {Ql.Text(site)}")}";
        var answers = await influx.QueryAsync(
            [
                $"SELECT last(co2_ppm) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\"",
                .. climate
                    ? (string[])[$"SELECT last(temperature_c) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\"", $"SELECT last(humidity_pct) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\""]
                    : [],
            ],
            cancellation);
        var others = answers.Skip(1).Select(a => a.Where(s => s.Rows.Count > 0).ToDictionary(s => (s.Tag("site"), s.Tag("room")), s => Series.Number(s.Rows[0], 1))).ToList();
        double? Other(int statement, Series co2) =>
            statement <= others.Count && others[statement - 1].TryGetValue((co2.Tag("site"), co2.Tag("room")), out var value) ? value : null;
        return [.. answers[0]
            .Where(s => s.Rows.Count > 0 && Series.Number(s.Rows[0], 1) is not null)
            .Select(s => new RoomNow(s.Tag("site"), s.Tag("room"), Series.Number(s.Rows[0], 1)!.Value, Series.Time(s.Rows[0]), Other(1, s), Other(2, s)))];
    }

    /// <summary>A room's curve: the mean of every <paramref name="step"/>, stamped at the middle of it.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset At, double Ppm)>> CurveAsync(string site, string room, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT mean(co2_ppm) FROM {Raw} WHERE \"site\" = {Ql.Text(site)} AND \"room\" = {Ql.Text(room)} AND {Ql.Between(from, to)} GROUP BY time({(long)step.TotalSeconds}s) fill(none)"],
            cancellation);
        var half = step / 2;
        return [.. answers[0].SelectMany(s => s.Rows).Where(r => Series.Number(r, 1) is not null).Select(r => (Series.Time(r) + half, Series.Number(r, 1)!.Value))];
    }

    /// <summary>The local days of [from, to) on which the room has readings (days of <paramref name="zone"/>).</summary>
    public async Task<IReadOnlySet<DateOnly>> DaysWithReadingsAsync(string site, string room, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT count(co2_ppm) FROM {Raw} WHERE \"site\" = {Ql.Text(site)} AND \"room\" = {Ql.Text(room)} AND {Ql.Between(from, to)} GROUP BY time(1d) fill(none) tz({Ql.Text(zone.Id)})"],
            cancellation);
        return answers[0].SelectMany(s => s.Rows).Where(r => Series.Number(r, 1) is > 0)
            .Select(r => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Series.Time(r), zone).DateTime)).ToHashSet();
    }

    /// <summary>
    /// The counts behind the confinement index, per room and per key, over the given lesson spans.
    /// Whole hours come from the hourly roll-up (samples, samples_above_1000, samples_above_1700,
    /// which the continuous queries compute from every reading); the parts of an hour that a lesson
    /// only partly covers (08:30–09:00), the last two hours, which the roll-up may not have reached
    /// yet, and any lesson hour the roll-up has no row for (history written late, before its
    /// roll-up ran) are counted in the minute data, one statement per piece (its readings, counted here), adjacent pieces merged.
    /// A lesson that ended before the roll-up's last hour is kept with its fingerprint, the sum of
    /// the roll-up's samples over the hours it touches: the next page reuses it only while that sum
    /// is unchanged, so late readings, once rolled up, are counted. Two requests at most.
    /// </summary>
    public async Task<Dictionary<(string Room, DateTimeOffset Key), IconeCounts>> IconeCountsAsync(string site, string? room, IReadOnlyList<LessonSpan> spans, DateTimeOffset now, CancellationToken cancellation)
    {
        var counts = new Dictionary<(string, DateTimeOffset), IconeCounts>();
        if (spans.Count == 0)
        {
            return counts;
        }

        var filter = $"\"site\" = {Ql.Text(site)}{(room is null ? string.Empty : $" AND \"room\" = {Ql.Text(room)}")}";
        var rolledUp = Hour(now) - TimeSpan.FromHours(1);
        var hourly = await RolledUpHoursAsync(filter, Hour(spans.Min(s => s.From)), spans.Max(s => s.To), cancellation);

        var perSpan = new Dictionary<string, IconeCounts>[spans.Count];
        var fingerprints = new long[spans.Count];
        var pieces = new List<(int Span, DateTimeOffset From, DateTimeOffset To)>();
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            for (var hour = Hour(span.From); hour < span.To; hour += TimeSpan.FromHours(1))
            {
                fingerprints[i] += hourly.TryGetValue(hour, out var rows) ? rows.Sum(r => r.Counts.Samples) : 0;
            }

            if (span.To <= rolledUp && _settled.TryGetValue((site, room, span.From, span.To), out var kept) && kept.Fingerprint == fingerprints[i])
            {
                perSpan[i] = kept.Counts;
                continue;
            }

            perSpan[i] = [];
            var at = span.From;
            while (at < span.To)
            {
                var next = Hour(at) + TimeSpan.FromHours(1);
                var end = next < span.To ? next : span.To;
                if (at == Hour(at) && next <= span.To && next <= rolledUp && hourly.TryGetValue(at, out var rows))
                {
                    foreach (var (roomId, more) in rows)
                    {
                        perSpan[i][roomId] = perSpan[i].GetValueOrDefault(roomId) + more;
                    }
                }
                else if (pieces.Count > 0 && pieces[^1].Span == i && pieces[^1].To == at)
                {
                    pieces[^1] = (i, pieces[^1].From, end);
                }
                else
                {
                    pieces.Add((i, at, end));
                }

                at = end;
            }
        }

        if (pieces.Count > 0)
        {
            // One statement a piece: its readings themselves (half an hour of one room is 30 values),
            // counted here, rather than three counts a piece in the database.
            var statements = pieces.Select(piece => $"SELECT co2_ppm FROM {Raw} WHERE {filter} AND {Ql.Between(piece.From, piece.To)} GROUP BY \"room\"").ToList();
            var answers = await influx.QueryAsync(statements, cancellation);
            for (var i = 0; i < pieces.Count; i++)
            {
                foreach (var series in answers[i])
                {
                    var into = perSpan[pieces[i].Span];
                    into[series.Tag("room")] = into.GetValueOrDefault(series.Tag("room")) + Counts(series, pieces[i].From, pieces[i].To);
                }
            }
        }

        if (_settled.Count > 20_000)
        {
            _settled.Clear(); // bounded: a year of lessons of a few hundred rooms; cleared, it fills again as pages are read
        }

        for (var i = 0; i < spans.Count; i++)
        {
            if (spans[i].To <= rolledUp)
            {
                _settled[(site, room, spans[i].From, spans[i].To)] = (fingerprints[i], perSpan[i]);
            }

            foreach (var (roomId, more) in perSpan[i])
            {
                counts[(roomId, spans[i].Key)] = counts.GetValueOrDefault((roomId, spans[i].Key)) + more;
            }
        }

        return counts;
    }

    /// <summary>
    /// A piece's counts from its readings: how many, how many above 1000 and 1700 ppm, and the
    /// minutes of [from, to) covered by five-minute buckets (aligned on the hour) that hold a reading.
    /// </summary>
    private static IconeCounts Counts(Series readings, DateTimeOffset from, DateTimeOffset to)
    {
        long samples = 0, above1000 = 0, above1700 = 0;
        var buckets = new HashSet<long>();
        foreach (var row in readings.Rows)
        {
            if (Series.Number(row, 1) is not { } ppm)
            {
                continue;
            }

            samples++;
            above1000 += ppm > 1000 ? 1 : 0;
            above1700 += ppm > 1700 ? 1 : 0;
            var ms = Series.Time(row).ToUnixTimeMilliseconds();
            buckets.Add(ms - (ms % 300_000));
        }

        var minutes = buckets.Sum(b =>
        {
            var start = DateTimeOffset.FromUnixTimeMilliseconds(b);
            var end = start + TimeSpan.FromMinutes(5);
            return (long)((end < to ? end : to) - (start > from ? start : from)).TotalMinutes;
        });
        return new IconeCounts(samples, above1000, above1700, minutes);
    }

    /// <summary>The hourly roll-up's three counts per room for every hour in [from, to), by the hour's start.</summary>
    private async Task<Dictionary<DateTimeOffset, List<(string Room, IconeCounts Counts)>>> RolledUpHoursAsync(string filter, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation)
    {
        var answers = await influx.QueryAsync(
            [$"SELECT samples, samples_above_1000, samples_above_1700 FROM {options.Hourly("air_quality")} WHERE {filter} AND {Ql.Between(from, to)} GROUP BY \"room\""],
            cancellation);
        var hours = new Dictionary<DateTimeOffset, List<(string, IconeCounts)>>();
        foreach (var series in answers[0])
        {
            var (samples, above1000, above1700) = (series.Column("samples"), series.Column("samples_above_1000"), series.Column("samples_above_1700"));
            foreach (var row in series.Rows)
            {
                var hour = Hour(Series.Time(row));
                if (!hours.TryGetValue(hour, out var rows))
                {
                    hours[hour] = rows = [];
                }

                var n = (long)(Series.Number(row, samples) ?? 0);
                rows.Add((series.Tag("room"), new IconeCounts(n, (long)(Series.Number(row, above1000) ?? 0), (long)(Series.Number(row, above1700) ?? 0), n > 0 ? 60 : 0)));
            }
        }

        return hours;
    }

    /// <summary>The start of the UTC hour holding <paramref name="at"/>.</summary>
    private static DateTimeOffset Hour(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
}
