using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Sensors.Look;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// A small city of the city-scale benchmark's shape (<see cref="CityScale"/>), in an InfluxDB of
/// its own, ending now: 40 classrooms with a year of hourly roll-ups, 400 bins picked up over 120
/// days, 60 containers, 40 lamps on 5 streets.
/// </summary>
public sealed class SmallCity : IDisposable
{
    public static readonly CitySize Size = new(Schools: 5, RoomsPerSchool: 8, HourlyDays: 366, MinuteDays: 2, Sectors: 4, Bins: 400, PickupDays: 120, Containers: 60, FillDays: 10, Lamps: 40, Streets: 5, LampDays: 10);

    public SmallCity()
    {
        Influx = new InfluxServer();
        Now = DateTimeOffset.UtcNow;
        Points = CityScale.Write(Influx, Size, Now);
    }

    public InfluxServer Influx { get; }
    public DateTimeOffset Now { get; }
    public long Points { get; }
    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, CitySeed.Paris).DateTime);

    public void Dispose() => Influx.Dispose();
}

/// <summary>
/// The portal at a city's shape: a year's download streams in constant memory (the portal as a
/// process under a heap limit far below what the year's rows take), a cut download does not look
/// whole, a settled period is sent from a file the second time, and the waste and lighting pages,
/// read from the roll-ups, show the figures computed here from the minute data.
/// </summary>
public sealed class CityScaleTests(SmallCity city, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SmallCity>
{
    private const string Air = "qualite-air-classes-horaire";

    [Fact]
    public async Task AYearsDownload_StreamsInTheMemoryOfAMonths_UnderAHeapLimitTheYearsRowsWouldNotFitIn()
    {
        // 40 rooms × 24 h × 366 days ≈ 351,000 rows: held in memory as before (boxed rows, then the
        // whole CSV as one string) they take well over 200 MB; the portal gets a 64 MB heap.
        using var folder = new TempFolder("portal-stream");
        Directory.CreateDirectory(folder.File("sites"));
        using var portal = new PortalProcess(folder, city.Influx, $"\"Sites\": \"{folder.File("sites")}\", \"CacheFor\": \"00:00:00\", \"Rollups\": {{ \"Enabled\": false }}", heapLimit: 64L * 1024 * 1024);
        using var http = new HttpClient { BaseAddress = portal.Url, Timeout = TimeSpan.FromMinutes(5) };
        var idle = portal.ResidentKiB;
        var month = await DownloadAsync(http, portal, city.Today.AddDays(-36), city.Today, "csv");
        var year = await DownloadAsync(http, portal, city.Today.AddDays(-365), city.Today, "csv");
        var yearJson = await DownloadAsync(http, portal, city.Today.AddDays(-365), city.Today, "json");
        output.WriteLine($"idle {idle / 1024} MB; 37 days: {month.Rows:N0} rows, first byte {month.FirstByte.TotalMilliseconds:0} ms, all {month.Total.TotalSeconds:0.0} s, peak {month.PeakKiB / 1024} MB; 366 days CSV: {year.Rows:N0} rows, first byte {year.FirstByte.TotalMilliseconds:0} ms, all {year.Total.TotalSeconds:0.0} s, peak {year.PeakKiB / 1024} MB; JSON peak {yearJson.PeakKiB / 1024} MB");

        // Every row of the period, in the dataset's order, the same as InfluxDB holds.
        Assert.Equal(HourlyRows(city.Today.AddDays(-365), city.Today), year.Rows);
        Assert.Equal(year.Rows, yearJson.Rows);
        Assert.True(month.Rows * 9 < year.Rows, $"{month.Rows} rows for 37 days, {year.Rows} for 366");

        // Memory does not follow the period: ten times the rows, about the same peak.
        Assert.True(year.PeakKiB - idle <= (2 * (month.PeakKiB - idle)) + (24 * 1024), $"resident memory above idle: {(month.PeakKiB - idle) / 1024} MB for 37 days, {(year.PeakKiB - idle) / 1024} MB for 366 days. The portal's output:\n{portal.Output}");
    }

    [Fact]
    public async Task ADownloadsRows_AreTheDatabasesRows_InTheDatasetsOrder_AndTheJsonSaysHowManyItHas()
    {
        await WithPortalAsync("portal-rows", _ => string.Empty, async (folder, app, http) =>
        {
            var (from, to) = (city.Today.AddDays(-40), city.Today.AddDays(-30));
            var csv = (await http.GetStringAsync($"/donnees/{Air}.csv?du={Day(from)}&au={Day(to)}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(HourlyRows(from, to), csv.Count);
            var keys = csv.Select(r => (r[0], r[1], r[2])).ToList();
            Assert.Equal(keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2 + "\u0001" + k.Item3, StringComparer.Ordinal), keys);
            Assert.Equal(keys.Count, keys.Distinct().Count());

            // A row taken at random is the database's hourly point, to the value.
            foreach (var row in new[] { csv[0], csv[csv.Count / 2], csv[^1] })
            {
                var point = city.Influx.Query("sensors", $"SELECT co2_ppm, co2_ppm_min, co2_ppm_max, samples FROM sensors.hourly.air_quality WHERE time = '{row[0]}' AND site = '{row[1]}' AND room = '{row[2]}'").Single();
                Assert.Equal(point["co2_ppm"].GetDouble(), double.Parse(row[3], CultureInfo.InvariantCulture), 3);
                Assert.Equal(point["co2_ppm_min"].GetDouble().ToString(CultureInfo.InvariantCulture), row[4]);
                Assert.Equal(point["samples"].GetInt64().ToString(CultureInfo.InvariantCulture), row[6]);
            }

            using var json = JsonDocument.Parse(await http.GetStringAsync($"/donnees/{Air}.json?du={Day(from)}&au={Day(to)}"));
            Assert.Equal(csv.Count, json.RootElement.GetProperty("data").GetArrayLength());
            Assert.Equal(csv.Count, json.RootElement.GetProperty("rows").GetInt32());
            Assert.Equal(Day(from), json.RootElement.GetProperty("from").GetString());
        });
    }

    [Fact]
    public async Task ASettledYear_IsSentFromAFileTheSecondTime_WithItsTags_AndAClientThatLeavesLeavesNoFile()
    {
        await WithPortalAsync("portal-cache", f => $"\"Downloads\": {{ \"CacheDirectory\": \"{f.File("cache")}\", \"SettledAfterDays\": 7 }},", async (folder, app, http) =>
        {
            var cache = folder.File("cache");
            var (from, to) = (city.Today.AddDays(-365), city.Today.AddDays(-8));

            // A client that goes away after the first bytes: the statements stop, and no file is kept.
            using (var response = await http.GetAsync($"/donnees/{Air}.csv?du={Day(from)}&au={Day(to)}", HttpCompletionOption.ResponseHeadersRead))
            {
                await using var body = await response.Content.ReadAsStreamAsync();
                await body.ReadExactlyAsync(new byte[4096]);
            }

            // The server notices the client left when its next write fails, then drops the part file: wait for that, not for a time.
            await WaitUntilAsync(() => !Directory.Exists(cache) || Directory.GetFiles(cache, "*.part").Length == 0, "the abandoned download's part file is removed");
            Assert.Empty(Directory.Exists(cache) ? Directory.GetFiles(cache) : []);

            var first = await http.GetAsync($"/donnees/{Air}.csv?du={Day(from)}&au={Day(to)}");
            var firstBody = await first.Content.ReadAsByteArrayAsync();
            Assert.Null(first.Headers.ETag); // built and streamed: the file is kept once complete
            var kept = Assert.Single(Directory.GetFiles(cache));
            Assert.Empty(Directory.GetFiles(cache, ".*"));
            Assert.Equal(firstBody.Length, new FileInfo(kept).Length);

            var second = await http.GetAsync($"/donnees/{Air}.csv?du={Day(from)}&au={Day(to)}");
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(firstBody, await second.Content.ReadAsByteArrayAsync());
            var tag = second.Headers.ETag ?? throw new Xunit.Sdk.XunitException("the cached file has no ETag");
            Assert.NotNull(second.Content.Headers.LastModified);
            Assert.Contains(Air, second.Content.Headers.ContentDisposition?.ToString() ?? string.Empty, StringComparison.Ordinal);

            using var again = new HttpRequestMessage(HttpMethod.Get, $"/donnees/{Air}.csv?du={Day(from)}&au={Day(to)}");
            again.Headers.IfNoneMatch.Add(tag);
            using var notModified = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

            // A period that has not settled (it ends yesterday) is built each time.
            var recent = await http.GetAsync($"/donnees/{Air}.csv?du={Day(city.Today.AddDays(-40))}&au={Day(city.Today.AddDays(-1))}");
            Assert.Null(recent.Headers.ETag);
            Assert.Single(Directory.GetFiles(cache));
        });
    }

    [Fact]
    public async Task WasteAndLightingPages_ShowTheFiguresOfTheMinuteData_AndLateDataOnceRolledUpAgain()
    {
        await WithPortalAsync("portal-rollups", _ => string.Empty, async (folder, app, http) =>
        {
            var zone = CitySeed.Paris;
            DateOnly LocalDay(long ns) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000), zone).DateTime);
            var from = Start(city.Today.AddDays(-29));

            // Pickups per sector and day over 30 days, from the raw pickups.
            var pickups = city.Influx.Query("sensors", $"SELECT \"count\", weight_kg, sector FROM sensors.raw.bin_pickup WHERE time >= '{from:yyyy-MM-ddTHH:mm:ssZ}'")
                .GroupBy(r => (Day: LocalDay(r["time"].GetInt64()), Sector: r["sector"].GetString()!))
                .ToDictionary(g => g.Key, g => (Count: g.Sum(r => r["count"].GetInt64()), Kg: g.Sum(r => r["weight_kg"].ValueKind == JsonValueKind.Number ? r["weight_kg"].GetDouble() : 0)));
            var waste = await http.GetStringAsync("/dechets");
            for (var s = 0; s < SmallCity.Size.Sectors; s++)
            {
                var sector = CityScale.Sector(s);
                var rows = Tables(await http.GetStringAsync($"/dechets/{sector}"))[$"Levées du secteur {sector}, jour par jour"];
                Assert.Equal(30, rows.Count);
                foreach (var row in rows)
                {
                    var day = DateOnly.ParseExact(row[0], "dd/MM/yyyy", CultureInfo.InvariantCulture);
                    var expected = pickups.GetValueOrDefault((day, sector));
                    Assert.Equal([PageLook.Count(expected.Count), PageLook.Count(expected.Kg)], row[1..3]);
                }

                var sectorTotal = pickups.Where(p => p.Key.Sector == sector).Sum(p => p.Value.Count);
                Assert.Contains($"<a href=\"/dechets/{sector}\">{sector}</a></th><td class=\"n\">{PageLook.Count(sectorTotal)}</td>", waste, StringComparison.Ordinal);
            }

            Assert.True(pickups.Values.Sum(p => p.Count) > 1000, "the small city has pickups to count");

            // The year's weekly trend: every pickup of the 364 days, from the hourly roll-up beyond raw's 90 days.
            var yearFrom = Start(city.Today.AddDays(-363));
            var year = city.Influx.Query("sensors", $"SELECT sum(\"count\") FROM sensors.hourly.bin_pickup WHERE time >= '{yearFrom:yyyy-MM-ddTHH:mm:ssZ}'").Single()["sum"].GetInt64();
            var trend = Regex.Match(waste, "Levées par semaine, tous secteurs, sur un an : ([0-9\u202F]+) au total");
            Assert.Equal(PageLook.Count(year), trend.Groups[1].Value);

            // Containers to empty: each one's last fill of the two days before now.
            var fills = city.Influx.Query("sensors", $"SELECT last(fill_pct) FROM sensors.raw.bin_fill WHERE time >= '{city.Now.AddDays(-2):yyyy-MM-ddTHH:mm:ssZ}' GROUP BY sector, bin_id");
            foreach (var sector in fills.GroupBy(r => r["sector"].GetString()!))
            {
                var values = sector.Select(r => r["last"].GetDouble()).ToList();
                Assert.Matches($"<tr data-sector=\"{sector.Key}\"><th scope=\"row\">{sector.Key}</th><td class=\"n\">{values.Count}</td><td class=\"n\">{values.Count(v => v >= 80)}</td><td class=\"n\">{PageLook.Number(values.Average())} %</td></tr>", waste);
            }

            // Energy per street and day, from each lamp's meter in the minute data.
            var meters = city.Influx.Query("sensors", $"SELECT energy_kwh, street, lamp_id FROM sensors.raw.lamp WHERE time >= '{from.AddDays(-1):yyyy-MM-ddTHH:mm:ssZ}'")
                .GroupBy(r => (Street: r["street"].GetString()!, Lamp: r["lamp_id"].GetString()!));
            var energy = new Dictionary<(DateOnly, string), double>();
            foreach (var lamp in meters)
            {
                double? previous = null;
                DateOnly? previousDay = null;
                foreach (var day in lamp.GroupBy(r => LocalDay(r["time"].GetInt64())).OrderBy(g => g.Key))
                {
                    var ordered = day.OrderBy(r => r["time"].GetInt64()).Select(r => r["energy_kwh"].GetDouble()).ToList();
                    var start = previousDay is { } p && day.Key.DayNumber - p.DayNumber == 1 ? previous!.Value : ordered[0];
                    energy[(day.Key, lamp.Key.Street)] = energy.GetValueOrDefault((day.Key, lamp.Key.Street)) + (ordered[^1] >= start ? ordered[^1] - start : ordered[^1]);
                    (previous, previousDay) = (ordered[^1], day.Key);
                }
            }

            var lighting = await http.GetStringAsync("/eclairage");
            var streets = Enumerable.Range(0, SmallCity.Size.Streets).Select(CityScale.Street).Order(StringComparer.Ordinal).ToList();
            var energyRows = Tables(lighting)["Les chiffres, par jour et par rue (kWh)"];
            Assert.True(energyRows.Count >= SmallCity.Size.LampDays, $"{energyRows.Count} days of energy");
            foreach (var row in energyRows)
            {
                var day = DateOnly.ParseExact(row[0][..10], "dd/MM/yyyy", CultureInfo.InvariantCulture);
                Assert.Equal(streets.Select(s => energy.TryGetValue((day, s), out var kwh) ? PageLook.Decimal(kwh, "0.00") : "—"), row[1..]);
            }

            // Lamps in fault (lp-0003, lp-0103… report code 2 in the last three hours) and silent (lp-0007, since two days).
            var text = PortalPagesTests.Text(lighting);
            Assert.Contains("lp-0003 , rue-003 : code de panne 2 signalé le", text, StringComparison.Ordinal);
            Assert.Contains("lp-0007 , rue-002 : ne répond plus depuis le", text, StringComparison.Ordinal);

            // Late data: a gateway cut off for ten days sends a pickup of then. The next recheck rolls that day up again.
            var late = city.Today.AddDays(-10);
            var lateAt = LessonHoursInstant(late, 9);
            CitySeed.Write(city.Influx, [$"bin_pickup,bin_id=bin-late,sector={CityScale.Sector(0)},truck_id=camion-9 count=1i,weight_kg=1000 {lateAt.ToUnixTimeSeconds()}"]);
            var before = pickups.GetValueOrDefault((late, CityScale.Sector(0)));
            var result = SeededCity.RollUp(app, city.Now.AddMinutes(61));
            var dayRange = $"time >= '{Start(late):yyyy-MM-ddTHH:mm:ssZ}' AND time < '{Start(late.AddDays(1)):yyyy-MM-ddTHH:mm:ssZ}'";
            Assert.True(result.LateDays >= 1, $"the late day was not seen: {result}; {JsonSerializer.Serialize(city.Influx.Query("sensors", $"SELECT count(\"count\") FROM sensors.raw.bin_pickup WHERE {dayRange}"))} {JsonSerializer.Serialize(city.Influx.Query("sensors", $"SELECT * FROM sensors.hourly.rollup_day WHERE {dayRange}"))}");
            var row10 = Tables(await http.GetStringAsync($"/dechets/{CityScale.Sector(0)}"))[$"Levées du secteur {CityScale.Sector(0)}, jour par jour"].Single(r => r[0] == late.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));
            Assert.Equal([PageLook.Count(before.Count + 1), PageLook.Count(before.Kg + 1000)], row10[1..3]);
        });
    }

    [Fact]
    public async Task WhatTheFieldSends_InSectorsAndPeriods_IsRefusedInWords_AndTheGoodRequestBehindItStillAnswers()
    {
        await WithPortalAsync("portal-hostile", _ => string.Empty, async (folder, app, http) =>
        {
            var sector = CityScale.Sector(1);
            var good = await http.GetStringAsync($"/dechets/{sector}");
            var goodCsv = await http.GetStringAsync($"/donnees/collectes-dechets-secteur-jour.csv?du={Day(city.Today.AddDays(-60))}&au={Day(city.Today)}");
            string[] sectors =
            [
                "'", "\"", "\\", "' OR sector =~ /.*/ --", $"{sector}' OR 'a'='a", $"{sector}%5C", "secteur-01;DROP MEASUREMENT pickups_sector_day", "%2e%2e%2fdonnees",
                "%FF%FE", "%C3%28", "%E2%80%AE" + sector, "\u00e9cole", new string('x', 257), new string('é', 1000), "99999999999999999999999", "-1", "null", "%00", "%0Aline", "%7B%22json%22%3A1%7D",
            ];
            foreach (var hostile in sectors)
            {
                using var response = await http.GetAsync("/dechets/" + hostile);
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"/dechets/{hostile}: {(int)response.StatusCode}");
                Assert.Equal(good, await http.GetStringAsync($"/dechets/{sector}"));
            }

            string[] periods =
            [
                "du=2026-13-01&au=2026-12-01", "du=99999-01-01&au=99999-12-31", "du=-2026-01-01", "du=2026-01-01&au=2025-01-01", "du=1900-01-01&au=2026-01-01",
                "du=2026-02-30", "du=20260101", "du=2026-01-01T00:00:00Z", "du='&au='", "du=%FF%FE", "du=" + new string('9', 5000), "du=1e308", "du=NaN",
            ];
            foreach (var period in periods)
            {
                using var response = await http.GetAsync($"/donnees/collectes-dechets-secteur-jour.csv?{period}");
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"?{period}: {(int)response.StatusCode}");
                Assert.Matches("AAAA-MM-JJ|366 jours au plus", await response.Content.ReadAsStringAsync());
                Assert.Equal(goodCsv, await http.GetStringAsync($"/donnees/collectes-dechets-secteur-jour.csv?du={Day(city.Today.AddDays(-60))}&au={Day(city.Today)}"));
            }

            foreach (var file in new[] { "collectes-dechets-secteur-jour.xml", "collectes-dechets-secteur-jour", "..%2Fappsettings.json", "%00.csv", new string('a', 3000) + ".csv" })
            {
                using var response = await http.GetAsync("/donnees/" + file);
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"/donnees/{file}: {(int)response.StatusCode}");
            }

            Assert.Equal(goodCsv, await http.GetStringAsync($"/donnees/collectes-dechets-secteur-jour.csv?du={Day(city.Today.AddDays(-60))}&au={Day(city.Today)}"));
        });
    }

    /// <summary>Waits for <paramref name="condition"/> (every 50 ms, 60 s at most), or fails saying what did not happen.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Each table of a page by its scroll box's label: its body's rows, each cell's text.</summary>
    internal static Dictionary<string, List<string[]>> Tables(string html) =>
        Regex.Matches(html, "aria-label=\"(?<name>[^\"]*)\"><table.*?<tbody>(?<body>.*?)</tbody>", RegexOptions.Singleline)
            .ToDictionary(
                m => WebUtility.HtmlDecode(m.Groups["name"].Value),
                m => Regex.Matches(m.Groups["body"].Value, "<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)
                    .Select(r => Regex.Matches(r.Groups[1].Value, "<t[hd][^>]*>(.*?)</t[hd]>", RegexOptions.Singleline).Select(c => Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(c.Groups[1].Value, "<[^>]+>", " ")), "[ \t\r\n]+", " ").Trim()).ToArray())
                    .ToList());

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset Start(DateOnly day) => LessonHoursInstant(day, 0);

    private static DateTimeOffset LessonHoursInstant(DateOnly day, int hour) => Sensors.Sites.LessonHours.Instant(day.ToDateTime(new TimeOnly(hour, 0)), CitySeed.Paris).ToUniversalTime();

    /// <summary>How many hourly points of the classrooms InfluxDB holds for the local days [from, to].</summary>
    private long HourlyRows(DateOnly from, DateOnly to) =>
        city.Influx.Query("sensors", $"SELECT count(samples) FROM sensors.hourly.air_quality WHERE time >= '{Start(from):yyyy-MM-ddTHH:mm:ssZ}' AND time < '{Start(to.AddDays(1)):yyyy-MM-ddTHH:mm:ssZ}'").Single()["count"].GetInt64();

    private sealed record Figures(long Rows, TimeSpan FirstByte, TimeSpan Total, long PeakKiB);

    /// <summary>Downloads a period, counting its rows as they come, and the portal's peak resident memory meanwhile.</summary>
    private static async Task<Figures> DownloadAsync(HttpClient http, PortalProcess portal, DateOnly from, DateOnly to, string format)
    {
        var ((rows, first, total), peak) = await portal.PeakWhileAsync(async () =>
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/donnees/{Air}.{format}?du={Day(from)}&au={Day(to)}", HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {portal.Output}");
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            TimeSpan? first = null;
            long lines = 0;
            int read;
            var tail = new List<byte>();
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                first ??= watch.Elapsed;
                lines += buffer.AsSpan(0, read).Count(format == "csv" ? (byte)'\n' : (byte)'{'); // a JSON row is an object; no value of this dataset holds a brace
                tail.AddRange(buffer.AsSpan(0, read)[Math.Max(0, read - 64)..].ToArray());
                tail.RemoveRange(0, Math.Max(0, tail.Count - 64));
            }

            if (format == "json")
            {
                Assert.EndsWith($"],\"rows\":{lines - 1}}}", System.Text.Encoding.UTF8.GetString([.. tail]), StringComparison.Ordinal);
            }

            return (lines - 1, first ?? watch.Elapsed, watch.Elapsed); // less the header line, or the document's own brace
        });
        return new Figures(rows, first, total, peak);
    }

    /// <summary>The portal in this process over the small city (its clock at the city's now, rolled up once), for <paramref name="test"/>; stopped after.</summary>
    private async Task WithPortalAsync(string folderName, Func<TempFolder, string> settings, Func<TempFolder, WebApplication, HttpClient, Task> test)
    {
        using var folder = new TempFolder(folderName);
        var app = SeededCity.StartPortal(folder, city.Influx, city.Now, settings(folder));
        try
        {
            using var http = new HttpClient { BaseAddress = PortalApp.Address(app) };
            await test(folder, app, http);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
