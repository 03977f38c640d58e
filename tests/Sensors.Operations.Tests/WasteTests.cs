using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Sensors.Testing;
using Xunit.Abstractions;

namespace Sensors.Operations.Tests;

/// <summary>
/// The waste service's pages over a town written by hand into a real InfluxDB (November 2026 in
/// Paris, every figure worked out in the comments), signed in through a real OpenID provider:
/// the billing export, its log, the statement of one bin, the containers and tomorrow's round,
/// each refused to whoever is not the waste service; and the export's time for a month of a
/// 20,000-bin town.
/// </summary>
public sealed class WasteTests(WasteTests.Town town, ITestOutputHelper output) : IClassFixture<WasteTests.Town>
{
    public const string B1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01";
    public const string B2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb02";
    public const string B3 = "cccccccccccccccccccccccccccccc03";
    public const string B4 = "dddddddddddddddddddddddddddddd04";

    public sealed class Town() : SignedInWorld("waste", FleetData.Database)
    {
        public string AuditLog => Folder.File("exports.jsonl"); // where StartSignedInAsync points Console:Waste:AuditLog

        public TimeSpan Seeding { get; private set; }

        private static string Paris(int month, int day, int hour, int minute) =>
            FleetData.S(new DateTimeOffset(2026, month, day, hour, minute, 0, FleetData.Paris.GetUtcOffset(new DateTime(2026, month, day, hour, minute, 0))));

        protected override IReadOnlyDictionary<string, (string Name, string[] Roles)> Users { get; } = new Dictionary<string, (string, string[])>
        {
            ["paul"] = ("Paul (déchets)", ["waste"]),
            ["marie"] = ("Marie (environnement)", ["environment"]),
            ["ada"] = ("Ada (informatique)", ["admin"]),
        };

