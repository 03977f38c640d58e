using System.Globalization;
using System.Text;
using Sensors.Look;
using Sensors.Sites;
using Sensors.Portal.Data;

namespace Sensors.Portal.Pages;

/// <summary>
/// The waste service's and the lighting service's pages. Waste shows sectors only (pickups per day,
/// bins above the fill threshold, trends): nothing that points to a household.
/// </summary>
public sealed class CityPages(CityData data, PortalOptions options, TimeProvider time)
{
    private const int Days = 30;

    public async Task<string> WasteAsync(CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = options.Zone;
        var today = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        var from = LessonHours.Instant(today.AddDays(-(Days - 1)), zone);
        var yearFrom = LessonHours.Instant(today.AddDays(-7 * 52), zone);
        var pickupsTask = data.PickupsPerDayAsync(from, now, cancellation);
        var yearTask = data.PickupsPerDayAllSectorsAsync(yearFrom, now, cancellation);
        var runTask = data.LastRunAsync(now, cancellation);
        var pickups = await pickupsTask;
        var year = await yearTask;
        var run = await runTask;
        var fill = run is { } at ? await data.FillBySectorAsync(at, cancellation) : [];
        var days = Enumerable.Range(0, Days).Select(i => DateOnly.FromDateTime(today.AddDays(i - (Days - 1)))).ToList();
        return Layout.Page(options.City, "/dechets", "Collecte des déchets", "Waste collection", html =>
        {
            html.Append("<p>Les camions de collecte lisent la puce des bacs à chaque levée ; la passerelle remplace l'identifiant de la puce par un pseudonyme avant tout envoi. Ici, tout est compté par secteur.")
                .Append(PageLook.En("Collection trucks read each bin's chip at every lift; the gateway replaces the chip's id by a pseudonym before anything is sent. Here everything is counted per sector.")).Append("</p>\n");

            html.Append("<h2>Levées par jour").Append(PageLook.En("Pickups per day")).Append("</h2>\n");
            var sectors = pickups.Select(p => p.Group).Distinct().Order(StringComparer.Ordinal).ToList();
            if (sectors.Count == 0)
            {
                html.Append("<p>Aucune levée enregistrée ces 30 derniers jours.").Append(PageLook.En("No pickup recorded in the last 30 days.")).Append("</p>\n");
            }
            else
            {
                var perDay = pickups.ToLookup(p => p.Day);
                var bars = days.Select(d => (d.ToString("dd/MM", CultureInfo.InvariantCulture), perDay[d].Sum(p => p.Value))).ToList();
                var total = bars.Sum(b => b.Item2);
                Charts.Bars(html, "levees", bars, $"Levées par jour, tous secteurs, 30 derniers jours : {PageLook.Count(total)} au total, {PageLook.Count(bars.Max(b => b.Item2))} au plus en un jour.{PageLook.En($"Pickups per day, all sectors, last 30 days: {PageLook.Count(total)} in all, at most {PageLook.Count(bars.Max(b => b.Item2))} in a day.")}", labelEvery: 7);

                // One line a sector, its days on a page of its own: a city's forty sectors stay one light page.
                var perSector = pickups.ToLookup(p => p.Group);
                html.Append("<h2>Par secteur").Append(PageLook.En("Per sector")).Append("</h2>\n");
                html.Append(Layout.ScrollBox("Levées par secteur")).Append("<table id=\"secteurs\"><thead><tr><th scope=\"col\">Secteur").Append(PageLook.En("Sector")).Append("</th><th scope=\"col\" class=\"n\">Levées (30 j)").Append(PageLook.En("Pickups (30 d)"))
                    .Append("</th><th scope=\"col\" class=\"n\">Poids (kg)").Append(PageLook.En("Weight")).Append("</th><th scope=\"col\" class=\"n\">Le plus en un jour").Append(PageLook.En("Most in a day")).Append("</th></tr></thead><tbody>");
                foreach (var sector in sectors)
                {
                    var its = perSector[sector].ToList();
                    html.Append("<tr data-sector=\"").Append(PageLook.Encode(sector)).Append("\"><th scope=\"row\">")
                        .Append(sector == "—" ? sector : Layout.LinkIfRoutable($"/dechets/{PageLook.PathSegment(sector)}", sector, sector))
                        .Append("</th><td class=\"n\">").Append(PageLook.Count(its.Sum(p => p.Value))).Append("</td><td class=\"n\">").Append(PageLook.Count(its.Sum(p => p.Second ?? 0)))
                        .Append("</td><td class=\"n\">").Append(PageLook.Count(its.GroupBy(p => p.Day).Max(g => g.Sum(p => p.Value)))).Append("</td></tr>");
                }

                html.Append("</tbody></table></div>\n");
            }

            html.Append("<h2>Conteneurs à vider").Append(PageLook.En("Containers to empty")).Append("</h2>\n");
            html.Append("<p>Conteneurs d'apport volontaire remplis à ").Append(PageLook.Number(options.FillThresholdPct)).Append(" % ou plus, selon leur dernière mesure des deux derniers jours.")
                .Append(PageLook.En($"Drop-off containers {PageLook.Number(options.FillThresholdPct)} % full or more, by their last reading of the last two days.")).Append("</p>\n");
            if (run is null)
            {
                html.Append("<p>L'état des conteneurs n'a pas encore été calculé ; il l'est toutes les quelques minutes.").Append(PageLook.En("The containers' state has not been worked out yet; it is every few minutes.")).Append("</p>\n");
            }
            else if (fill.Count == 0)
            {
                html.Append("<p>Aucun conteneur n'a envoyé de mesure ces deux derniers jours.").Append(PageLook.En("No container sent a reading in the last two days.")).Append("</p>\n");
            }
            else
            {
                html.Append(Layout.ScrollBox("Conteneurs à vider par secteur")).Append("<table id=\"remplissage\"><thead><tr><th scope=\"col\">Secteur").Append(PageLook.En("Sector")).Append("</th><th scope=\"col\" class=\"n\">Conteneurs").Append(PageLook.En("Containers"))
                    .Append("</th><th scope=\"col\" class=\"n\">À vider").Append(PageLook.En("To empty")).Append("</th><th scope=\"col\" class=\"n\">Remplissage moyen").Append(PageLook.En("Mean fill")).Append("</th></tr></thead><tbody>");
                foreach (var sector in fill)
                {
                    html.Append("<tr data-sector=\"").Append(PageLook.Encode(sector.Sector)).Append("\"><th scope=\"row\">").Append(PageLook.Encode(sector.Sector)).Append("</th><td class=\"n\">").Append(sector.Bins)
                        .Append("</td><td class=\"n\">").Append(sector.AboveThreshold).Append("</td><td class=\"n\">").Append(PageLook.Number(sector.MeanFillPct)).Append(" %</td></tr>");
                }

                html.Append("</tbody></table></div>\n");
            }

            html.Append("<h2>Tendances").Append(PageLook.En("Trends")).Append("</h2>\n");
            var weeks = Enumerable.Range(0, 52).Select(i => DateOnly.FromDateTime(today.AddDays(-7 * (51 - i)))).ToList();
            var weekly = weeks.Select(w => (w.ToString("dd/MM", CultureInfo.InvariantCulture), year.Where(p => p.Day > w.AddDays(-7) && p.Day <= w).Sum(p => p.Value))).ToList();
            Charts.Bars(html, "levees-semaines", weekly, $"Levées par semaine, tous secteurs, sur un an : {PageLook.Count(weekly.Sum(w => w.Item2))} au total.{PageLook.En($"Pickups per week, all sectors, over a year: {PageLook.Count(weekly.Sum(w => w.Item2))} in all.")}", labelEvery: 8, css: "bar2");
        });
    }

