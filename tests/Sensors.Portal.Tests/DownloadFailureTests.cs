using System.Net;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// A database that dies in the middle of a download, or is down before it: the client sees an
/// incomplete transfer (never a 200 that looks whole), or a 503 with Retry-After in words; the
/// portal's log says what happened; the portal goes on. The portal runs as the city runs it.
/// </summary>
public sealed class DownloadFailureTests
{
    [Fact]
    public async Task ADatabaseThatDiesMidway_CutsTheTransfer_AndOneThatIsDown_Gives503WithRetryAfter()
    {
        using var influx = new InfluxServer();
        var now = DateTimeOffset.UtcNow;
        CityScale.Write(influx, new CitySize(Schools: 2, RoomsPerSchool: 8, HourlyDays: 366, MinuteDays: 1, Sectors: 1, Bins: 0, PickupDays: 1, Containers: 0, FillDays: 1, Lamps: 0, Streets: 1, LampDays: 1), now);
        using var folder = new TempFolder("portal-broken");
        Directory.CreateDirectory(folder.File("sites"));
        using var portal = new PortalProcess(folder, influx, $"\"Sites\": \"{folder.File("sites")}\", \"CacheFor\": \"00:00:00\", \"Rollups\": {{ \"Enabled\": false }}");
        using var http = new HttpClient { BaseAddress = portal.Url, Timeout = TimeSpan.FromMinutes(2) };
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, CitySeed.Paris).DateTime);
        var year = $"du={today.AddDays(-365):yyyy-MM-dd}&au={today:yyyy-MM-dd}";

        foreach (var format in new[] { "csv", "json" })
        {
            if (!influx.IsRunning)
            {
                influx.Start();
            }

            using var response = await http.GetAsync($"/donnees/qualite-air-classes-horaire.{format}?{year}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[16 * 1024]);
            influx.Stop(kill: true);
            var cut = await Assert.ThrowsAnyAsync<Exception>(async () => await body.CopyToAsync(Stream.Null));
            Assert.True(cut is HttpRequestException or IOException, $"the cut transfer ends with {cut.GetType().Name}: {cut.Message}");
        }

        Assert.Contains("Download qualite-air-classes-horaire_", portal.Output, StringComparison.Ordinal);
        Assert.Contains("The client's transfer was aborted (incomplete)", portal.Output, StringComparison.Ordinal);

        // The database is down before the first byte: words and Retry-After, for a download and for a page.
        foreach (var path in new[] { $"/donnees/qualite-air-classes-horaire.csv?{year}", "/donnees/collectes-dechets-secteur-jour.json", "/dechets", "/eclairage", "/ecoles" })
        {
            using var down = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), down.Headers.RetryAfter?.Delta);
            Assert.Contains("ne répond pas", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // And back: the next download is whole.
        influx.Start();
        var whole = await http.GetStringAsync($"/donnees/qualite-air-classes-horaire.csv?du={today.AddDays(-3):yyyy-MM-dd}&au={today.AddDays(-2):yyyy-MM-dd}");
        Assert.Equal((2 * 24 * 16) + 1, whole.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