        protected override IReadOnlyDictionary<string, string> Seed()
        {
            Influx.CreateDatabase(FleetData.Database);
            var pickup = "bin_pickup,sector={0},bin_id={1},truck_id={2},key_version={3} count=1i{4} {5}";
            string Lift(string sector, string bin, string truck, string version, double? weight, string at) =>
                string.Format(System.Globalization.CultureInfo.InvariantCulture, pickup, sector, bin, truck, version, weight is { } w ? $",weight_kg={w.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty, at);
            FleetData.Write(Influx, [
                // B1 in November (Paris time): 1st 00:30 (still 31 October in UTC: November here) 10 kg,
                // 3rd 07:12 12.5 kg, 10th 07:15 13 kg (its read redelivered: the same point again),
                // 17th 07:20 not weighed: 4 lifts, 35.5 kg. Around it, 31 October 23:30 and
                // 1 December 00:10 (Paris) belong to the months beside.
                Lift("nord", B1, "truck-07", "2026", 10, Paris(11, 1, 0, 30)),
                Lift("nord", B1, "truck-07", "2026", 12.5, Paris(11, 3, 7, 12)),
                Lift("nord", B1, "truck-07", "2026", 13, Paris(11, 10, 7, 15)),
                Lift("nord", B1, "truck-07", "2026", 13, Paris(11, 10, 7, 15)),
                Lift("nord", B1, "truck-08", "2026", null, Paris(11, 17, 7, 20)),
                Lift("nord", B1, "truck-07", "2026", 11, Paris(10, 31, 23, 30)),
                Lift("nord", B1, "truck-07", "2026", 11, Paris(12, 1, 0, 10)),
                Lift("nord", B2, "truck-07", "2026", null, Paris(11, 5, 8, 0)), // one lift, no weight
                Lift("sud", B3, "truck-09", "2026", 20, Paris(11, 6, 9, 0)), // another sector
                Lift("nord", B4, "truck-07", "2027", 9, Paris(11, 25, 7, 0)), // after the key's rotation: a new pseudonym, key 2027
            ]);

            // Containers, hour by hour up to a minute ago (one level in each hourly bucket). Never
            // "this hour at :01": during the first minute of an hour that is in the future, and the
            // console reads up to now.
            var minuteAgo = DateTimeOffset.UtcNow.AddMinutes(-1);
            var hour = new DateTimeOffset(minuteAgo.Year, minuteAgo.Month, minuteAgo.Day, minuteAgo.Hour, minuteAgo.Minute, minuteAgo.Second, TimeSpan.Zero);
            var lines = new List<string>();
            void Levels(string bin, string sector, params double?[] levels)
            {
                for (var i = 0; i < levels.Length; i++)
                {
                    if (levels[i] is { } level)
                    {
                        lines.Add($"bin_fill,site=depot,sector={sector},bin_id={bin},device_eui=e{bin.GetHashCode() & 0xffff:x4} fill_pct={level.ToString(System.Globalization.CultureInfo.InvariantCulture)} {FleetData.S(hour.AddHours(i - levels.Length + 1))}");
                    }
                }
            }

            Levels("pav-full", "nord", 40, 45, 50, 55, 60, 65, 70, 75, 80, 85); // 85 % now: tomorrow
            Levels("pav-soon", "nord", 90, 92, 94, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32); // emptied 9 h ago, 3 %/h: full in 22.7 h
            Levels("pav-slow", "sud", 10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5); // 0.5 %/h: full in 171 h, not tomorrow
            Levels("pav-silent", "sud", 50, 52, 54, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null); // last level 18 h ago
            Levels("pav-few", "sud", 88, 90, 92, 94, 5, 7, 9); // emptied 2 h ago: 3 levels since, 6 needed

            // A 20,000-bin town's October: a lift a week per bin (4 each), weighed.
            var watch = Stopwatch.StartNew();
            for (var b = 0; b < 20_000; b++)
            {
                foreach (var day in new[] { 1, 8, 15, 22 })
                {
                    lines.Add(Lift($"s{b % 25:00}", $"{b:x32}", $"truck-{b % 12:00}", "2026", 8 + (b % 7), Paris(10, day, 6 + (b % 8), b % 60)));
                }
            }

            for (var i = 0; i < lines.Count; i += 20_000)
            {
                FleetData.Write(Influx, lines.Skip(i).Take(20_000));
            }

            Seeding = watch.Elapsed;
            File.WriteAllText(Folder.File("devices.yaml"), """
                device_types:
                  fill: { model: EM310-UDL, codec: milesight-em310-udl, uplink_every_s: 3600 }
                devices:
                  - { dev_eui: 24E1247130000001, type: fill, site: depot, bin_id: pav-full, sector: nord, street: rue-des-lilas }
                  - { dev_eui: 24E1247130000002, type: fill, site: depot, bin_id: pav-soon, sector: nord, street: avenue-foch }
                """);
            return new Dictionary<string, string> { ["Registry"] = Folder.File("devices.yaml") };
        }
    }

