using System.Globalization;
using System.Text.Json;
using Sensors.Central;
using Sensors.LoRaWan.Registry;

namespace Sensors.Operations.Waste;

/// <summary>One bin's month for billing: its pseudonym and the key that made it, its sector, its lifts, the weight the trucks weighed, its first and last lift.</summary>
public sealed record BinMonth(string Bin, string Sector, string KeyVersion, long Lifts, double? WeightKg, DateTimeOffset FirstLift, DateTimeOffset LastLift);

/// <summary>One lift of one bin, as the statement lists it.</summary>
public sealed record LiftLine(DateTimeOffset At, string Truck, string Sector, double? WeightKg, string KeyVersion);

/// <summary>
/// What the waste service's pages read from InfluxDB: lifts per bin for a month (sums of the
/// <c>count</c> field: a redelivered read is the same point and was never counted twice), one
/// bin's lifts, the sectors, and the containers' hourly fill levels.
/// </summary>
public sealed class WasteData(IInfluxQuery influx, ConsoleOptions options)
{
    /// <summary>A month as the city lives it: from the 1st at 00:00 to the next 1st, Paris time.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Month(DateOnly month)
    {
        var zone = options.Zone;
        var first = new DateTime(month.Year, month.Month, 1);
        return (Sites.LessonHours.Instant(first, zone), Sites.LessonHours.Instant(first.AddMonths(1), zone));
    }

    public static DateOnly? ParseMonth(string? text) =>
        DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year is >= 2000 and <= 2100 ? month : null;

