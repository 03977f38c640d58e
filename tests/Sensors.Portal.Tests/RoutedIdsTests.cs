using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// Ids as the data holds them, not only lower case and dashes (the MQTT source accepts
/// site=Ecole_Maj, room=CM2_B): every link the portal prints for them answers 200. A city of its
/// own (a small InfluxDB), so that the shared seeded city's counts stay as computed by hand; in
/// the seeded city's collection all the same, so as not to load the machine while its pages run.
/// </summary>
[Collection("seeded city")]
public sealed partial class RoutedIdsTests : IDisposable
{
    /// <summary>Every character class the data may hold: upper case, spaces, accents, quotes, markup with a slash, a slash alone, %, ?, #, +, &amp;, ;.</summary>
    private static readonly (string Site, string Room)[] Rooms =
    [
        ("Ecole_Maj", "CM2_B"), ("Ecole_Maj", "salle 3"), ("école-été", "CE1'B"), ("école-été", "<script>alert(1)</script>"), ("école-été", "a/b"),
        ("école-été", "100%"), ("école-été", "x?y#z"), ("école-été", "plus+sign & co;"), ("école-été", "quote\"d"), ("école/été", "ü"),
    ];

    private readonly InfluxServer _influx = new();
    private readonly TempFolder _folder = new("portal-ids");
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    public RoutedIdsTests()
    {
        var now = CitySeed.LastThursdayTen();
        foreach (var statement in CitySeed.SchemaStatements())
        {
            _influx.Execute(statement);
        }

        CitySeed.Write(_influx, Rooms.SelectMany(r => Enumerable.Range(0, 30).Select(m =>
            $"air_quality,room={Escape(r.Room)},sensor_id=s1,sensor_model=SCD41,site={Escape(r.Site)} co2_ppm={700 + m},temperature_c=21,humidity_pct=45 {(now - TimeSpan.FromMinutes(m)).ToUnixTimeSeconds()}")));

        _app = SeededCity.StartPortal(_folder, _influx, now);
        _http = new HttpClient { BaseAddress = PortalApp.Address(_app) };
    }

    private static string Escape(string tag) => tag.Replace(" ", "\\ ", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    [Fact]
    public async Task EverySchoolAndRoomLink_Answers200_WhateverTheIdsLookLike()
    {
        var schools = await GetAsync("/ecoles");
        var siteLinks = Links(schools).Where(l => l.Count(c => c == '/') == 2).Distinct().ToList();
        Assert.Equal(3, siteLinks.Count);
        var rooms = 0;
        foreach (var siteLink in siteLinks)
        {
            var page = await GetAsync(siteLink);
            foreach (var roomLink in Links(page).Where(l => l.StartsWith(siteLink + "/", StringComparison.Ordinal)).Distinct())
            {
                var room = await GetAsync(roomLink);
                Assert.Contains(Uri.UnescapeDataString(roomLink[(roomLink.LastIndexOf('/') + 1)..]), WebUtility.HtmlDecode(room), StringComparison.Ordinal);
                Assert.DoesNotContain("<script>alert", room, StringComparison.Ordinal); // escaped wherever it shows
                rooms++;
            }
        }

        Assert.Equal(Rooms.Length, rooms);
        Assert.Contains("/ecoles/Ecole_Maj/CM2_B", Links(await GetAsync("/ecoles/Ecole_Maj")));
        Assert.Contains("/ecoles/Ecole_Maj/salle%203", Links(await GetAsync("/ecoles/Ecole_Maj")));
    }

    [Fact]
    public async Task AnIdNobodyHolds_Is404_AndAQuoteStillChangesNoQuery()
    {
        foreach (var path in new[] { "/ecoles/Nulle_Part", "/ecoles/Ecole_Maj/CM2_Z", "/ecoles/Ecole_Maj'%20OR%20'1'='1", "/ecoles/Ecole_Maj/CM2_B'%20OR%20'1'='1" })
        {
            using var response = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    private async Task<string> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return text;
    }

    private static List<string> Links(string html) =>
        [.. Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(l => l.StartsWith("/ecoles/", StringComparison.Ordinal))];

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    public void Dispose()
    {
        _http.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        _influx.Dispose();
        _folder.Dispose();
    }
}
