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

    private string Raw => $"{Ql.Name(options.Influx.Database)}.{Ql.Name(options.RawPolicy)}.\"air_quality\"";

    /// <summary>Each room's last reading of the last 15 minutes; all sites, or one.</summary>
    public async Task<IReadOnlyList<RoomNow>> NowAsync(string? site, DateTimeOffset now, CancellationToken cancellation)
    {
        var where = $"{Ql.Between(now - Fresh, now + TimeSpan.FromMinutes(1))}{(site is null ? string.Empty : $" AND \"site\" = {Ql.Text(site)}")}";
        var answers = await influx.QueryAsync(
            [
                $"SELECT last(co2_ppm) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\"",
                $"SELECT last(temperature_c) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\"",
                $"SELECT last(humidity_pct) FROM {Raw} WHERE {where} GROUP BY \"site\", \"room\"",
            ],
            cancellation);
        double? Other(int statement, Series co2) =>
            answers[statement].FirstOrDefault(s => s.Tag("site") == co2.Tag("site") && s.Tag("room") == co2.Tag("room")) is { Rows.Count: > 0 } other ? Series.Number(other.Rows[0], 1) : null;
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

    /// <summary>
    /// The counts behind the confinement index, per room and per key, over the given lesson spans:
    /// three counts per span (all readings, above 1000, above 1700), every statement in one request.
    /// </summary>
    public async Task<Dictionary<(string Room, DateTimeOffset Key), IconeCounts>> IconeCountsAsync(string site, string? room, IReadOnlyList<LessonSpan> spans, CancellationToken cancellation)
    {
        var filter = $"\"site\" = {Ql.Text(site)}{(room is null ? string.Empty : $" AND \"room\" = {Ql.Text(room)}")}";
        var statements = new List<string>(spans.Count * 3);
        foreach (var span in spans)
        {
            var where = $"{filter} AND {Ql.Between(span.From, span.To)}";
            statements.Add($"SELECT count(co2_ppm) FROM {Raw} WHERE {where} GROUP BY \"room\"");
            statements.Add($"SELECT count(co2_ppm) FROM {Raw} WHERE {where} AND co2_ppm > 1000 GROUP BY \"room\"");
            statements.Add($"SELECT count(co2_ppm) FROM {Raw} WHERE {where} AND co2_ppm > 1700 GROUP BY \"room\"");
        }

        var answers = await influx.QueryAsync(statements, cancellation);
        var counts = new Dictionary<(string, DateTimeOffset), IconeCounts>();
        for (var i = 0; i < spans.Count; i++)
        {
            foreach (var (part, index) in new[] { (0, i * 3), (1, (i * 3) + 1), (2, (i * 3) + 2) })
            {
                foreach (var series in answers[index])
                {
                    var n = (long)(series.Rows.Count > 0 ? Series.Number(series.Rows[0], 1) ?? 0 : 0);
                    var key = (series.Tag("room"), spans[i].Key);
                    var add = part switch { 0 => new IconeCounts(n, 0, 0), 1 => new IconeCounts(0, n, 0), _ => new IconeCounts(0, 0, n) };
                    counts[key] = counts.GetValueOrDefault(key) + add;
                }
            }
        }

        return counts;
    }
}