    [Fact]
    public async Task TheBillingExport_IsExactForTheMonthInParisTime_WithEachKeyVersion_AndRecorded()
    {
        var (context, _, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        using var csv = await client.GetAsync("/dechets/levees.csv?mois=2026-11&secteur=nord");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("levees-2026-11-nord.csv", csv.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        Assert.True(csv.Headers.CacheControl!.NoStore);
        Assert.Equal(
            "bin_id,key_version,sector,lifts,weight_kg,first_lift,last_lift\n" +
            $"{B1},2026,nord,4,35.5,2026-11-01T00:30:00+01:00,2026-11-17T07:20:00+01:00\n" +
            $"{B2},2026,nord,1,,2026-11-05T08:00:00+01:00,2026-11-05T08:00:00+01:00\n" +
            $"{B4},2027,nord,1,9,2026-11-25T07:00:00+01:00,2026-11-25T07:00:00+01:00\n",
            await csv.Content.ReadAsStringAsync());

        using var json = JsonDocument.Parse(await client.GetStringAsync("/dechets/levees.json?mois=2026-11"));
        Assert.Equal(4, json.RootElement.GetProperty("rows").GetInt32()); // all sectors: B3 in sud too
        var b3 = json.RootElement.GetProperty("bins").EnumerateArray().Single(b => b.GetProperty("bin_id").GetString() == B3);
        Assert.Equal(("sud", 1, 20.0), (b3.GetProperty("sector").GetString(), b3.GetProperty("lifts").GetInt32(), b3.GetProperty("weight_kg").GetDouble()));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("bins").EnumerateArray().Single(b => b.GetProperty("bin_id").GetString() == B2).GetProperty("weight_kg").ValueKind);

        // A month without a lift: the header alone.
        Assert.Equal("bin_id,key_version,sector,lifts,weight_kg,first_lift,last_lift\n", await client.GetStringAsync("/dechets/levees.csv?mois=2026-09"));

        // Each export in the log, readable by the admin role only.
        var log = File.ReadAllLines(town.AuditLog).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(log, e => e.GetProperty("month").GetString() == "2026-11" && e.GetProperty("format").GetString() == "csv" && e.GetProperty("sectors")[0].GetString() == "nord" && e.GetProperty("rows").GetInt32() == 3 && e.GetProperty("user").GetString() == "Paul (déchets)");
        Assert.Contains(log, e => e.GetProperty("month").GetString() == "2026-09" && e.GetProperty("rows").GetInt32() == 0);
        var (adminContext, adminPage, adminClient) = await town.SignInAsync("ada");
        await using var ___ = adminContext;
        using var ____ = adminClient;
        Assert.Equal(200, (await adminPage.GotoAsync(new Uri(town.Console.Url, "/journal-des-exports").ToString()))!.Status);
        Assert.Contains("Paul (déchets)", await adminPage.InnerTextAsync("tbody"), StringComparison.Ordinal);
        var violations = await Browser.AxeAsync(adminPage, "console export log");
        Assert.True(violations.Count == 0, string.Join("; ", violations));
        await Browser.ShotAsync(adminPage, Path.Combine(Browser.Screenshots, "console-export-log.png"));

        // The admin is not the waste service: no export, no statement.
        Assert.Equal(HttpStatusCode.Forbidden, (await adminClient.GetAsync("/dechets/levees.csv?mois=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await adminClient.GetAsync($"/dechets/bac/{B1}?mois=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/journal-des-exports")).StatusCode); // nor the waste service the log
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("novembre")]
    [InlineData("2026-11-05")]
    [InlineData("99999-01")]
    [InlineData("2026-11'; DROP MEASUREMENT bin_pickup")]
    [InlineData("%00%01")]
    [InlineData("1900-01")]
    public async Task AnExportWithoutAClearMonth_IsRefusedInWords_AndLogsNothing_ThenAGoodOneWorks(string month)
    {
        var (context, _, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        var lines = File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0;
        using var refused = await client.GetAsync($"/dechets/levees.csv?mois={month}&secteur=nord");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("le mois s'écrit AAAA-MM", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(lines, File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0);
        var good = await client.GetStringAsync("/dechets/levees.csv?mois=2026-11&secteur=nord");
        Assert.Equal(4, good.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(lines + 1, File.ReadAllLines(town.AuditLog).Length);
    }

    [Theory]
    [InlineData("secteur=")]
    [InlineData("secteur=%20%20")]
    [InlineData("secteur=nord&secteur=")]
    [InlineData("secteur=%00")]
    [InlineData("secteur=nord%0Asud")]
    [InlineData("secteur=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 characters
    public async Task AnExportWithASectorItCannotRead_IsRefused_NeverWidenedToEverySector(string sectors)
    {
        var (context, _, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        var lines = File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0;
        using var refused = await client.GetAsync($"/dechets/levees.json?mois=2026-11&{sectors}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("un secteur est un nom de 64 caractères au plus", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(lines, File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0);

        // Quotes and backslashes are a sector's name like any other (quoted in the query): nothing, and no error.
        Assert.Equal("bin_id,key_version,sector,lifts,weight_kg,first_lift,last_lift\n", await client.GetStringAsync("/dechets/levees.csv?mois=2026-11&secteur=nord'%20OR%20'1'='1&secteur=a%5C"));
        Assert.Equal(4, (await client.GetStringAsync("/dechets/levees.csv?mois=2026-11&secteur=nord")).TrimEnd('\n').Split('\n').Length);
    }

    [Theory]
    [InlineData("marie", "/dechets")]
    [InlineData("marie", "/dechets/levees.csv?mois=2026-11")]
    [InlineData("marie", "/dechets/levees.json?mois=2026-11")]
    [InlineData("marie", "/dechets/bac/" + B1 + "?mois=2026-11")]
    [InlineData("marie", "/dechets/tournee")]
    [InlineData("marie", "/dechets/conteneurs")]
    [InlineData("ada", "/dechets/levees.json?mois=2026-11")]
    [InlineData(null, "/dechets/levees.csv?mois=2026-11")]
    [InlineData(null, "/dechets/bac/" + B1)]
    public async Task NoOneButTheWasteService_GetsTheWastePages(string? login, string path)
    {
        var lines = File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0;
        if (login is null)
        {
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = town.Console.Url };
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode); // sent to sign in
            Assert.DoesNotContain(B1, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        else
        {
            var (context, _, client) = await town.SignInAsync(login);
            await using var _ = context;
            using var __ = client;
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain(B1, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(lines, File.Exists(town.AuditLog) ? File.ReadAllLines(town.AuditLog).Length : 0); // nothing exported, nothing logged
    }

    [Fact]
    public async Task TheStatementOfOneBin_ListsEachLiftInParisTime_WithItsTotal_And404ForAnUnknownBin()
    {
        var (context, page, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        Assert.Equal(200, (await page.GotoAsync(new Uri(town.Console.Url, $"/dechets/bac/{B1}?mois=2026-11").ToString()))!.Status);
        var rows = await page.Locator("tbody tr").AllInnerTextsAsync();
        Assert.Equal(4, rows.Count);
        Assert.StartsWith("Dimanche 1er novembre 2026, 00:30\ttruck-07\tnord\t10,0", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("Mardi 3 novembre 2026, 07:12\ttruck-07\tnord\t12,5", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("Mardi 10 novembre 2026, 07:15\ttruck-07\tnord\t13,0", rows[2], StringComparison.Ordinal);
        Assert.StartsWith("Mardi 17 novembre 2026, 07:20\ttruck-08\tnord\t—", rows[3], StringComparison.Ordinal);
        Assert.Equal("Total\t4 levée(s)\t35,5", (await page.InnerTextAsync("tfoot")).Trim());
        var violations = await Browser.AxeAsync(page, "console statement");
        Assert.True(violations.Count == 0, string.Join("; ", violations));
        await Browser.ShotAsync(page, Path.Combine(Browser.Screenshots, "console-waste-statement.png"));
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await page.PdfAsync(new PagePdfOptions { Path = Path.Combine(Browser.Screenshots, "console-waste-statement.pdf"), Format = "A4", PreferCSSPageSize = true });

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dechets/bac/ffffffffffffffffffffffffffffffff?mois=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dechets/bac/%3Cscript%3E?mois=2026-11")).StatusCode);
        using var october = await client.GetAsync($"/dechets/bac/{B2}?mois=2026-10");
        Assert.Equal(HttpStatusCode.OK, october.StatusCode); // a known bin, a month without lifts
        Assert.Contains("0 levée(s)", await october.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var form = await client.GetAsync($"/dechets/bac?bac=%20{B1}%20&mois=2026-11");
        Assert.Equal($"/dechets/bac/{B1}?mois=2026-11", form.Headers.Location!.ToString());
    }

    [Fact]
    public async Task TheContainers_AndTomorrowsRound_TheUnsureApart()
    {
        var (context, page, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        Assert.Equal(200, (await page.GotoAsync(new Uri(town.Console.Url, "/dechets/conteneurs").ToString()))!.Status);
        var containers = await page.InnerTextAsync("tbody");
        Assert.Matches("pav-soon\tnord\tavenue-foch\t32\t[^\t]+\t72,0\tplein vers le", containers); // 3 %/h = 72 %/day
        Assert.Contains("pav-few\tsud\t—\t9\t", containers, StringComparison.Ordinal);
        Assert.Contains("pas assez de mesures (3 depuis le vidage, 6 nécessaires)", containers, StringComparison.Ordinal);
        Assert.Contains("capteur muet depuis 18 h", containers, StringComparison.Ordinal);
        var violations = await Browser.AxeAsync(page, "console containers");
        Assert.True(violations.Count == 0, string.Join("; ", violations));
        await Browser.ShotAsync(page, Path.Combine(Browser.Screenshots, "console-waste-containers.png"));

        Assert.Equal(200, (await page.GotoAsync(new Uri(town.Console.Url, "/dechets/tournee").ToString()))!.Status);
        var tables = await page.Locator("table").AllInnerTextsAsync();
        Assert.Equal(2, tables.Count); // nord's round, then the containers to check
        Assert.Contains("rue-des-lilas\tpav-full\t85", tables[0], StringComparison.Ordinal);
        Assert.Contains("avenue-foch\tpav-soon\t32", tables[0], StringComparison.Ordinal);
        Assert.True(tables[0].IndexOf("avenue-foch", StringComparison.Ordinal) < tables[0].IndexOf("rue-des-lilas", StringComparison.Ordinal)); // by street
        Assert.DoesNotContain("pav-slow", string.Join("\n", tables), StringComparison.Ordinal);
        Assert.Contains("pav-silent", tables[1], StringComparison.Ordinal);
        Assert.Contains("pav-few", tables[1], StringComparison.Ordinal);
        violations = await Browser.AxeAsync(page, "console round sheet");
        Assert.True(violations.Count == 0, string.Join("; ", violations));
        await Browser.ShotAsync(page, Path.Combine(Browser.Screenshots, "console-waste-round.png"));

        foreach (var path in new[] { "/dechets?mois=2026-11", "/dechets/bilan?mois=2026-11&secteur=nord" })
        {
            Assert.Equal(200, (await page.GotoAsync(new Uri(town.Console.Url, path).ToString()))!.Status);
            violations = await Browser.AxeAsync(page, $"console {path}");
            Assert.True(violations.Count == 0, string.Join("; ", violations));
        }

        await Browser.ShotAsync(page, Path.Combine(Browser.Screenshots, "console-waste-fit.png"));
        await page.GotoAsync(new Uri(town.Console.Url, "/dechets?mois=2026-11").ToString());
        Assert.Contains("4 bacs, 7 levées", await page.InnerTextAsync("main"), StringComparison.Ordinal); // B1 4, B2 1, B3 1, B4 1
        await Browser.ShotAsync(page, Path.Combine(Browser.Screenshots, "console-waste.png"));
    }

    [Fact]
    public async Task TheExportOfAMonth_ForA20000BinTown()
    {
        var (context, _, client) = await town.SignInAsync("paul");
        await using var _ = context;
        using var __ = client;
        var times = new List<double>();
        string body = string.Empty;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            body = await client.GetStringAsync("/dechets/levees.csv?mois=2026-10");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        var lines = body.TrimEnd('\n').Split('\n');
        Assert.Equal(20_002, lines.Length); // the header, the town's 20,000 bins, and B1 (its lift of 31 October 23:30, Paris)
        Assert.All(lines.Skip(1).Where(l => !l.StartsWith(B1, StringComparison.Ordinal)), l => Assert.Contains(",2026,s", l, StringComparison.Ordinal));
        Assert.Equal(4 * 20_000, lines.Skip(1).Where(l => !l.StartsWith(B1, StringComparison.Ordinal)).Sum(l => int.Parse(l.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture)));
        times.Sort();
        var report = $"October of a 20,000-bin town (80,000 lifts, written in {town.Seeding.TotalSeconds:0.0} s): CSV export {times[1]:0} ms (median of 3; {times[0]:0} to {times[2]:0}), {body.Length / 1024} KiB.";
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(RepoPaths.Of("artifacts")).FullName, "waste-export.txt"), report + "\n");
    }
}