    /// <summary>/dechets/{sector}: the sector's pickups, weight and containers' fill, day by day, 30 days; null when the sector has none.</summary>
    public async Task<string?> SectorAsync(string sector, CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = options.Zone;
        var today = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        var from = LessonHours.Instant(today.AddDays(-(Days - 1)), zone);
        var pickupsTask = data.PickupsPerDayAsync(from, now, cancellation, sector);
        var fillTask = data.FillPerDayAsync(from, now, cancellation, sector);
        var pickups = (await pickupsTask).GroupBy(p => p.Day).ToDictionary(g => g.Key, g => new DayValue(g.Key, sector, g.Sum(p => p.Value), g.Sum(p => p.Second ?? 0)));
        var fill = (await fillTask).GroupBy(f => f.Day).ToDictionary(g => g.Key, g => g.First());
        if (pickups.Count == 0 && fill.Count == 0)
        {
            return null;
        }

        var days = Enumerable.Range(0, Days).Select(i => DateOnly.FromDateTime(today.AddDays(i - (Days - 1)))).ToList();
        return Layout.Page(options.City, "/dechets", $"Secteur {sector}", $"Sector {sector}", html =>
        {
            html.Append("<p><a href=\"/dechets\">← Collecte des déchets</a>").Append(PageLook.En("Waste collection")).Append("</p>\n");
            var bars = days.Select(d => (d.ToString("dd/MM", CultureInfo.InvariantCulture), pickups.TryGetValue(d, out var p) ? p.Value : 0)).ToList();
            var total = bars.Sum(b => b.Item2);
            var name = PageLook.Encode(sector);
            Charts.Bars(html, "levees-secteur", bars, $"Levées par jour dans le secteur {name}, 30 derniers jours : {PageLook.Count(total)} au total, {PageLook.Count(bars.Max(b => b.Item2))} au plus en un jour.{PageLook.En($"Pickups per day in sector {name}, last 30 days: {PageLook.Count(total)} in all, at most {PageLook.Count(bars.Max(b => b.Item2))} in a day.")}", labelEvery: 7);
            Layout.Table(html, "Les chiffres, jour par jour", "The figures, day by day", ["Jour <span lang=\"en\" class=\"en\">Day</span>", "Levées <span lang=\"en\" class=\"en\">Pickups</span>", "Poids (kg) <span lang=\"en\" class=\"en\">Weight</span>", "Remplissage moyen <span lang=\"en\" class=\"en\">Mean fill</span>"],
                days.Select(d => (IReadOnlyList<string>)[
                    d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
                    PageLook.Count(pickups.TryGetValue(d, out var p) ? p.Value : 0),
                    PageLook.Count(pickups.TryGetValue(d, out var k) ? k.Second ?? 0 : 0),
                    fill.TryGetValue(d, out var f) ? PageLook.Number(f.Value) + " %" : "—"]).ToList(), open: true, name: $"Levées du secteur {sector}, jour par jour");
        });
    }

