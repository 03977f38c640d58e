using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sensors.Look;
using Sensors.Operations.Fleet;
using Sensors.Operations.Waste;

namespace Sensors.Operations.Pages;

/// <summary>
/// The waste service's own work, for the <c>waste</c> role only: lifts per bin per month for the
/// billing software (CSV and JSON, every export recorded), the statement of one bin's month for a
/// disputed bill (A4), the containers with their fill, last emptying and forecast, tomorrow's
/// round sheet, and how well the rounds fit the need. Pseudonyms only: no chip id, no household.
/// </summary>
public sealed class WastePages(WasteData data, ExportAudit audit, RegistrySource registry, ConsoleOptions options, TimeProvider time)
{
    private string City => options.City;

    private TimeZoneInfo Zone => options.Zone;

    private static string MonthText(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static readonly string[] MonthsFr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private static string MonthFr(DateOnly month) => $"{MonthsFr[month.Month - 1]} {month.Year}";

    /// <summary>The month asked for, or the month so far (the pages; an export always names its month).</summary>
    public DateOnly MonthOf(IQueryCollection query)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone).Date);
        return WasteData.ParseMonth(query["mois"]) ?? new DateOnly(today.Year, today.Month, 1);
    }

    public static IReadOnlyList<string> SectorsOf(IQueryCollection query) => [.. query["secteur"].Where(s => !string.IsNullOrWhiteSpace(s) && s!.Length <= 64).Select(s => s!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static string Query(DateOnly month, IReadOnlyList<string> sectors) =>
        "mois=" + MonthText(month) + string.Concat(sectors.Select(s => "&secteur=" + Uri.EscapeDataString(s)));

    public async Task<string> HomeAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var month = MonthOf(query);
        var chosen = SectorsOf(query);
        var sectors = await data.SectorsAsync(cancellation);
        var bins = await data.MonthAsync(month, chosen, cancellation);
        return ConsoleLayout.Page(City, viewer, "/dechets", "Déchets : levées et tournées", "Waste: lifts and rounds", html =>
        {
            html.Append("<h2>Levées du mois, pour la facturation").Append(PageLook.En("Lifts of the month, for billing")).Append("</h2>\n")
                .Append("<form class=\"filters\" method=\"get\" action=\"/dechets\"><label>Mois").Append(PageLook.En("Month")).Append("<input type=\"month\" name=\"mois\" value=\"").Append(MonthText(month)).Append("\"></label>")
                .Append("<fieldset><legend>Secteurs (aucun coché : tous)").Append(PageLook.En("Sectors (none ticked: all)")).Append("</legend>");
            foreach (var sector in sectors)
            {
                html.Append("<label><input type=\"checkbox\" name=\"secteur\" value=\"").Append(PageLook.Encode(sector)).Append('"').Append(chosen.Contains(sector) ? " checked" : string.Empty).Append("> ").Append(PageLook.Encode(sector)).Append("</label> ");
            }

            html.Append("</fieldset><button type=\"submit\">Afficher").Append(PageLook.En("Show")).Append("</button></form>\n");
            var q = PageLook.Encode(Query(month, chosen));
            html.Append("<p>").Append(MonthFr(month)).Append(", ").Append(chosen.Count == 0 ? "tous les secteurs" : "secteur(s) " + PageLook.Encode(string.Join(", ", chosen))).Append(" : ")
                .Append(PageLook.Count(bins.Count)).Append(" bacs, ").Append(PageLook.Count(bins.Sum(b => b.Lifts))).Append(" levées. ")
                .Append("<a href=\"/dechets/levees.csv?").Append(q).Append("\">Télécharger en CSV</a> · <a href=\"/dechets/levees.json?").Append(q).Append("\">en JSON</a>")
                .Append(PageLook.En($"{bins.Count} bins, {bins.Sum(b => b.Lifts)} lifts. Download as CSV or JSON.")).Append("</p>\n")
                .Append("<p class=\"rule\">Chaque téléchargement est inscrit au journal des exports (qui, quand, quel mois, quels secteurs). Les identifiants de bac sont des pseudonymes : le lien avec les foyers se fait chez vous, avec <code>sensors pseudonymise --key-file …</code> sur la liste des puces.")
                .Append(PageLook.En("Every download is recorded (who, when, month, sectors). Bin ids are pseudonyms: join them to households on your side with sensors pseudonymise.")).Append("</p>\n");
            html.Append(ListView.ScrollBox("Levées par secteur")).Append("<table><caption>Par secteur").Append(PageLook.En("Per sector")).Append("</caption><thead><tr><th scope=\"col\">Secteur").Append(PageLook.En("Sector"))
                .Append("</th><th scope=\"col\" class=\"n\">Bacs levés").Append(PageLook.En("Bins lifted")).Append("</th><th scope=\"col\" class=\"n\">Levées").Append(PageLook.En("Lifts"))
                .Append("</th><th scope=\"col\" class=\"n\">Poids (kg)").Append(PageLook.En("Weight (kg)")).Append("</th></tr></thead><tbody>");
            foreach (var group in bins.GroupBy(b => b.Sector).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                html.Append("<tr><th scope=\"row\">").Append(PageLook.Encode(group.Key)).Append("</th><td class=\"n\">").Append(PageLook.Count(group.Select(b => b.Bin).Distinct().Count()))
                    .Append("</td><td class=\"n\">").Append(PageLook.Count(group.Sum(b => b.Lifts))).Append("</td><td class=\"n\">").Append(PageLook.Decimal(group.Sum(b => b.WeightKg ?? 0), "0.0")).Append("</td></tr>");
            }

            html.Append("</tbody></table></div>\n");
            html.Append("<h2>Relevé d'un bac").Append(PageLook.En("One bin's statement")).Append("</h2>\n<form class=\"filters\" method=\"get\" action=\"/dechets/bac\"><label>Pseudonyme du bac").Append(PageLook.En("Bin pseudonym"))
                .Append("<input name=\"bac\" size=\"34\" required></label><label>Mois").Append(PageLook.En("Month")).Append("<input type=\"month\" name=\"mois\" value=\"").Append(MonthText(month)).Append("\"></label><button type=\"submit\">Ouvrir").Append(PageLook.En("Open")).Append("</button></form>\n");
            html.Append("<h2>Tournées").Append(PageLook.En("Rounds")).Append("</h2>\n<ul><li><a href=\"/dechets/conteneurs\">Conteneurs : remplissage, dernier vidage, prévision").Append(PageLook.En("Containers: fill, last emptying, forecast"))
                .Append("</a></li><li><a href=\"/dechets/tournee\">Tournée de demain, à imprimer").Append(PageLook.En("Tomorrow's round, to print")).Append("</a></li><li><a href=\"/dechets/bilan?mois=").Append(MonthText(month)).Append("\">Bilan des tournées du mois").Append(PageLook.En("How well the month's rounds fit")).Append("</a></li></ul>\n");
        });
    }

    /// <summary>The export, recorded in the audit log before a byte is sent; an export that cannot be recorded is refused.</summary>
    public async Task<IResult> ExportAsync(Viewer viewer, string subject, IQueryCollection query, string format, CancellationToken cancellation)
    {
        // A bill is never made from a month the console guessed: the export names its month.
        if (WasteData.ParseMonth(query["mois"]) is not { } month)
        {
            return Results.Text(
                ConsoleLayout.Message(City, viewer, "Mois à préciser", "Month needed", $"mois={PageLook.Encode(query["mois"].ToString())} : le mois s'écrit AAAA-MM, par exemple ?mois=2026-11. <a href=\"/dechets\">Retour</a>.", "The month is written YYYY-MM, e.g. ?mois=2026-11."),
                "text/html; charset=utf-8",
                statusCode: 400);
        }

        // Nor from sectors it dropped: a sector it cannot read would widen the file to every sector.
        if (query["secteur"].FirstOrDefault(s => string.IsNullOrWhiteSpace(s) || !Sensors.Central.SiteDirectory.IsRoutable(s) || s.Length > 64) is { } bad)
        {
            return Results.Text(
                ConsoleLayout.Message(City, viewer, "Secteur illisible", "Unreadable sector", $"secteur={PageLook.Encode(bad ?? string.Empty)} : un secteur est un nom de 64 caractères au plus, sans caractère de contrôle, tel qu'il figure dans la liste. <a href=\"/dechets\">Retour</a>.", "A sector is a name of at most 64 characters, without control characters, as listed."),
                "text/html; charset=utf-8",
                statusCode: 400);
        }

        var sectors = SectorsOf(query);
        var bins = await data.MonthAsync(month, sectors, cancellation);
        audit.Record(new ExportAudit.Entry(time.GetUtcNow(), viewer.Name, subject, MonthText(month), sectors, format, bins.Count));
        var name = $"levees-{MonthText(month)}{(sectors.Count == 0 ? string.Empty : "-" + string.Join("-", sectors.Select(s => new string([.. s.Where(char.IsAsciiLetterOrDigit)]))))}";
        return format == "csv"
            ? Results.File(Encoding.UTF8.GetBytes(Csv(bins)), "text/csv; charset=utf-8", name + ".csv")
            : Results.File(Json(month, sectors, bins), "application/json; charset=utf-8", name + ".json");
    }

    private string Time(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>CSV for billing software: a header always (an empty month is the header alone), comma-separated, decimal point, times in ISO 8601 with the Paris offset.</summary>
    public string Csv(IReadOnlyList<BinMonth> bins)
    {
        var csv = new StringBuilder("bin_id,key_version,sector,lifts,weight_kg,first_lift,last_lift\n");
        foreach (var b in bins)
        {
            csv.Append(b.Bin).Append(',').Append(b.KeyVersion).Append(',').Append(b.Sector).Append(',').Append(b.Lifts.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(b.WeightKg is { } w ? w.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty).Append(',').Append(Time(b.FirstLift)).Append(',').Append(Time(b.LastLift)).Append('\n');
        }

        return csv.ToString();
    }

    public byte[] Json(DateOnly month, IReadOnlyList<string> sectors, IReadOnlyList<BinMonth> bins)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("month", MonthText(month));
            json.WriteStartArray("sectors");
            foreach (var sector in sectors)
            {
                json.WriteStringValue(sector);
            }

            json.WriteEndArray();
            json.WriteString("time_zone", options.TimeZone);
            json.WriteStartArray("bins");
            foreach (var b in bins)
            {
                json.WriteStartObject();
                json.WriteString("bin_id", b.Bin);
                json.WriteString("key_version", b.KeyVersion);
                json.WriteString("sector", b.Sector);
                json.WriteNumber("lifts", b.Lifts);
                if (b.WeightKg is { } weight)
                {
                    json.WriteNumber("weight_kg", Math.Round(weight, 3));
                }
                else
                {
                    json.WriteNull("weight_kg");
                }

                json.WriteString("first_lift", Time(b.FirstLift));
                json.WriteString("last_lift", Time(b.LastLift));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("rows", bins.Count);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>One bin's month, to print and hand to a household that contests its bill; null for a pseudonym that never had a lift.</summary>
    public async Task<string?> StatementAsync(Viewer viewer, string bin, IQueryCollection query, CancellationToken cancellation)
    {
        var month = MonthOf(query);
        if (await data.StatementAsync(bin, month, cancellation) is not { } lifts)
        {
            return null;
        }

        var weighed = lifts.Where(l => l.WeightKg is not null).ToList();
        return ConsoleLayout.Page(City, viewer, "/dechets", $"Relevé des levées – {MonthFr(month)}", $"Statement of lifts – {month:yyyy-MM}", html =>
        {
            html.Append("<p class=\"print-link noprint\"><a href=\"/dechets\">Retour</a> · imprimez cette page (A4) pour la remettre au foyer.").Append(PageLook.En("Print this page (A4) to hand it to the household.")).Append("</p>\n")
                .Append("<dl class=\"gateway\"><div><dt>Bac (pseudonyme)").Append(PageLook.En("Bin (pseudonym)")).Append("</dt><dd><code>").Append(PageLook.Encode(bin)).Append("</code></dd></div>")
                .Append("<div><dt>Mois").Append(PageLook.En("Month")).Append("</dt><dd>").Append(MonthFr(month)).Append(" (heure de Paris)</dd></div>")
                .Append("<div><dt>Levées").Append(PageLook.En("Lifts")).Append("</dt><dd>").Append(lifts.Count).Append("</dd></div>")
                .Append("<div><dt>Poids total").Append(PageLook.En("Total weight")).Append("</dt><dd>").Append(weighed.Count == 0 ? "non pesé" : $"{PageLook.Decimal(weighed.Sum(l => l.WeightKg!.Value), "0.0")} kg ({weighed.Count} levée(s) pesée(s))").Append("</dd></div></dl>\n");
            html.Append("<table><caption>Chaque levée du mois").Append(PageLook.En("Each lift of the month")).Append("</caption><thead><tr><th scope=\"col\">Date et heure").Append(PageLook.En("Date and time"))
                .Append("</th><th scope=\"col\">Camion").Append(PageLook.En("Truck")).Append("</th><th scope=\"col\">Secteur").Append(PageLook.En("Sector")).Append("</th><th scope=\"col\" class=\"n\">Poids (kg)").Append(PageLook.En("Weight (kg)")).Append("</th></tr></thead><tbody>");
            foreach (var lift in lifts)
            {
                var local = TimeZoneInfo.ConvertTime(lift.At, Zone);
                html.Append("<tr><th scope=\"row\"><time datetime=\"").Append(lift.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append("\">").Append(PageLook.DayFr(DateOnly.FromDateTime(local.DateTime))).Append(' ').Append(local.ToString("yyyy", CultureInfo.InvariantCulture)).Append(", ")
                    .Append(local.ToString("HH:mm", CultureInfo.InvariantCulture)).Append("</time></th><td>").Append(PageLook.Encode(lift.Truck)).Append("</td><td>").Append(PageLook.Encode(lift.Sector)).Append("</td><td class=\"n\">")
                    .Append(lift.WeightKg is { } w ? PageLook.Decimal(w, "0.0") : "—").Append("</td></tr>");
            }

            html.Append("</tbody><tfoot><tr><th scope=\"row\">Total</th><td colspan=\"2\">").Append(lifts.Count).Append(" levée(s)</td><td class=\"n\">").Append(weighed.Count == 0 ? "—" : PageLook.Decimal(weighed.Sum(l => l.WeightKg!.Value), "0.0")).Append("</td></tr></tfoot></table>\n")
                .Append("<p class=\"rule\">Une levée est comptée une fois, même si le lecteur du camion a lu la puce plusieurs fois. Établi le ").Append(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture))
                .Append(" par le service déchets de ").Append(PageLook.Encode(City)).Append('.').Append(PageLook.En("A lift counts once, however many times the truck read the chip.")).Append("</p>\n");
        });
    }

    private async Task<IReadOnlyList<ContainerState>> ContainersAsync(string? sector, CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var streets = registry.Current().Devices.Where(d => !string.IsNullOrEmpty(d.BinId)).GroupBy(d => d.BinId!).ToDictionary(g => g.Key, g => g.First().Street ?? string.Empty, StringComparer.Ordinal);
        var levels = await data.LevelsAsync(now - options.Waste.LookBack, now, sector, cancellation);
        return [.. levels.Select(l => Containers.Assess(l.Bin, l.Sector, streets.GetValueOrDefault(l.Bin, string.Empty), l.Site, l.Points, now, options.Waste))];
    }

    private string Forecast(ContainerState c) => c.Status switch
    {
        ContainerState.Silent => "capteur muet depuis " + (c.LastReading is { } last ? Fleet.Rules.Ago(time.GetUtcNow() - last) : "toujours"),
        ContainerState.NotEnough => $"pas assez de mesures ({c.PointsSinceEmptying} depuis le vidage, {options.Waste.MinForecastPoints} nécessaires)",
        _ when c.FullAt is { } full => "plein vers le " + TimeZoneInfo.ConvertTime(full, Zone).ToString("dd/MM HH'h'", CultureInfo.InvariantCulture),
        _ => "ne se remplit pas",
    };

    public async Task<string> ContainersPageAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var sector = query["secteur"].FirstOrDefault() is { Length: > 0 and <= 64 } s ? s : null;
        var containers = await ContainersAsync(sector, cancellation);
        return ConsoleLayout.Page(City, viewer, "/dechets", "Conteneurs", "Containers", html =>
        {
            html.Append("<p class=\"rule\">Un vidage : le remplissage tombe d'au moins ").Append(options.Waste.EmptyingDropPts.ToString("0", CultureInfo.InvariantCulture))
                .Append(" points sous son niveau d'avant (médiane des 3 heures précédentes) et y reste l'heure suivante ; un sac posé sur le capteur fait monter puis redescendre la mesure, jamais un vidage. Vitesse : médiane des pentes (Theil–Sen) des niveaux horaires depuis le dernier vidage ; pas de prévision sous ")
                .Append(options.Waste.MinForecastPoints).Append(" mesures.").Append(PageLook.En("An emptying: a drop of 30 points below the level before that holds the next hour. Rate: the median of slopes since the last emptying.")).Append("</p>\n")
                .Append(ListView.ScrollBox("Conteneurs")).Append("<table><caption>").Append(containers.Count).Append(" conteneurs").Append(PageLook.En($"{containers.Count} containers")).Append("</caption><thead><tr>");
            foreach (var (fr, en, numeric) in new[] { ("Conteneur", "Container", false), ("Secteur", "Sector", false), ("Rue", "Street", false), ("Remplissage (%)", "Fill (%)", true), ("Dernier vidage", "Last emptied", false), ("Vitesse (%/jour)", "Rate (%/day)", true), ("Prévision", "Forecast", false) })
            {
                html.Append("<th scope=\"col\"").Append(numeric ? " class=\"n\"" : string.Empty).Append('>').Append(fr).Append(PageLook.En(en)).Append("</th>");
            }

            html.Append("</tr></thead><tbody>");
            foreach (var c in containers.OrderBy(c => c.Sector, StringComparer.Ordinal).ThenBy(c => c.Street, StringComparer.Ordinal).ThenBy(c => c.Bin, StringComparer.Ordinal))
            {
                html.Append("<tr><th scope=\"row\">").Append(PageLook.Encode(c.Bin)).Append("</th><td>").Append(PageLook.Encode(c.Sector)).Append("</td><td>").Append(ListView.Text(c.Street)).Append("</td><td class=\"n\">")
                    .Append(ListView.Number(c.Fill)).Append("</td><td>").Append(c.LastEmptied is { } e ? ListView.When(e, time.GetUtcNow(), Zone) : "pas dans les " + options.Waste.LookBack.TotalDays.ToString("0", CultureInfo.InvariantCulture) + " derniers jours")
                    .Append("</td><td class=\"n\">").Append(ListView.Number(c.RatePerDay, "0.0")).Append("</td><td>").Append(PageLook.Encode(Forecast(c))).Append("</td></tr>");
            }

            html.Append("</tbody></table></div>\n");
        });
    }

    public async Task<string> RoundSheetAsync(Viewer viewer, CancellationToken cancellation)
    {
        var containers = await ContainersAsync(null, cancellation);
        var localToday = TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone).Date;
        var tomorrow = Sites.LessonHours.Instant(localToday.AddDays(1), Zone);
        var (round, apart) = Containers.Round(containers, tomorrow, options.Waste);
        var day = DateOnly.FromDateTime(localToday.AddDays(1));
        return ConsoleLayout.Page(City, viewer, "/dechets", $"Tournée du {PageLook.DayFr(day)}", $"Round of {PageLook.DayEn(day)}", html =>
        {
            html.Append("<p class=\"rule\">À vider : remplis à ").Append(options.Waste.EmptyFromPct.ToString("0", CultureInfo.InvariantCulture)).Append(" % ou plus, ou prévus pleins avant la collecte suivante. ")
                .Append(round.Count).Append(" conteneur(s).").Append(PageLook.En($"To empty: {options.Waste.EmptyFromPct:0} % full or more, or forecast full before the next collection. {round.Count} container(s).")).Append("</p>\n");
            foreach (var sector in round.GroupBy(c => c.Sector))
            {
                html.Append("<h2>Secteur ").Append(PageLook.Encode(sector.Key)).Append(PageLook.En("Sector")).Append("</h2>\n<table><thead><tr><th scope=\"col\">Rue").Append(PageLook.En("Street")).Append("</th><th scope=\"col\">Conteneur").Append(PageLook.En("Container"))
                    .Append("</th><th scope=\"col\" class=\"n\">Remplissage (%)").Append(PageLook.En("Fill (%)")).Append("</th><th scope=\"col\">Prévision").Append(PageLook.En("Forecast")).Append("</th><th scope=\"col\">Fait").Append(PageLook.En("Done")).Append("</th></tr></thead><tbody>");
                foreach (var c in sector)
                {
                    html.Append("<tr><td>").Append(ListView.Text(c.Street)).Append("</td><th scope=\"row\">").Append(PageLook.Encode(c.Bin)).Append("</th><td class=\"n\">").Append(ListView.Number(c.Fill)).Append("</td><td>").Append(PageLook.Encode(Forecast(c))).Append("</td><td>☐</td></tr>");
                }

                html.Append("</tbody></table>\n");
            }

            html.Append("<h2>À vérifier sur place").Append(PageLook.En("To check on site")).Append("</h2>\n<p>Capteur muet ou trop peu de mesures pour prévoir : ").Append(apart.Count).Append(" conteneur(s).")
                .Append(PageLook.En($"Sensor silent or too few readings to forecast: {apart.Count}.")).Append("</p>\n<table><thead><tr><th scope=\"col\">Secteur").Append(PageLook.En("Sector")).Append("</th><th scope=\"col\">Rue").Append(PageLook.En("Street"))
                .Append("</th><th scope=\"col\">Conteneur").Append(PageLook.En("Container")).Append("</th><th scope=\"col\">Pourquoi").Append(PageLook.En("Why")).Append("</th></tr></thead><tbody>");
            foreach (var c in apart)
            {
                html.Append("<tr><td>").Append(PageLook.Encode(c.Sector)).Append("</td><td>").Append(ListView.Text(c.Street)).Append("</td><th scope=\"row\">").Append(PageLook.Encode(c.Bin)).Append("</th><td>").Append(PageLook.Encode(Forecast(c))).Append("</td></tr>");
            }

            html.Append("</tbody></table>\n");
        });
    }

    public async Task<string> FitAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var month = MonthOf(query);
        var (from, to) = data.Month(month);
        var sectors = await data.SectorsAsync(cancellation);
        var sector = query["secteur"].FirstOrDefault() is { Length: > 0 and <= 64 } s ? s : null;
        IReadOnlyList<(string Bin, string Sector, string Site, IReadOnlyList<FillPoint> Points)> levels = sector is null ? [] : await data.LevelsAsync(from - TimeSpan.FromDays(1), to, sector, cancellation);
        var emptyings = levels.SelectMany(l => Containers.History(l.Points, options.Waste.EmptyingDropPts, options.Waste.FullAtPct)).Where(e => e.At >= from && e.At < to).ToList();
        return ConsoleLayout.Page(City, viewer, "/dechets", $"Bilan des tournées – {MonthFr(month)}", "How well the rounds fit", html =>
        {
            html.Append("<form class=\"filters\" method=\"get\" action=\"/dechets/bilan\"><label>Mois").Append(PageLook.En("Month")).Append("<input type=\"month\" name=\"mois\" value=\"").Append(MonthText(month)).Append("\"></label><label>Secteur").Append(PageLook.En("Sector")).Append("<select name=\"secteur\">");
            foreach (var name in sectors.Union(levels.Select(l => l.Sector)).Distinct(StringComparer.Ordinal))
            {
                html.Append("<option").Append(name == sector ? " selected" : string.Empty).Append('>').Append(PageLook.Encode(name)).Append("</option>");
            }

            html.Append("</select></label><button type=\"submit\">Afficher").Append(PageLook.En("Show")).Append("</button></form>\n");
            if (sector is null)
            {
                html.Append("<p>Choisissez un secteur.").Append(PageLook.En("Choose a sector.")).Append("</p>\n");
                return;
            }

            var wasted = emptyings.Count(e => e.LevelBefore < options.Waste.WastedBelowPct);
            html.Append("<dl class=\"gateway\"><div><dt>Vidages").Append(PageLook.En("Emptyings")).Append("</dt><dd>").Append(emptyings.Count).Append("</dd></div>")
                .Append("<div").Append(wasted > 0 ? " class=\"warn\"" : string.Empty).Append("><dt>Trajets pour un conteneur à moins de ").Append(options.Waste.WastedBelowPct.ToString("0", CultureInfo.InvariantCulture)).Append(" %").Append(PageLook.En("Trips to a container under half full")).Append("</dt><dd>").Append(wasted).Append("</dd></div>")
                .Append("<div><dt>Heures pleines avant vidage").Append(PageLook.En("Hours full before emptying")).Append("</dt><dd>").Append(emptyings.Sum(e => e.HoursFull)).Append("</dd></div>")
                .Append("<div><dt>Remplissage moyen au vidage").Append(PageLook.En("Mean fill when emptied")).Append("</dt><dd>").Append(emptyings.Count == 0 ? "—" : PageLook.Number(emptyings.Average(e => e.LevelBefore)) + " %").Append("</dd></div></dl>\n");
        });
    }

    public string Audit(Viewer viewer) => ConsoleLayout.Page(City, viewer, "/journal-des-exports", "Journal des exports", "Export log", html =>
    {
        var entries = audit.Read();
        html.Append("<table><caption>").Append(entries.Count).Append(" export(s), le plus récent d'abord").Append(PageLook.En("newest first")).Append("</caption><thead><tr><th scope=\"col\">Quand").Append(PageLook.En("When"))
            .Append("</th><th scope=\"col\">Qui").Append(PageLook.En("Who")).Append("</th><th scope=\"col\">Mois").Append(PageLook.En("Month")).Append("</th><th scope=\"col\">Secteurs").Append(PageLook.En("Sectors"))
            .Append("</th><th scope=\"col\">Format</th><th scope=\"col\" class=\"n\">Lignes").Append(PageLook.En("Rows")).Append("</th></tr></thead><tbody>");
        foreach (var entry in entries.Take(1000))
        {
            html.Append("<tr><th scope=\"row\">").Append(TimeZoneInfo.ConvertTime(entry.At, Zone).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture)).Append("</th><td>").Append(PageLook.Encode(entry.User)).Append(" <small>(").Append(PageLook.Encode(entry.Subject))
                .Append(")</small></td><td>").Append(PageLook.Encode(entry.Month)).Append("</td><td>").Append(entry.Sectors.Count == 0 ? "tous" : PageLook.Encode(string.Join(", ", entry.Sectors))).Append("</td><td>").Append(PageLook.Encode(entry.Format))
                .Append("</td><td class=\"n\">").Append(entry.Rows).Append("</td></tr>");
        }

        html.Append("</tbody></table>\n");
    });
}
