using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sensors.Portal.Rollups;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// One real InfluxDB holding a year of the seeded city (<see cref="CitySeed"/>), and the portal
/// over it, started in this process on a free loopback port with its clock stopped at
/// <see cref="Now"/> (a Thursday, 10:00 in Paris, during a lesson) and no page cache.
/// Shared by every test class of the collection: seeding a year takes a while.
/// </summary>
public sealed class SeededCity : IDisposable
{
    private readonly TempFolder _folder = new("portal");

    public SeededCity()
    {
        Influx = new InfluxServer();
        Now = CitySeed.LastThursdayTen();
        var watch = Stopwatch.StartNew();
        CitySeed.Seed(Influx, Now, TimeSpan.FromDays(366));
        SeedTime = watch.Elapsed;
        WriteSiteFile(_folder);
        App = StartPortal(_folder, Influx, Now);
        Url = PortalApp.Address(App);
        Http = new HttpClient { BaseAddress = Url };
    }

    /// <summary>
    /// The portal in this process over <paramref name="influx"/>, on a free loopback port, its
    /// clock stopped at <paramref name="now"/>, no page cache, the site files of
    /// <paramref name="folder"/>/sites, and <paramref name="settings"/> (more members of "Portal", each followed by a comma).
    /// </summary>
    public static WebApplication StartPortal(TempFolder folder, InfluxServer influx, DateTimeOffset now, string settings = "")
    {
        Directory.CreateDirectory(folder.File("sites"));
        var config = folder.File("portal.json");
        File.WriteAllText(config, $$"""
            { "Portal": { "Port": 0, "Sites": "{{folder.File("sites")}}", "CacheFor": "00:00:00", "City": "Ville de Test", "Rollups": { "Enabled": false }, {{settings}}
                          "Influx": { "Url": "{{influx.Url}}", "Database": "sensors" } } }
            """);
        var (app, errors) = PortalApp.Build(["--config", config], services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(now)));
        var started = app ?? throw new InvalidOperationException(string.Join('\n', errors));
        started.StartAsync().GetAwaiter().GetResult();
        RollUp(started, now);
        return started;
    }

    /// <summary>One run of the roll-up job at <paramref name="now"/>, as the portal's own runs every few minutes (off in the tests: their clock stands still).</summary>
    public static RollupJob.Result RollUp(WebApplication app, DateTimeOffset now) =>
        app.Services.GetRequiredService<RollupJob>().RunAsync(now, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The seeded school's site file, in <paramref name="folder"/>/sites.</summary>
    public static void WriteSiteFile(TempFolder folder)
    {
        Directory.CreateDirectory(folder.File("sites"));
        File.WriteAllText(folder.File("sites/ecole-test.yaml"), """
            site: ecole-test
            name: École du Test
            timezone: Europe/Paris
            rooms:
              - { id: cp, name: CP, volume_m3: 160, pupils: 22 }
              - { id: ce1, name: CE1, volume_m3: 170, pupils: 24 }
              - { id: cm1, name: CM1, volume_m3: 175, pupils: 25 }
              - { id: cm2, name: CM2, volume_m3: 180, pupils: 26 }
            """);
    }

    /// <summary>A second portal over the same city with its clock at <paramref name="now"/> (a Saturday, say); dispose both when done.</summary>
    public (WebApplication App, TempFolder Folder) PortalAt(DateTimeOffset now)
    {
        var folder = new TempFolder("portal-at");
        WriteSiteFile(folder);
        return (StartPortal(folder, Influx, now), folder);
    }

    public InfluxServer Influx { get; }
    public DateTimeOffset Now { get; }
    public TimeSpan SeedTime { get; }
    public WebApplication App { get; }
    public Uri Url { get; }
    public HttpClient Http { get; }

    public DateTime LocalNow => TimeZoneInfo.ConvertTime(Now, CitySeed.Paris).DateTime;

    public string Get(string path)
    {
        using var response = Http.GetAsync(path).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}\n{text}");
        return text;
    }

    public void Dispose()
    {
        Http.Dispose();
        App.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)App).Dispose();
        Influx.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition("seeded city")]
public sealed class SeededCityCollection : ICollectionFixture<SeededCity>
{
}
