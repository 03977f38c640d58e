using Microsoft.AspNetCore.Builder;
using Sensors.Look;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// What a family sees when the data is not the seeded city's steady stream: history that arrives
/// after the page was first read (the demo's day of history, a gateway that was cut off), and a
/// Saturday or a Monday morning, when today has no lesson and no reading between 7 h and 19 h.
/// A small InfluxDB of its own: site ecole-calme, rooms written minute by minute as each test says.
/// </summary>
[Collection("seeded city")]
public sealed class QuietDaysTests : IDisposable
{
    private const string Site = "ecole-calme";
    private readonly InfluxServer _influx = new();
    private readonly List<(WebApplication App, TempFolder Folder)> _apps = [];
    private readonly DateTimeOffset _thursday = CitySeed.LastThursdayTen();

    public QuietDaysTests()
    {
        foreach (var statement in CitySeed.SchemaStatements())
        {
            _influx.Execute(statement);
        }
    }

    /// <summary>One reading a minute of <paramref name="room"/> over [from, to) (local times of the Thursday's week), at <paramref name="ppm"/>.</summary>
    private void Readings(string room, DateTime from, DateTime to, Func<DateTime, double> ppm)
    {
        var lines = new List<string>();
        for (var local = from; local < to; local = local.AddMinutes(1))
        {
            var at = new DateTimeOffset(local, CitySeed.Paris.GetUtcOffset(local));
            lines.Add($"air_quality,room={room},sensor_id=s-{room},sensor_model=SCD41,site={Site} co2_ppm={ppm(local)},temperature_c=20.5,humidity_pct=45 {at.ToUnixTimeSeconds()}");
        }

        CitySeed.Write(_influx, lines);
    }

    private HttpClient Portal(DateTimeOffset now)
    {
        var folder = new TempFolder("portal-quiet-app");
        var app = SeededCity.StartPortal(folder, _influx, now);
        _apps.Add((app, folder));
        return new HttpClient { BaseAddress = PortalApp.Address(app) };
    }

