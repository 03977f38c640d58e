using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// Each page's numbers against the seeded city (see <see cref="CitySeed"/> for the rules), computed
/// by hand here. The portal's "now" is a Thursday at 10:00 in Paris: this week's lessons so far are
/// Monday and Tuesday (6.5 h each), Wednesday morning (3.5 h) and Thursday 08:30–10:00 (1.5 h), 18 h.
/// </summary>
[Collection("seeded city")]
public sealed partial class PortalPagesTests(SeededCity city)
{
    [Fact]
    public void Classroom_ShowsItsLightNow_TodaysCurve_AndTheWeeksIconeComputedByHand()
    {
        // CM1 in lessons, every half hour: 10 min at 1800, 10 at 1300, 10 at 700 ppm.
        // f1 (1000–1700) = 1/3, f2 (> 1700) = 1/3: ICONE = 2.5 / log10(2) × log10(1 + 1/3 + 3 × 1/3) = 8.3048 × 0.3680 = 3.06 → 3.
        var page = Text(city.Get("/ecoles/ecole-test/cm1"));
        Assert.Contains("1800 ppm CO2 Air très chargé / Very stale air", page, StringComparison.Ordinal);
        Assert.Contains("Indice de confinement de la semaine (ICONE) : 3 élevé sur 5", page, StringComparison.Ordinal);
        Assert.Contains("Pendant les 18 heures de cours de la semaine, l'air a dépassé 1000 ppm 67 % du temps, et 1700 ppm 33 % du temps.", page, StringComparison.Ordinal);

        // Today 07:00–10:00: 450 before the lesson, then the pattern from 08:30: mean (1800 + 1300 + 700) / 3 = 1267.
        Assert.Contains("CO2 aujourd'hui de 7 h à 19 h : de 450 à 1800 ppm, en moyenne 1267 ppm pendant les cours (zones grisées).", page, StringComparison.Ordinal);
        // 08:00–09:00: 30 min at 450, then 10 min each at 1800, 1300, 700: (13500 + 38000) / 60 = 858.
        Assert.Contains("08:00–09:00 858 1800", page, StringComparison.Ordinal);
        // Five previous weeks, all of the same pattern (whole weeks: 6.5 + 6.5 + 3.5 + 6.5 + 6.5 h).
        Assert.Equal(5, Regex.Matches(page, @"semaine du \d\d/\d\d/\d{4} 3 \(élevé\) 67 % 33 %").Count);
    }

    [Theory]
    [InlineData("cp", "600 ppm", "Air sain", 0, "nul")] // 600 ppm in lessons: never above 1000.
    [InlineData("ce1", "1000 ppm", "Air chargé", 1, "faible")] // half the time 1200: f1 = 0.5, 8.3048 × log10(1.5) = 1.46 → 1.
    [InlineData("cm2", "1800 ppm", "Air très chargé", 5, "extrême")] // always 1800: f2 = 1, 8.3048 × log10(4) = 5.
    public void Classroom_IconeOfOtherPatterns(string room, string now, string words, int icone, string label)
    {
        var page = Text(city.Get($"/ecoles/ecole-test/{room}"));
        Assert.Contains($"{now} CO2 {words}", page, StringComparison.Ordinal);
        Assert.Contains($"(ICONE) : {icone} {label} sur 5", page, StringComparison.Ordinal);
    }

