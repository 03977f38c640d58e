using System.Diagnostics;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// The portal at a real city's size (#25): a generated city (<see cref="CitySize.City"/>, or a
/// share of it) in a real InfluxDB, the roll-up job's first run (the backfill a city makes when
/// it upgrades), then the portal as a process with the deployed unit's runtime settings and the
/// page cache off: p50/p95 per page, the year's download (first byte, total, rows, peak resident
/// memory) and its second download from the file cache. Beside them in the same run: /style.css
/// (the floor: HTTP and the framework) and the pages' main statements sent straight to InfluxDB,
/// with the statements the pages sent before the roll-ups (what /dechets and /eclairage cost then).
/// </summary>
internal static class CityBenchmark
{
    public static async Task RunAsync(int percent, int requests)
    {
        var full = CitySize.City;
        var size = full with
        {
            Schools = Math.Max(1, full.Schools * percent / 100),
            Bins = Math.Max(10, full.Bins * percent / 100),
            Containers = Math.Max(10, full.Containers * percent / 100),
            Lamps = Math.Max(10, full.Lamps * percent / 100),
            Sectors = Math.Max(2, full.Sectors * percent / 100),
            Streets = Math.Max(2, full.Streets * percent / 100),
        };
        Console.WriteLine($"City ({percent} % of a real city): {size}");
        using var influx = new InfluxServer();
        var now = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var points = CityScale.Write(influx, size, now);
        Console.WriteLine($"  written: {points:N0} points in {watch.Elapsed.TotalSeconds:0} s ({points / watch.Elapsed.TotalSeconds:N0} points/s into InfluxDB, generation included)");

        using var folder = new TempFolder("city-bench");
        Directory.CreateDirectory(folder.File("sites"));
        var cache = folder.File("cache");
        watch.Restart();
        using var portal = new PortalProcess(folder, influx, $"\"Sites\": \"{folder.File("sites")}\", \"CacheFor\": \"00:00:00\", \"Downloads\": {{ \"CacheDirectory\": \"{cache}\" }}, \"Rollups\": {{ \"Enabled\": true, \"Every\": \"01:00:00\", \"RecheckEvery\": \"01:00:00\" }}");
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (!portal.Output.Contains("Roll-ups: ", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var backfill = portal.Output.Split('\n').FirstOrDefault(l => l.Contains("Roll-ups: ", StringComparison.Ordinal))?.Trim() ?? "(no roll-up line within 30 minutes)";
        Console.WriteLine($"  roll-up job, first run (backfill of every day the city holds): {watch.Elapsed.TotalSeconds:0.0} s — {backfill[(backfill.IndexOf("Roll-ups", StringComparison.Ordinal) is var i && i >= 0 ? i : 0)..]}");

        using var http = new HttpClient { BaseAddress = portal.Url, Timeout = TimeSpan.FromMinutes(10) };
        Console.WriteLine($"  portal idle: {portal.ResidentKiB / 1024} MB resident (unit: {string.Join(' ', PortalProcess.UnitEnvironment().Select(e => $"{e.Key}={e.Value}"))})");
        Console.WriteLine();
        Console.WriteLine($"  {"page (portal, page cache off)",-46} {"p50 ms",8} {"p95 ms",8} {"first ms",9} {"bytes",10}");
        var room = "/ecoles/ecole-00/salle-0";
        foreach (var path in new[] { room, "/style.css", "/", "/ecoles", "/ecoles/ecole-00", room + "/semaine", "/dechets", "/dechets/" + CityScale.Sector(0), "/eclairage", "/donnees", "/catalogue.jsonld" })
        {
            var figures = await TimeAsync(http, path, requests);
            Console.WriteLine($"  {path,-46} {figures.P50,8:0.0} {figures.P95,8:0.0} {figures.First,9:0.0} {figures.Bytes,10:N0}{(path == "/style.css" ? "  (the floor)" : string.Empty)}");
        }

        // A classroom's first view computes its settled lessons' counts; later views reuse them. Each room once:
        var firsts = new List<double>();
        for (var r = 1; r <= Math.Min(size.Rooms - 1, requests * 2); r++)
        {
            var path = $"/ecoles/{CityScale.School(r % size.Schools)}/salle-{r / size.Schools % size.RoomsPerSchool}";
            var watch1 = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            firsts.Add(watch1.Elapsed.TotalMilliseconds);
        }

        firsts.Sort();
        Console.WriteLine($"  {$"a classroom's first view ({firsts.Count} rooms, once each)",-46} {firsts[firsts.Count / 2],8:0.0} {firsts[Math.Min(firsts.Count - 1, (int)Math.Ceiling(firsts.Count * 0.95) - 1)],8:0.0}");

        Console.WriteLine();
        Console.WriteLine($"  {"statement straight to InfluxDB",-46} {"p50 ms",8} {"p95 ms",8}");
        string Since(TimeSpan span) => $"time >= '{(now - span).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' AND time < '{now.AddMinutes(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'";
        string Range(int days) => Since(TimeSpan.FromDays(days));
        var statements = new (string Name, string Query, int Requests)[]
        {
            ("rooms' last reading (/ecoles)", $"SELECT last(co2_ppm) FROM sensors.raw.air_quality WHERE {Since(TimeSpan.FromMinutes(15))} GROUP BY site, room", requests),
            ("/dechets now: pickups per sector, 30 days", $"SELECT pickups, weight_kg FROM sensors.hourly.pickups_sector_day WHERE {Range(30)} GROUP BY sector", requests),
            ("/dechets now: a year per day", $"SELECT sum(pickups) FROM sensors.hourly.pickups_sector_day WHERE {Range(364)} GROUP BY time(1d) fill(none) tz('Europe/Paris')", requests),
            ("/eclairage now: energy per street, 30 days", $"SELECT energy_kwh, lamps FROM sensors.hourly.energy_street_day WHERE {Range(30)} GROUP BY street", requests),
            ("/dechets before: a year from the hourly roll-up", $"SELECT sum(\"count\") AS pickups, sum(weight_kg) AS weight_kg FROM sensors.hourly.bin_pickup WHERE {Range(364)} GROUP BY time(1d), sector fill(0) tz('Europe/Paris')", 3),
            ("/eclairage before: meters, 31 days of minutes", $"SELECT first(energy_kwh), last(energy_kwh) FROM sensors.raw.lamp WHERE {Range(31)} GROUP BY time(1d), street, lamp_id fill(none) tz('Europe/Paris')", 3),
        };
        foreach (var (name, query, count) in statements)
        {
            var figures = await TimeAsync(influx.Http, $"query?db=sensors&epoch=ms&q={Uri.EscapeDataString(query)}", count);
            Console.WriteLine($"  {name,-46} {figures.P50,8:0.0} {figures.P95,8:0.0}");
        }

        Console.WriteLine();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, CitySeed.Paris).DateTime);
        foreach (var (label, from, to, format) in new[]
        {
            ("last 30 days (the /donnees link), CSV", today.AddDays(-29), today, "csv"),
            ("the last 366 days, CSV", today.AddDays(-365), today, "csv"),
            ("the last 366 days, JSON", today.AddDays(-365), today, "json"),
            ("a settled year (ended 8 days ago), CSV, built", today.AddDays(-372), today.AddDays(-8), "csv"),
            ("the same year again: from the file cache", today.AddDays(-372), today.AddDays(-8), "csv"),
        })
        {
            var figures = await DownloadAsync(http, portal, $"/donnees/qualite-air-classes-horaire.{format}?du={from:yyyy-MM-dd}&au={to:yyyy-MM-dd}");
            Console.WriteLine($"  download {label,-48} first byte {figures.FirstByte.TotalMilliseconds,7:0} ms, all {figures.Total.TotalSeconds,6:0.0} s, {figures.Bytes / 1e6,7:0.0} MB, {figures.Status}, portal peak {figures.PeakKiB / 1024} MB resident");
        }

        foreach (var (label, dataset) in new[] { ("street lights, 30 days (grouped, a week a statement)", "eclairage-public-rue-jour"), ("pickups per sector, 366 days", "collectes-dechets-secteur-jour") })
        {
            var figures = await DownloadAsync(http, portal, $"/donnees/{dataset}.csv{(dataset.StartsWith("collectes", StringComparison.Ordinal) ? $"?du={today.AddDays(-365):yyyy-MM-dd}&au={today:yyyy-MM-dd}" : string.Empty)}");
            Console.WriteLine($"  download {label,-48} first byte {figures.FirstByte.TotalMilliseconds,7:0} ms, all {figures.Total.TotalSeconds,6:0.0} s, {figures.Bytes / 1e6,7:0.0} MB, {figures.Status}, portal peak {figures.PeakKiB / 1024} MB resident");
        }

        Console.WriteLine($"  portal: resident now {portal.ResidentKiB / 1024} MB, peak over the whole run (VmHWM) {portal.PeakKiB / 1024} MB");
    }

    /// <summary>One first request, then <paramref name="requests"/> more: p50 and p95 of those, the first's time and the answer's size.</summary>
    internal static async Task<(double P50, double P95, long Bytes, double First)> TimeAsync(HttpClient http, string path, int requests)
    {
        var first = Stopwatch.StartNew();
        long bytes = (await http.GetByteArrayAsync(path)).Length;
        var firstMs = first.Elapsed.TotalMilliseconds;
        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[requests / 2], times[Math.Min(requests - 1, (int)Math.Ceiling(requests * 0.95) - 1)], bytes, firstMs);
    }

    private static async Task<(TimeSpan FirstByte, TimeSpan Total, long Bytes, long PeakKiB, string Status)> DownloadAsync(HttpClient http, PortalProcess portal, string path)
    {
        var ((first, total, bytes, status), peak) = await portal.PeakWhileAsync(async () =>
        {
            var watch = Stopwatch.StartNew();
            TimeSpan? first = null;
            long bytes = 0;
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                var status = $"{(int)response.StatusCode}{(response.Headers.ETag is null ? string.Empty : " from a file")}";
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    first ??= watch.Elapsed;
                    bytes += read;
                }

                return (first ?? watch.Elapsed, watch.Elapsed, bytes, status);
            }
            catch (Exception error) when (error is HttpRequestException or IOException)
            {
                return (first ?? watch.Elapsed, watch.Elapsed, bytes, $"cut: {error.Message}");
            }
        });
        return (first, total, bytes, peak, status);
    }
}
