using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Sensors.Portal;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// Server time per portal page (p50, p95) and page weight, over a real InfluxDB holding a year of
/// minute data for 30 classrooms (plus bins and lamps), rolled up as deploy/central does. Baseline in
/// the same run: InfluxDB answering the simplest of the portal's queries on its own. Pages are
/// built afresh for each request (no page cache); one cached figure is given beside.
/// </summary>
internal static class PortalBenchmark
{
    public static async Task RunAsync(int requests)
    {
        using var influx = new InfluxServer();
        using var folder = new TempFolder("portal-bench");
        var now = CitySeed.LastThursdayTen();
        var watch = Stopwatch.StartNew();
        CitySeed.Seed(influx, now, TimeSpan.FromDays(366), extraRooms: 26);
        Console.WriteLine($"Portal: seeded a year of 30 classrooms (minute data), 5 containers, 4 lamps in {watch.Elapsed.TotalSeconds:0} s");

        Directory.CreateDirectory(folder.File("sites"));
        var config = folder.File("portal.json");
        foreach (var (cache, label) in new[] { ("00:00:00", "built afresh"), ("00:01:00", "from the page cache") })
        {
            File.WriteAllText(config, $$"""{ "Portal": { "Port": 0, "Sites": "{{folder.File("sites")}}", "CacheFor": "{{cache}}", "Influx": { "Url": "{{influx.Url}}" } } }""");
            var (app, errors) = PortalApp.Build(["--config", config], services => services.AddSingleton<TimeProvider>(new Fixed(now)));
            if (app is null)
            {
                throw new InvalidOperationException(string.Join('\n', errors));
            }

            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = PortalApp.Address(app) };
            if (cache == "00:00:00")
            {
                var window = $"time >= '{now.AddMinutes(-15).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' AND time < '{now.AddMinutes(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'";
                var baseline = await CityBenchmark.TimeAsync(http, $"{influx.Url}query?db=sensors&epoch=ms&q={Uri.EscapeDataString($"SELECT last(co2_ppm) FROM sensors.raw.air_quality WHERE {window} GROUP BY site, room")}", requests);
                Console.WriteLine($"  baseline, InfluxDB alone (last reading of 30 rooms): p50 {baseline.P50:0.0} ms, p95 {baseline.P95:0.0} ms");
                Console.WriteLine($"  {"page",-44} {"p50 ms",8} {"p95 ms",8} {"first ms",9} {"bytes",10}  (goal: p95 < 50 ms, < 100 KB; first: the first view, before the settled lessons' counts are kept)");
                foreach (var path in new[] { "/", "/ecoles/ecole-test", "/ecoles/ecole-test/cm1", "/dechets", "/eclairage", "/donnees", "/comment-ca-marche", "/catalogue.jsonld", "/donnees/qualite-air-classes-horaire.csv" })
                {
                    var figures = await CityBenchmark.TimeAsync(http, path, requests);
                    Console.WriteLine($"  {path,-44} {figures.P50,8:0.0} {figures.P95,8:0.0} {figures.First,9:0.0} {figures.Bytes,10:N0}{(path.EndsWith(".csv", StringComparison.Ordinal) ? "  (a download: 30 days × 30 rooms × 24 h)" : string.Empty)}");
                }
            }
            else
            {
                var cached = await CityBenchmark.TimeAsync(http, "/ecoles/ecole-test/cm1", requests);
                Console.WriteLine($"  /ecoles/ecole-test/cm1 {label}: p50 {cached.P50:0.00} ms, p95 {cached.P95:0.00} ms");
            }

            await app.StopAsync();
            await app.DisposeAsync();
        }

        Console.WriteLine($"  portal process: resident memory peak {ProcessStats.Status(Environment.ProcessId, "VmHWM")} (this benchmark process, seeding included)");
    }

    private sealed class Fixed(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