    public async Task<IReadOnlyList<string>> SectorsAsync(CancellationToken cancellation)
    {
        var answer = await influx.QueryAsync(["SHOW TAG VALUES FROM bin_pickup WITH KEY = \"sector\""], cancellation);
        return [.. answer[0].SelectMany(s => s.Rows).Select(r => r[1] as string ?? string.Empty).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The month's lifts per bin, summed here from the points themselves, streamed in time order
    /// (InfluxQL's chunked answer, tags as columns, no GROUP BY): one pass, whatever the town's
    /// size; a GROUP BY over 20,000 bins' series took InfluxDB 1.6 nine seconds.
    /// </summary>
    public async Task<IReadOnlyList<BinMonth>> MonthAsync(DateOnly month, IReadOnlyList<string> sectors, CancellationToken cancellation)
    {
        var (from, to) = Month(month);
        var where = $"time >= {Ql.Time(from)} AND time < {Ql.Time(to)}" + (sectors.Count > 0 ? " AND (" + string.Join(" OR ", sectors.Select(s => $"sector = {Ql.Text(s)}")) + ")" : string.Empty);
        var bins = new Dictionary<(string Bin, string Sector, string Version), (long Lifts, double? Weight, DateTimeOffset First, DateTimeOffset Last)>();
        await foreach (var series in influx.StreamAsync($"SELECT \"count\", weight_kg, bin_id, sector, key_version FROM bin_pickup WHERE {where}", cancellation))
        {
            var (count, weight, bin, sector, version) = (series.Column("count"), series.Find("weight_kg"), series.Column("bin_id"), series.Column("sector"), series.Find("key_version"));
            foreach (var row in series.Rows)
            {
                var key = (row[bin] as string ?? string.Empty, row[sector] as string ?? string.Empty, version >= 0 && row[version] is string { Length: > 0 } v ? v : "1");
                var at = Series.Time(row);
                var lifts = (long)(Series.Number(row, count) ?? 0);
                var kg = weight >= 0 ? Series.Number(row, weight) : null;
                bins[key] = bins.TryGetValue(key, out var so)
                    ? (so.Lifts + lifts, kg is { } w ? (so.Weight ?? 0) + w : so.Weight, at < so.First ? at : so.First, at > so.Last ? at : so.Last)
                    : (lifts, kg, at, at);
            }
        }

        return [.. bins.Select(p => new BinMonth(p.Key.Bin, p.Key.Sector, p.Key.Version, p.Value.Lifts, p.Value.Weight, p.Value.First, p.Value.Last))
            .OrderBy(b => b.Sector, StringComparer.Ordinal).ThenBy(b => b.Bin, StringComparer.Ordinal).ThenBy(b => b.KeyVersion, StringComparer.Ordinal)];
    }

    /// <summary>One bin's lifts in a month, or null when no lift of that bin was ever recorded (an unknown pseudonym).</summary>
    public async Task<IReadOnlyList<LiftLine>?> StatementAsync(string bin, DateOnly month, CancellationToken cancellation)
    {
        var (from, to) = Month(month);
        var answer = await influx.QueryAsync(
            [
                $"SELECT count(\"count\") FROM bin_pickup WHERE bin_id = {Ql.Text(bin)}",
                $"SELECT \"count\", weight_kg, truck_id, sector, key_version FROM bin_pickup WHERE bin_id = {Ql.Text(bin)} AND time >= {Ql.Time(from)} AND time < {Ql.Time(to)} ORDER BY time",
            ],
            cancellation);
        if (answer[0].SelectMany(s => s.Rows).Sum(r => Series.Number(r, 1) ?? 0) == 0)
        {
            return null;
        }

        return [.. answer[1].SelectMany(s => s.Rows.Select(r => new LiftLine(
            Series.Time(r),
            r[s.Column("truck_id")] as string ?? string.Empty,
            r[s.Column("sector")] as string ?? string.Empty,
            Series.Number(r, s.Column("weight_kg")),
            r[s.Column("key_version")] is string { Length: > 0 } v ? v : "1")))];
    }

    /// <summary>Every fill-level container's hourly levels over <see cref="WasteOptions.LookBack"/>, or over a month, by bin (with its sector).</summary>
    public async Task<IReadOnlyList<(string Bin, string Sector, string Site, IReadOnlyList<FillPoint> Points)>> LevelsAsync(DateTimeOffset from, DateTimeOffset to, string? sector, CancellationToken cancellation)
    {
        var answer = await influx.QueryAsync(
            [$"SELECT mean(fill_pct) FROM bin_fill WHERE time >= {Ql.Time(from)} AND time < {Ql.Time(to)}{(sector is null ? string.Empty : $" AND sector = {Ql.Text(sector)}")} GROUP BY time(1h), bin_id, sector, site fill(none)"],
            cancellation);
        return [.. answer[0].Where(s => s.Rows.Count > 0).GroupBy(s => s.Tag("bin_id"))
            .Select(g => (g.Key, g.First().Tag("sector"), g.First().Tag("site"), (IReadOnlyList<FillPoint>)[.. g.SelectMany(s => s.Rows).Select(r => new FillPoint(Series.Time(r), Series.Number(r, 1) ?? 0)).OrderBy(p => p.At)]))];
    }
}

/// <summary>
/// Who exported what, when: one JSON line per export, written (and flushed) before the file is
/// sent; an export that cannot be recorded is not sent. The admin role reads it.
/// </summary>
public sealed class ExportAudit(ConsoleOptions options)
{
    private readonly object _gate = new();

    public sealed record Entry(DateTimeOffset At, string User, string Subject, string Month, IReadOnlyList<string> Sectors, string Format, int Rows);

    public void Record(Entry entry)
    {
        var path = Path.GetFullPath(options.Waste.AuditLog);
        lock (_gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            using var writer = new Utf8JsonWriter(file);
            writer.WriteStartObject();
            writer.WriteString("at", entry.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            writer.WriteString("user", entry.User);
            writer.WriteString("subject", entry.Subject);
            writer.WriteString("month", entry.Month);
            writer.WriteStartArray("sectors");
            foreach (var sector in entry.Sectors)
            {
                writer.WriteStringValue(sector);
            }

            writer.WriteEndArray();
            writer.WriteString("format", entry.Format);
            writer.WriteNumber("rows", entry.Rows);
            writer.WriteEndObject();
            writer.Flush();
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>The entries, newest first; a line that cannot be read is skipped.</summary>
    public IReadOnlyList<Entry> Read()
    {
        var path = Path.GetFullPath(options.Waste.AuditLog);
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = new List<Entry>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                entries.Add(new Entry(
                    DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture),
                    root.GetProperty("user").GetString() ?? string.Empty,
                    root.GetProperty("subject").GetString() ?? string.Empty,
                    root.GetProperty("month").GetString() ?? string.Empty,
                    [.. root.GetProperty("sectors").EnumerateArray().Select(s => s.GetString() ?? string.Empty)],
                    root.GetProperty("format").GetString() ?? string.Empty,
                    root.GetProperty("rows").GetInt32()));
            }
            catch (Exception error) when (error is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
            }
        }

        entries.Reverse();
        return entries;
    }
}