    private static async Task<string> TextAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return PortalPagesTests.Text(html);
    }

    [Fact]
    public async Task IconeShows_BeforeTheRollUpRan_AndCountsHistoryThatArrivesAfterThePageWasRead()
    {
        var monday = TimeZoneInfo.ConvertTime(_thursday, CitySeed.Paris).DateTime.Date.AddDays(-3);
        // Monday 08:30–10:00 at 600 ppm, written but not rolled up yet (the CQs run at the top of the hour).
        Readings("cp", monday.AddHours(8.5), monday.AddHours(10), _ => 600);
        using var http = Portal(_thursday);

        var page = await TextAsync(http, $"/ecoles/{Site}/cp");
        Assert.Contains("(ICONE) : 0 nul sur 5", page, StringComparison.Ordinal);
        Assert.Contains("Pendant les 1,5 heures de cours mesurées sur les 18 heures de cours de la semaine, l'air a dépassé 1000 ppm 0 %", page, StringComparison.Ordinal);
        Assert.Contains("(ICONE) : 0", await TextAsync(http, $"/ecoles/{Site}"), StringComparison.Ordinal);

        // The roll-up runs: same figures, now from the hourly data.
        CitySeed.RollUpAll(_influx, monday.AddHours(-1), monday.AddDays(1));
        page = await TextAsync(http, $"/ecoles/{Site}/cp");
        Assert.Contains("Pendant les 1,5 heures de cours mesurées sur les 18 heures de cours de la semaine, l'air a dépassé 1000 ppm 0 %", page, StringComparison.Ordinal);

        // The rest of Monday morning arrives late (a gateway back online), at 1800 ppm, and is rolled up:
        // 120 of 210 lesson minutes above 1700, f2 = 0.571: 8.3048 × log10(1 + 1.714) = 3.6 → 4.
        Readings("cp", monday.AddHours(10), monday.AddHours(12), _ => 1800);
        CitySeed.RollUpAll(_influx, monday.AddHours(-1), monday.AddDays(1));
        page = await TextAsync(http, $"/ecoles/{Site}/cp");
        Assert.Contains("(ICONE) : 4 très élevé sur 5", page, StringComparison.Ordinal);
        Assert.Contains("Pendant les 3,5 heures de cours mesurées sur les 18 heures de cours de la semaine, l'air a dépassé 1000 ppm 57 % du temps, et 1700 ppm 57 % du temps.", page, StringComparison.Ordinal);
        Assert.Contains("(ICONE) : 4", await TextAsync(http, $"/ecoles/{Site}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnSaturdayAndMondayMorning_TheClassroomShowsTheLastSchoolDay_AndTheLastWeekMeasured()
    {
        var thursday = TimeZoneInfo.ConvertTime(_thursday, CitySeed.Paris).DateTime.Date;
        // Thursday from 7 h to 19 h: 500 ppm, 1800 during lessons; nothing on Friday, Saturday and Sunday
        // (a sensor switched off for the long weekend); the week before: nothing at all.
        Readings("ce2", thursday.AddHours(7), thursday.AddHours(19), local => CitySeed.IsLesson(local) ? 1800 : 500);
        CitySeed.RollUpAll(_influx, thursday.AddDays(-1), thursday.AddDays(1));
        var day = DateOnly.FromDateTime(thursday);

        foreach (var (now, weekNote) in new[]
        {
            (_thursday.AddDays(2), "Cette semaine : l'indice de confinement"), // Saturday 10:00
            (_thursday.AddDays(4).AddHours(-3), "La semaine du " + thursday.AddDays(-3).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture)), // Monday 07:00
        })
        {
            using var http = Portal(now);
            var page = await TextAsync(http, $"/ecoles/{Site}/ce2");
            Assert.Contains($"{PageLook.DayFr(day)} / {PageLook.DayEn(day)} Pas de mesure aujourd'hui entre 7 h et 19 h : voici le dernier jour de classe mesuré.", page, StringComparison.Ordinal);
            Assert.Contains($"CO2 {PageLook.DayFr(day).ToLowerInvariant()} de 7 h à 19 h : de 500 à 1800 ppm, en moyenne 1800 ppm pendant les cours (zones grisées).", page, StringComparison.Ordinal);
            Assert.Contains("13:00–14:00 1150 1800", page, StringComparison.Ordinal); // twelve five-minute means, six at 500 (13:00–13:30) and six at 1800: 1150
            Assert.Contains(weekNote, page, StringComparison.Ordinal);
            Assert.Contains("(ICONE) : 5 extrême sur 5", page, StringComparison.Ordinal);
            Assert.Contains("Pendant les 6,5 heures de cours mesurées sur les 29,5 heures de cours de la semaine", page, StringComparison.Ordinal);
            Assert.Contains("Pas d'autre semaine mesurée ces six dernières semaines.", page, StringComparison.Ordinal);
            Assert.DoesNotContain("—", page[page.IndexOf("Les semaines précédentes", StringComparison.Ordinal)..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThePrintableWeek_ShowsTheIndex_AndEachSchoolDaysCurve_AndEarlierWeeksAreReachedFromTheClassroom()
    {
        var thursday = TimeZoneInfo.ConvertTime(_thursday, CitySeed.Paris).DateTime.Date;
        var monday = thursday.AddDays(-3);
        var mondayBefore = monday.AddDays(-7);
        // This week: Monday 7 h–19 h at 700 ppm, Thursday 500 ppm and 1800 during lessons. The week before: Tuesday at 1200 all day.
        Readings("cm2", monday.AddHours(7), monday.AddHours(19), _ => 700);
        Readings("cm2", thursday.AddHours(7), thursday.AddHours(19), local => CitySeed.IsLesson(local) ? 1800 : 500);
        Readings("cm2", mondayBefore.AddDays(1).AddHours(7), mondayBefore.AddDays(1).AddHours(19), _ => 1200);
        CitySeed.RollUpAll(_influx, mondayBefore.AddDays(-1), thursday.AddDays(1));
        using var http = Portal(_thursday.AddDays(2)); // Saturday 10:00
        string Date(DateTime day) => day.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);

        // The classroom links to its sheet, and each earlier week measured to that week's sheet.
        var classroom = await (await http.GetAsync($"/ecoles/{Site}/cm2")).Content.ReadAsStringAsync();
        Assert.Contains($"href=\"/ecoles/{Site}/cm2/semaine\">La semaine à imprimer</a>", classroom, StringComparison.Ordinal);
        Assert.Contains($"href=\"/ecoles/{Site}/cm2/semaine?semaine={mondayBefore:yyyy-MM-dd}\">semaine du {Date(mondayBefore)}</a>", classroom, StringComparison.Ordinal);

        var sheet = await TextAsync(http, $"/ecoles/{Site}/cm2/semaine");
        Assert.Contains($"– semaine du {Date(monday)}", sheet, StringComparison.Ordinal);
        // 6 h 30 of lessons on Monday at 700 ppm and 6 h 30 on Thursday at 1800 (f1 = 0, f2 = 0.5): 8.3048 × log10(1 + 3 × 0.5) = 3.3 → 3.
        Assert.Contains("Pendant les 13 heures de cours mesurées sur les 29,5 heures de cours de la semaine, l'air a dépassé 1000 ppm 50 % du temps, et 1700 ppm 50 % du temps.", sheet, StringComparison.Ordinal);
        Assert.Contains("(ICONE) : 3 élevé sur 5", sheet, StringComparison.Ordinal);
        var days = new[] { monday, monday.AddDays(1), monday.AddDays(2), thursday, thursday.AddDays(1) };
        foreach (var day in days)
        {
            Assert.Contains($"{PageLook.DayFr(DateOnly.FromDateTime(day))} / {PageLook.DayEn(DateOnly.FromDateTime(day))}", sheet, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(PageLook.DayFr(DateOnly.FromDateTime(thursday.AddDays(2))), sheet, StringComparison.Ordinal); // Saturday: no lesson, no curve
        Assert.Contains($"CO2 {PageLook.DayFr(DateOnly.FromDateTime(monday)).ToLowerInvariant()} de 7 h à 19 h : de 700 à 700 ppm", sheet, StringComparison.Ordinal);
        Assert.Contains($"CO2 {PageLook.DayFr(DateOnly.FromDateTime(thursday)).ToLowerInvariant()} de 7 h à 19 h : de 500 à 1800 ppm", sheet, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(sheet, "Pas de mesure ce jour-là").Count); // Tuesday, Wednesday, Friday

        var before = await TextAsync(http, $"/ecoles/{Site}/cm2/semaine?semaine={mondayBefore:yyyy-MM-dd}");
        Assert.Contains($"– semaine du {Date(mondayBefore)}", before, StringComparison.Ordinal);
        Assert.Contains($"CO2 {PageLook.DayFr(DateOnly.FromDateTime(mondayBefore.AddDays(1))).ToLowerInvariant()} de 7 h à 19 h : de 1200 à 1200 ppm", before, StringComparison.Ordinal);
        Assert.Contains("l'air a dépassé 1000 ppm 100 % du temps, et 1700 ppm 0 % du temps.", before, StringComparison.Ordinal);
        // A day in the middle of a week asks for that week; a date that is not one, in the future or past the minute data's 90 days is not found.
        Assert.Contains($"– semaine du {Date(mondayBefore)}", await TextAsync(http, $"/ecoles/{Site}/cm2/semaine?semaine={mondayBefore.AddDays(3):yyyy-MM-dd}"), StringComparison.Ordinal);
        foreach (var bad in new[] { "2026-13-01", "lundi", $"{thursday.AddDays(9):yyyy-MM-dd}", $"{thursday.AddDays(-120):yyyy-MM-dd}" })
        {
            using var response = await http.GetAsync($"/ecoles/{Site}/cm2/semaine?semaine={bad}");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Lighting_CountsTheEnergyOfPartialDays_TheFirstDayOfHistoryAndTodaySoFar()
    {
        // Two lamps of one street at a steady 60 W, reporting every 10 minutes from Wednesday 10:00
        // to Thursday 10:00 (the demo's day of history), the meter starting at 5 kWh.
        var start = _thursday.AddDays(-1);
        var lines = new List<string>();
        for (var at = start; at <= _thursday; at = at.AddMinutes(10))
        {
            var meter = 5 + (0.06 * (at - start).TotalHours);
            foreach (var lamp in new[] { "lp-a", "lp-b" })
            {
                lines.Add(FormattableString.Invariant($"lamp,device_eui=eui-{lamp},lamp_id={lamp},site=ville,street=rue-neuve on=true,dim_pct=100,power_w=60,energy_kwh={meter:0.######},fault_code=0 {at.ToUnixTimeSeconds()}"));
            }
        }

        CitySeed.Write(_influx, lines);
        using var http = Portal(_thursday);
        var page = await TextAsync(http, "/eclairage");
        var wednesday = start.ToOffset(CitySeed.Paris.GetUtcOffset(start)).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var thursday = _thursday.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain("Aucun compteur", page, StringComparison.Ordinal);
        // Wednesday: first reading 10:00 (5.000), last 23:50 (5 + 0.06 × 13.83 = 5.83): 0.83 kWh a lamp.
        Assert.Contains($"{wednesday} 1,66", page, StringComparison.Ordinal);
        // Thursday so far: from Wednesday's last (5.83) to 10:00 (5 + 0.06 × 24 = 6.44): 0.61 kWh a lamp.
        Assert.Contains($"{thursday} (en cours) / so far 1,22", page, StringComparison.Ordinal);
        Assert.Contains("toutes rues, 30 derniers jours (aujourd'hui compris) : 2,9 kWh.", page, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var (app, folder) in _apps)
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
            folder.Dispose();
        }

        _influx.Dispose();
    }
}