    [Fact]
    public void School_ShowsEveryClassroomsLight_AndLinksToIt()
    {
        var html = city.Get("/ecoles/ecole-test");
        foreach (var (room, light) in new[] { ("cp", "green"), ("ce1", "orange"), ("cm1", "red"), ("cm2", "red") })
        {
            Assert.Matches($"<li class=\"room\" id=\"room-{room}\" data-light=\"{light}\">\\s*<h2><a href=\"/ecoles/ecole-test/{room}\">", html);
        }

        Assert.Contains("École du Test", html, StringComparison.Ordinal);
        var home = Text(city.Get("/"));
        Assert.Contains("4 salles mesurées : 1 vert, 1 orange, 2 rouge.", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waste_ShowsPickupsPerSectorAndDay_BinsToEmpty_AndTheYearsTrend_WithoutAnyHousehold()
    {
        var html = city.Get("/dechets");
        var page = Text(html);
        var nord = Text(city.Get("/dechets/nord"));
        var sud = Text(city.Get("/dechets/sud"));
        var tuesday = city.LocalNow.Date.AddDays(-2).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        var wednesday = city.LocalNow.Date.AddDays(-1).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        // Nord: 3 pickups of 12 kg each weekday; sud: 2 of 10 kg on Tuesdays and Fridays; each container's fill is steady (nord 85, 90, 40: mean 72; sud 81, 20: 51).
        Assert.Contains($"{tuesday} 3 36 72 %", nord, StringComparison.Ordinal);
        Assert.Contains($"{tuesday} 2 20 51 %", sud, StringComparison.Ordinal);
        Assert.Contains($"{wednesday} 0 0 51 %", sud, StringComparison.Ordinal);
        Assert.Contains($"{wednesday} 3 36 72 %", nord, StringComparison.Ordinal);
        // The overview: one line a sector, linked to its page. The 30 days to Thursday hold 22 weekdays: nord 66 pickups.
        Assert.Matches(@"<tr data-sector=""nord""><th scope=""row""><a href=""/dechets/nord"">nord</a></th><td class=""n"">66</td>", html);
        Assert.Equal(HttpStatusCode.NotFound, (await city.Http.GetAsync("/dechets/ouest")).StatusCode);
        // Last fill of each container: nord 85, 90, 40 (two at 80 % or more, mean 71.7); sud 81, 20 (one, mean 50.5).
        Assert.Contains("nord 3 2 72 %", page, StringComparison.Ordinal);
        Assert.Contains("sud 2 1 51 %", page, StringComparison.Ordinal);
        // 52 weeks of 5 × 3 + 2 × 2 = 19 pickups.
        var trend = Regex.Match(page, "Levées par semaine, tous secteurs, sur un an : ([0-9 ]+) au total").Groups[1].Value;
        if (trend != "988")
        {
            var rolled = city.Influx.Query("sensors", "SELECT pickups, sector FROM sensors.hourly.pickups_sector_day").Select(r => $"{DateTimeOffset.FromUnixTimeMilliseconds(r["time"].GetInt64() / 1_000_000):yyyy-MM-dd HH:mm} {r["sector"]} {r["pickups"]}");
            var fingerprints = city.Influx.Query("sensors", "SELECT points, kind FROM sensors.hourly.rollup_day WHERE kind = 'pickups'").Select(r => $"{DateTimeOffset.FromUnixTimeMilliseconds(r["time"].GetInt64() / 1_000_000):yyyy-MM-dd HH:mm} {r["points"]}");
            Assert.Fail($"{trend} pickups in the year; roll-ups:\n{string.Join('\n', rolled)}\nfingerprints:\n{string.Join('\n', fingerprints)}");
        }
        foreach (var household in CitySeed.Households)
        {
            Assert.DoesNotContain(household, html + nord + sud, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Lighting_ShowsEnergyPerStreetAndDay_LampsInFault_AndTheDimmingProfile()
    {
        var page = Text(city.Get("/eclairage"));
        // 40 W for 8 h (17–23, 6–8) and 20 W for 7 h: 460 Wh a lamp a day, two lamps a street.
        var saturday = city.LocalNow.Date.AddDays(-5).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        Assert.Contains($"{saturday} 0,92 0,92", page, StringComparison.Ordinal);
        // lp-4 went silent on Monday 10:00: Tuesday counts lp-3 only.
        var tuesday = city.LocalNow.Date.AddDays(-2).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        Assert.Contains($"{tuesday} 0,92 0,46", page, StringComparison.Ordinal);
        Assert.Matches(@"lp-3 , rue-victor-hugo : code de panne 2 signalé le", page);
        Assert.Matches(@"lp-4 , rue-victor-hugo : ne répond plus depuis le", page);
        Assert.DoesNotContain("lp-1 ,", page, StringComparison.Ordinal);
        Assert.Contains("00:00 50 20,0", page, StringComparison.Ordinal);
        Assert.Contains("20:00 100 40,0", page, StringComparison.Ordinal);
        Assert.Contains("12:00 0 0,0", page, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPage_IsUnder100KB_SelfContained_AndInFrenchThenEnglish()
    {
        foreach (var path in new[] { "/", "/ecoles", "/ecoles/ecole-test", "/ecoles/ecole-test/cm1", "/dechets", "/dechets/nord", "/eclairage", "/donnees", "/comment-ca-marche" })
        {
            var html = city.Get(path);
            Assert.True(html.Length + PortalCss.Length < 100 * 1024, $"{path}: {html.Length} bytes");
            Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
            Assert.Contains("lang=\"en\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html.Replace("href=\"https://www.etalab.gouv.fr/licence-ouverte-open-licence/\"", string.Empty, StringComparison.Ordinal));
            foreach (Match figure in Regex.Matches(html, "<svg [^>]*>"))
            {
                Assert.Matches("role=\"img\" aria-labelledby=\"[^\"]+\"", figure.Value);
            }
        }
    }

    [Fact]
    public async Task UnknownSchoolOrRoom_Is404_AndAQuoteInTheAddressChangesNoQuery()
    {
        foreach (var path in new[] { "/ecoles/nulle-part", "/ecoles/ecole-test/salle-inconnue", "/ecoles/ecole-test'%20OR%20'1'='1", "/nowhere" })
        {
            using var response = await city.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Page introuvable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static string PortalCss => Sensors.Look.PageLook.Css;

    /// <summary>The page's text as a reader sees it: tags out, entities decoded, spaces collapsed.</summary>
    public static string Text(string html)
    {
        var text = Regex.Replace(html, "<(svg|style).*?</\\1>", " ", RegexOptions.Singleline);
        text = Regex.Replace(text, "<span lang=\"en\" class=\"en\">", " / ");
        text = Regex.Replace(text, "</?sub>", string.Empty);
        text = Regex.Replace(text, "<[^>]+>", " ");
        return Regex.Replace(WebUtility.HtmlDecode(text), @"\s+", " ");
    }
}