    public async Task<string> LightingAsync(CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = options.Zone;
        var today = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        var from = LessonHours.Instant(today.AddDays(-(Days - 1)), zone);
        var energyTask = data.EnergyPerDayAsync(from, now + TimeSpan.FromMinutes(1), cancellation);
        var runTask = data.LastRunAsync(now, cancellation);
        var profileTask = data.DimmingProfileAsync(now, cancellation);
        var energy = await energyTask;
        var run = await runTask;
        var problems = run is { } at ? await data.LampProblemsAsync(at, cancellation) : [];
        var profile = await profileTask;
        var days = Enumerable.Range(0, Days).Select(i => DateOnly.FromDateTime(today.AddDays(i - (Days - 1)))).ToList();
        var todayDate = DateOnly.FromDateTime(today);
        return Layout.Page(options.City, "/eclairage", "Éclairage public", "Street lights", html =>
        {
            html.Append("<h2>Énergie par jour et par rue").Append(PageLook.En("Energy per day and street")).Append("</h2>\n");
            var streets = energy.Select(e => e.Group).Distinct().Order(StringComparer.Ordinal).ToList();
            var perDay = energy.ToLookup(e => e.Day);
            var perStreetDay = energy.GroupBy(e => (e.Day, e.Group)).ToDictionary(g => g.Key, g => g.First().Value);
            if (streets.Count == 0)
            {
                html.Append("<p>Aucun compteur d'énergie relevé ces 30 derniers jours.").Append(PageLook.En("No energy meter read in the last 30 days.")).Append("</p>\n");
            }
            else
            {
                html.Append("<p class=\"more\">L'énergie d'un jour est ce que le compteur de chaque lampadaire a mesuré ce jour-là : sa dernière valeur du jour moins celle de la veille, ou moins sa première valeur du jour s'il n'a rien envoyé la veille. Aujourd'hui compte jusqu'à maintenant.")
                    .Append(PageLook.En("A day's energy is what each lamp post's meter measured that day: its last value of the day minus the day before's, or minus its first value of the day when it sent nothing the day before. Today counts until now.")).Append("</p>\n");
                var total = days.Select(d => (d.ToString("dd/MM", CultureInfo.InvariantCulture), perDay[d].Sum(e => e.Value))).ToList();
                Charts.Bars(html, "energie-jours", total, $"Énergie de l'éclairage par jour, toutes rues, 30 derniers jours (aujourd'hui compris) : {PageLook.Decimal(total.Sum(t => t.Item2))} kWh.{PageLook.En($"Street-light energy per day, all streets, last 30 days (today included): {PageLook.Decimal(total.Sum(t => t.Item2))} kWh.")}", labelEvery: 7);
                Layout.Table(html, "Les chiffres, par jour et par rue (kWh)", "The figures, per day and street (kWh)", ["Jour <span lang=\"en\" class=\"en\">Day</span>", .. streets.Select(PageLook.Encode)],
                    days.Where(perDay.Contains).Select(d => (IReadOnlyList<string>)[
                        d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) + (d == todayDate ? " (en cours)" + PageLook.En("so far") : string.Empty),
                        .. streets.Select(s => perStreetDay.TryGetValue((d, s), out var kwh) ? PageLook.Decimal(kwh, "0.00") : "—")]).ToList(), open: true);
            }

            html.Append("<h2>Lampadaires en panne").Append(PageLook.En("Lamp posts out of order")).Append("</h2>\n");
            if (run is null)
            {
                html.Append("<p id=\"pannes\">L'état des lampadaires n'a pas encore été calculé ; il l'est toutes les quelques minutes.").Append(PageLook.En("The lamp posts' state has not been worked out yet; it is every few minutes.")).Append("</p>\n");
            }
            else if (problems.Count == 0)
            {
                html.Append("<p id=\"pannes\">Aucune panne signalée.").Append(PageLook.En("No fault reported.")).Append("</p>\n");
            }
            else
            {
                html.Append("<ul id=\"pannes\">");
                foreach (var lamp in problems)
                {
                    var seen = TimeZoneInfo.ConvertTime(lamp.LastSeen, zone).ToString("dd/MM HH:mm", CultureInfo.InvariantCulture);
                    html.Append("<li data-lamp=\"").Append(PageLook.Encode(lamp.LampId)).Append("\"><strong>").Append(PageLook.Encode(lamp.LampId)).Append("</strong>, ").Append(PageLook.Encode(lamp.Street)).Append(" : ")
                        .Append(lamp.Silent
                            ? $"ne répond plus depuis le {seen}{PageLook.En($"silent since {seen}")}"
                            : $"code de panne {lamp.FaultCode} signalé le {seen}{PageLook.En($"fault code {lamp.FaultCode} reported on {seen}")}")
                        .Append("</li>");
                }

                html.Append("</ul>\n");
            }

            html.Append("<h2>Profil de gradation").Append(PageLook.En("Dimming profile")).Append("</h2>\n");
            var order = Enumerable.Range(0, 24).Select(i => (i + 12) % 24).ToList(); // noon to noon: the night in the middle
            var bars = order.Select(h => ($"{h}h", profile[h].DimPct ?? 0)).ToList();
            Charts.Bars(html, "gradation", bars, $"Niveau d'éclairage moyen par heure, 7 derniers jours, de midi à midi (100 % = pleine puissance).{PageLook.En("Mean light level per hour, last 7 days, noon to noon (100 % = full power).")}", max: 100, labelEvery: 3);
            Layout.Table(html, "Les chiffres, heure par heure", "The figures, hour by hour", ["Heure <span lang=\"en\" class=\"en\">Hour</span>", "Gradation (%) <span lang=\"en\" class=\"en\">Dimming</span>", "Puissance moyenne (W) <span lang=\"en\" class=\"en\">Mean power</span>"],
                order.Select(h => (IReadOnlyList<string>)[$"{h:00}:00", profile[h].DimPct is { } d ? PageLook.Number(d) : "—", profile[h].PowerW is { } p ? PageLook.Decimal(p) : "—"]).ToList());
        });
    }
}
