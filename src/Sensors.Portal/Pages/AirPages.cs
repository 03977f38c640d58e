using Sensors.Central;
using System.Globalization;
using System.Text;
using Sensors.Core;
using Sensors.Look;
using Sensors.Sites;
using Sensors.Portal.Data;

namespace Sensors.Portal.Pages;

/// <summary>
/// What pupils, families and teachers read: the schools, each school's classrooms, and a page per
/// classroom with its light now, today's curve over the lesson hours and the week's confinement index.
/// </summary>
public sealed class AirPages(AirQualityData air, SiteDirectory sites, PortalOptions options, TimeProvider time)
{
    private Co2Levels Levels => options.Levels;

    public async Task<string> HomeAsync(CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var rooms = await air.NowAsync(null, now, cancellation, climate: false);
        return Layout.Page(options.City, "/", "L'air des classes, les déchets et l'éclairage", "Classroom air, waste and street lights", html =>
        {
            html.Append("<p>Les capteurs de la ville mesurent l'air des classes, le remplissage des conteneurs et l'énergie de l'éclairage public. Ce portail montre ce qu'ils mesurent, et publie les données pour tous.")
                .Append(PageLook.En("The city's sensors measure the air in classrooms, how full the containers are and the street lights' energy. This portal shows what they measure and publishes the data for everyone.")).Append("</p>\n");
            html.Append("<h2>Les écoles").Append(PageLook.En("Schools")).Append("</h2>\n");
            SchoolList(html, rooms, "h3");
            html.Append("<h2>Et aussi").Append(PageLook.En("Also")).Append("</h2>\n<ul>")
                .Append("<li><a href=\"/dechets\">Collecte des déchets par secteur</a>").Append(PageLook.En("Waste collection by sector")).Append("</li>")
                .Append("<li><a href=\"/eclairage\">Énergie et pannes de l'éclairage public</a>").Append(PageLook.En("Street-light energy and faults")).Append("</li>")
                .Append("<li><a href=\"/donnees\">Télécharger les données</a>").Append(PageLook.En("Download the data")).Append("</li>")
                .Append("<li><a href=\"/comment-ca-marche\">Comment une mesure arrive sur cet écran</a>").Append(PageLook.En("How a reading reaches this screen")).Append("</li></ul>\n");
        });
    }

    public async Task<string> SchoolsAsync(CancellationToken cancellation)
    {
        var rooms = await air.NowAsync(null, time.GetUtcNow(), cancellation, climate: false);
        return Layout.Page(options.City, "/ecoles", "Les écoles", "Schools", html => SchoolList(html, rooms, "h2"));
    }

    /// <summary>The schools as cards; <paramref name="heading"/> is the level of their names under the page's own headings.</summary>
    private void SchoolList(StringBuilder html, IReadOnlyList<RoomNow> rooms, string heading)
    {
        var ids = sites.All.Select(s => s.Site).Concat(rooms.Select(r => r.Site)).Distinct().ToList();
        if (ids.Count == 0)
        {
            html.Append("<p>Aucune école n'envoie encore de mesures.").Append(PageLook.En("No school sends readings yet.")).Append("</p>\n");
            return;
        }

        html.Append("<ul class=\"rooms\">\n");
        foreach (var site in ids)
        {
            var here = rooms.Where(r => r.Site == site).ToList();
            var count = (Co2Light light) => here.Count(r => Levels.Classify(r.Co2Ppm) == light);
            html.Append("<li class=\"card\"><").Append(heading).Append('>').Append(Layout.LinkIfRoutable($"/ecoles/{PageLook.PathSegment(site)}", sites.SiteName(site), site)).Append("</").Append(heading).Append("><p>");
            html.Append(here.Count == 0
                ? "Pas de mesure récente." + PageLook.En("No recent reading.")
                : $"{here.Count} salle{(here.Count > 1 ? "s" : string.Empty)} mesurée{(here.Count > 1 ? "s" : string.Empty)} : {count(Co2Light.Green)} vert, {count(Co2Light.Orange)} orange, {count(Co2Light.Red)} rouge."
                  + PageLook.En($"{here.Count} room{(here.Count > 1 ? "s" : string.Empty)} measured: {count(Co2Light.Green)} green, {count(Co2Light.Orange)} orange, {count(Co2Light.Red)} red."));
            html.Append("</p></li>\n");
        }

        html.Append("</ul>\n");
    }

    public async Task<string?> SchoolAsync(string site, CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = sites.Zone(site, options.Zone);
        var lessons = sites.Lessons(site);
        var weekStart = WeekStart(now, zone);
        var nowTask = air.NowAsync(site, now, cancellation);
        var spans = lessons.Between(weekStart, now, zone).Select(s => new LessonSpan(weekStart, s.From, s.To)).ToList();
        var iconeTask = air.IconeCountsAsync(site, null, spans, now, cancellation);
        var rooms = await nowTask;
        var icone = await iconeTask;
        if (sites.Find(site) is null && rooms.Count == 0 && icone.Count == 0)
        {
            return null;
        }

        var name = sites.SiteName(site);
        return Layout.Page(options.City, "/ecoles", name, "Air quality in the classrooms", html =>
        {
            html.Append("<p>La couleur montre l'air de chaque salle maintenant. L'indice de la semaine (ICONE, de 0 à 5) dit si l'air a été bien renouvelé pendant les cours.")
                .Append(PageLook.En("The colour shows each room's air now. The week's index (ICONE, 0 to 5) tells whether the air was well renewed during lessons.")).Append("</p>\n<ul class=\"rooms\">\n");
            foreach (var (id, roomName) in sites.Rooms(site, rooms.Select(r => r.Room).Concat(icone.Keys.Select(k => k.Room))))
            {
                var reading = rooms.FirstOrDefault(r => r.Room == id);
                html.Append("<li class=\"room\" id=\"room-").Append(PageLook.Encode(id)).Append("\" data-light=\"").Append(reading is null ? "none" : PageLook.Name(Levels.Classify(reading.Co2Ppm))).Append("\">\n<h2>")
                    .Append(Layout.LinkIfRoutable($"/ecoles/{PageLook.PathSegment(site)}/{PageLook.PathSegment(id)}", roomName, site, id)).Append("</h2>\n");
                LightOrNone(html, reading);
                IconeLine(html, Icone.Of(icone.GetValueOrDefault((id, weekStart))));
                html.Append("</li>\n");
            }

            html.Append("</ul>\n<p class=\"rule\">").Append(PageLook.Rule(Levels)).Append("</p>\n");
            Layout.Freshness(html, "/ecoles/" + PageLook.PathSegment(site), now, zone);
        });
    }

    public async Task<string?> ClassroomAsync(string site, string room, CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = sites.Zone(site, options.Zone);
        var lessons = sites.Lessons(site);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var midnight = LessonHours.Instant(local.Date, zone);
        var dayFrom = LessonHours.Instant(local.Date.AddHours(7), zone);
        var dayTo = LessonHours.Instant(local.Date.AddHours(19), zone);
        var weekStart = WeekStart(now, zone);
        var spans = SixWeeks(lessons, weekStart, now, zone);
        var nowTask = air.NowAsync(site, now, cancellation);
        var curveTask = air.CurveAsync(site, room, midnight, now, TimeSpan.FromMinutes(5), cancellation);
        var iconeTask = air.IconeCountsAsync(site, room, spans, now, cancellation);
        var reading = (await nowTask).FirstOrDefault(r => r.Room == room);
        var day = new DayCurve(DateOnly.FromDateTime(local.Date), await curveTask, dayFrom, dayTo, lessons.Between(midnight, LessonHours.Instant(local.Date.AddDays(1), zone), zone).ToList(), Today: true);
        var icone = await iconeTask;
        if (!day.Points.Any(p => p.At >= dayFrom && p.At <= dayTo))
        {
            day = await LastSchoolDayAsync(site, room, local.Date, lessons, zone, cancellation) ?? day;
        }

        var known = sites.Find(site)?.Rooms.Any(r => r.Id == room) == true;
        if (!known && reading is null && day.Points.Count == 0 && icone.Count == 0)
        {
            return null;
        }

        var roomName = sites.RoomName(site, room);
        var siteName = sites.SiteName(site);
        return Layout.Page(options.City, "/ecoles", $"{roomName} – {siteName}", "Classroom air", html =>
        {
            html.Append("<p><a href=\"/ecoles/").Append(PageLook.PathSegment(site)).Append("\">← ").Append(PageLook.Encode(siteName)).Append("</a></p>\n");
            html.Append("<section class=\"room\" id=\"room-").Append(PageLook.Encode(room)).Append("\" data-light=\"").Append(reading is null ? "none" : PageLook.Name(Levels.Classify(reading.Co2Ppm))).Append("\">\n");
            html.Append("<h2>Maintenant").Append(PageLook.En("Now")).Append("</h2>\n");
            LightOrNone(html, reading);
            if (reading is not null)
            {
                html.Append("<p class=\"more\">");
                if (reading.TemperatureC is { } t)
                {
                    html.Append(PageLook.Decimal(t)).Append(" °C");
                }

                if (reading.HumidityPct is { } h)
                {
                    html.Append(" · ").Append(PageLook.Number(h)).Append(" % d'humidité").Append(PageLook.En("humidity"));
                }

                html.Append(" · mesuré à ").Append(Clock(reading.At, zone)).Append(PageLook.En("measured at " + Clock(reading.At, zone))).Append("</p>\n");
            }

            Layout.Freshness(html, $"/ecoles/{PageLook.PathSegment(site)}/{PageLook.PathSegment(room)}", now, zone);
            html.Append("</section>\n");
            Day(html, day, zone);
            var sheet = $"/ecoles/{PageLook.PathSegment(site)}/{PageLook.PathSegment(room)}/semaine";
            Week(html, icone, weekStart, spans, zone, sheet);
            html.Append("<p class=\"print-link\"><a href=\"").Append(sheet).Append("\">La semaine à imprimer</a> (à afficher sur la porte ou à envoyer aux familles)")
                .Append(PageLook.En("The week, to print (for the door or for families)")).Append("</p>\n");
            html.Append("<p class=\"rule\">").Append(PageLook.Rule(Levels)).Append(" <a href=\"/comment-ca-marche\">Comment ça marche ?</a>").Append(PageLook.En("<a href=\"/comment-ca-marche\" hreflang=\"fr\">How does it work?</a>")).Append("</p>\n");
        });
    }

    /// <summary>
    /// The week of one classroom on one sheet, for the classroom door or for families: the week's
    /// confinement index and what it asks, then each school day's curve over 7 h–19 h with the
    /// lessons shaded. This week, or the last week measured when this one has no lesson yet, or
    /// the week of <paramref name="monday"/> (?semaine=2026-11-23, within the minute data's 90 days).
    /// The print stylesheet drops the menu and fits it on paper; no new dependency.
    /// </summary>
    public async Task<string?> WeekSheetAsync(string site, string room, string? monday, CancellationToken cancellation)
    {
        var now = time.GetUtcNow();
        var zone = sites.Zone(site, options.Zone);
        var lessons = sites.Lessons(site);
        var thisWeek = WeekStart(now, zone);
        List<LessonSpan> spans;
        if (string.IsNullOrEmpty(monday))
        {
            spans = SixWeeks(lessons, thisWeek, now, zone);
        }
        else if (DateOnly.TryParseExact(monday, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asked)
            && LessonHours.Instant(asked.ToDateTime(TimeOnly.MinValue), zone) is var instant && instant <= now && now - instant < TimeSpan.FromDays(90))
        {
            var start = WeekStart(instant, zone);
            spans = [.. lessons.Between(start, start.AddDays(7) < now ? start.AddDays(7) : now, zone).Select(s => new LessonSpan(start, s.From, s.To))];
            thisWeek = start;
        }
        else
        {
            return null;
        }

        var icone = await air.IconeCountsAsync(site, room, spans, now, cancellation);
        var shown = string.IsNullOrEmpty(monday) ? ShownWeek(icone, thisWeek, spans) : thisWeek;
        var end = shown.AddDays(7) < now ? shown.AddDays(7) : now;
        var curve = await air.CurveAsync(site, room, shown, end, TimeSpan.FromMinutes(5), cancellation);
        var known = sites.Find(site)?.Rooms.Any(r => r.Id == room) == true;
        if (!known && curve.Count == 0 && icone.Count == 0)
        {
            return null;
        }

        var roomName = sites.RoomName(site, room);
        var siteName = sites.SiteName(site);
        var date = TimeZoneInfo.ConvertTime(shown, zone).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        return Layout.Page(options.City, "/ecoles", $"{roomName} – {siteName} – semaine du {date}", $"The week of {date}", html =>
        {
            html.Append("<p class=\"noprint\"><a href=\"/ecoles/").Append(PageLook.PathSegment(site)).Append('/').Append(PageLook.PathSegment(room)).Append("\">← ").Append(PageLook.Encode(roomName)).Append("</a> · ")
                .Append("Imprimez cette page avec la commande Imprimer de votre navigateur (Ctrl+P) : le menu disparaît, la semaine tient sur une feuille.")
                .Append(PageLook.En("Print this page with your browser's Print command (Ctrl+P): the menu goes, the week fits on a sheet.")).Append("</p>\n");
            html.Append("<section class=\"sheet\" id=\"semaine\">\n");
            WeekIndex(html, icone.Where(k => k.Key.Key == shown).Select(k => k.Value).FirstOrDefault(), spans.Where(s => s.Key == shown).Sum(s => (s.To - s.From).TotalHours), shown == WeekStart(now, zone));
            var firstDay = TimeZoneInfo.ConvertTime(shown, zone).DateTime.Date;
            html.Append("<div class=\"days\">\n");
            for (var d = 0; d < 7; d++)
            {
                var date = firstDay.AddDays(d);
                if (lessons.On(date.DayOfWeek).Count == 0 || LessonHours.Instant(date, zone) > now)
                {
                    continue;
                }

                var (from, to) = (LessonHours.Instant(date.AddHours(7), zone), LessonHours.Instant(date.AddHours(19), zone));
                var day = new DayCurve(DateOnly.FromDateTime(date), [.. curve.Where(p => p.At >= from && p.At <= to)], from, to, lessons.Between(from, to, zone).ToList(), Today: false);
                html.Append("<div class=\"day\"><h2>").Append(PageLook.DayFr(day.Date)).Append(PageLook.En(PageLook.DayEn(day.Date))).Append("</h2>\n");
                if (day.Points.Count == 0)
                {
                    html.Append("<p>Pas de mesure ce jour-là.").Append(PageLook.En("No reading that day.")).Append("</p>\n");
                }
                else
                {
                    DayChart(html, day, zone, $"jour-{d}");
                }

                html.Append("</div>\n");
            }

            html.Append("</div>\n");

            html.Append("<p class=\"rule\">").Append(PageLook.Rule(Levels)).Append(" Mesures du capteur de CO<sub>2</sub> de la classe, publiées par ").Append(PageLook.Encode(options.City)).Append(".")
                .Append(PageLook.En($"Readings of the classroom's CO<sub>2</sub> sensor, published by {PageLook.Encode(options.City)}.")).Append("</p>\n</section>\n");
        });
    }

    /// <summary>The lesson spans of this week so far and the five weeks before, keyed by their Monday.</summary>
    private static List<LessonSpan> SixWeeks(LessonHours lessons, DateTimeOffset weekStart, DateTimeOffset now, TimeZoneInfo zone)
    {
        var spans = new List<LessonSpan>();
        for (var week = 0; week < 6; week++)
        {
            var start = weekStart.AddDays(-7 * week);
            var end = week == 0 ? now : start.AddDays(7);
            spans.AddRange(lessons.Between(start, end, zone).Select(s => new LessonSpan(start, s.From, s.To)));
        }

        return spans;
    }

    /// <summary>This week, or when it has no lesson measured yet, the last week that has one.</summary>
    private static DateTimeOffset ShownWeek(Dictionary<(string Room, DateTimeOffset Key), IconeCounts> icone, DateTimeOffset weekStart, IReadOnlyList<LessonSpan> spans)
    {
        var measured = spans.Select(s => s.Key).Distinct().Where(k => icone.Any(e => e.Key.Key == k && e.Value.Samples > 0)).OrderByDescending(k => k).ToList();
        return measured.Contains(weekStart) || measured.Count == 0 ? weekStart : measured[0];
    }

    /// <summary>A day's curve over 7 h–19 h: today's, or on a day without readings the last school day that has some.</summary>
    private sealed record DayCurve(DateOnly Date, IReadOnlyList<(DateTimeOffset At, double Ppm)> Points, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Lessons, bool Today);

    /// <summary>The last day of the last three weeks with lessons and readings, before <paramref name="today"/>; null if none.</summary>
    private async Task<DayCurve?> LastSchoolDayAsync(string site, string room, DateTime today, LessonHours lessons, TimeZoneInfo zone, CancellationToken cancellation)
    {
        var midnight = LessonHours.Instant(today, zone);
        var days = await air.DaysWithReadingsAsync(site, room, LessonHours.Instant(today.AddDays(-21), zone), midnight, zone, cancellation);
        if (days.Where(d => lessons.On(d.DayOfWeek).Count > 0).DefaultIfEmpty().Max() is not { Year: > 1 } last)
        {
            return null;
        }

        var date = last.ToDateTime(TimeOnly.MinValue);
        var (from, to) = (LessonHours.Instant(date.AddHours(7), zone), LessonHours.Instant(date.AddHours(19), zone));
        var points = await air.CurveAsync(site, room, from, to, TimeSpan.FromMinutes(5), cancellation);
        return new DayCurve(last, points, from, to, lessons.Between(from, to, zone).ToList(), Today: false);
    }

    private void Day(StringBuilder html, DayCurve day, TimeZoneInfo zone)
    {
        var shown = day.Points.Where(p => p.At >= day.From && p.At <= day.To).ToList();
        if (day.Today || shown.Count == 0)
        {
            html.Append("<h2>Aujourd'hui").Append(PageLook.En("Today")).Append("</h2>\n");
        }
        else
        {
            html.Append("<h2 id=\"jour\">").Append(PageLook.DayFr(day.Date)).Append(PageLook.En(PageLook.DayEn(day.Date))).Append("</h2>\n")
                .Append("<p>Pas de mesure aujourd'hui entre 7 h et 19 h : voici le dernier jour de classe mesuré.").Append(PageLook.En("No reading today between 7 am and 7 pm: here is the last school day measured.")).Append("</p>\n");
        }

        if (shown.Count == 0)
        {
            html.Append("<p>Pas encore de mesure aujourd'hui entre 7 h et 19 h.").Append(PageLook.En("No reading yet today between 7 am and 7 pm.")).Append("</p>\n");
            return;
        }

        DayChart(html, day, zone, day.Today ? "courbe-jour" : "courbe-dernier-jour", table: true);
    }

    /// <summary>A day's curve with its caption (range, mean during lessons), and its hour-by-hour table when <paramref name="table"/>.</summary>
    private void DayChart(StringBuilder html, DayCurve day, TimeZoneInfo zone, string id, bool table = false)
    {
        var shown = day.Points.Where(p => p.At >= day.From && p.At <= day.To).ToList();
        var (whenFr, whenEn) = day.Today ? ("aujourd'hui", "today") : (PageLook.DayFr(day.Date).ToLowerInvariant(), PageLook.DayEn(day.Date));
        var inLessons = shown.Where(p => day.Lessons.Any(l => p.At >= l.From && p.At < l.To)).ToList();
        var ticks = Enumerable.Range(0, 6).Select(i => day.From.AddHours(1 + (2 * i))).Select(at => new Tick(at, Clock(at, zone))).ToList();
        var caption = new StringBuilder()
            .Append("CO<sub>2</sub> ").Append(whenFr).Append(" de 7 h à 19 h : de ").Append(PageLook.Number(shown.Min(p => p.Ppm))).Append(" à ").Append(PageLook.Number(shown.Max(p => p.Ppm))).Append(" ppm");
        if (inLessons.Count > 0)
        {
            caption.Append(", en moyenne ").Append(PageLook.Number(inLessons.Average(p => p.Ppm))).Append(" ppm pendant les cours (zones grisées)");
        }

        caption.Append('.').Append(PageLook.En($"CO<sub>2</sub> {whenEn} from 7 am to 7 pm: {PageLook.Number(shown.Min(p => p.Ppm))} to {PageLook.Number(shown.Max(p => p.Ppm))} ppm{(inLessons.Count > 0 ? $", {PageLook.Number(inLessons.Average(p => p.Ppm))} ppm on average during lessons (shaded)" : string.Empty)}."));
        Charts.Co2Curve(html, id, shown, day.From, day.To, Levels, caption.ToString(), shaded: day.Lessons, ticks: ticks);
        if (!table)
        {
            return;
        }

        var hours = shown.GroupBy(p => TimeZoneInfo.ConvertTime(p.At, zone).Hour).OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<string>)[$"{g.Key:00}:00–{g.Key + 1:00}:00", PageLook.Number(g.Average(p => p.Ppm)), PageLook.Number(g.Max(p => p.Ppm))]);
        Layout.Table(html, "Les chiffres, heure par heure", "The figures, hour by hour", ["Heure <span lang=\"en\" class=\"en\">Hour</span>", "Moyenne (ppm) <span lang=\"en\" class=\"en\">Mean</span>", "Maximum (ppm)"], hours);
    }

    /// <summary>
    /// The week's confinement index, or when this week has no lesson measured yet (a Monday
    /// morning, the first week back) the last week that has one, said as such; then the previous
    /// weeks that have readings (a week without any is left out, not shown as a row of dashes).
    /// </summary>
    private static void Week(StringBuilder html, Dictionary<(string Room, DateTimeOffset Key), IconeCounts> icone, DateTimeOffset weekStart, IReadOnlyList<LessonSpan> spans, TimeZoneInfo zone, string sheet)
    {
        IconeCounts Of(DateTimeOffset week) => icone.Where(k => k.Key.Key == week).Select(k => k.Value).FirstOrDefault();
        string Date(DateTimeOffset week) => TimeZoneInfo.ConvertTime(week, zone).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        var measured = spans.Select(s => s.Key).Distinct().Where(k => Of(k).Samples > 0).OrderByDescending(k => k).ToList();
        var shown = ShownWeek(icone, weekStart, spans);
        if (shown == weekStart)
        {
            html.Append("<h2>Cette semaine : l'indice de confinement").Append(PageLook.En("This week: the confinement index")).Append("</h2>\n");
        }
        else
        {
            html.Append("<h2>La semaine du ").Append(Date(shown)).Append(" : l'indice de confinement").Append(PageLook.En($"The week of {Date(shown)}: the confinement index")).Append("</h2>\n")
                .Append("<p>Pas encore de cours mesuré cette semaine : voici la dernière semaine mesurée.").Append(PageLook.En("No lesson measured yet this week: here is the last week measured.")).Append("</p>\n");
        }

        WeekIndex(html, Of(shown), spans.Where(s => s.Key == shown).Sum(s => (s.To - s.From).TotalHours), shown == weekStart);
        html.Append("<p class=\"more\">L'ICONE va de 0 (air bien renouvelé) à 5 (air extrêmement confiné). C'est l'indice des contrôles réglementaires de l'air dans les écoles : il ne compte que les heures de cours.")
            .Append(PageLook.En("ICONE goes from 0 (well-renewed air) to 5 (extremely confined air). It is the index of the regulatory checks of the air in schools: it counts lesson hours only.")).Append("</p>\n");
        var rows = measured.Where(k => k != weekStart && k != shown).Select(k =>
        {
            var c = Of(k);
            var value = Icone.Of(c)!.Value;
            var monday = TimeZoneInfo.ConvertTime(k, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return (IReadOnlyList<string>)[$"<a href=\"{sheet}?semaine={monday}\">semaine du {Date(k)}</a>", $"{value} ({Icone.Label(value).French})", Percent(c.F1 + c.F2), Percent(c.F2)];
        }).ToList();
        if (rows.Count == 0)
        {
            html.Append("<h3>Les semaines précédentes").Append(PageLook.En("The previous weeks")).Append("</h3>\n<p id=\"semaines\">Pas d'autre semaine mesurée ces six dernières semaines.")
                .Append(PageLook.En("No other week measured in the last six weeks.")).Append("</p>\n");
            return;
        }

        Layout.Table(html, "Les semaines précédentes", "The previous weeks", ["Semaine <span lang=\"en\" class=\"en\">Week</span>", "ICONE", "&gt; 1000 ppm", "&gt; 1700 ppm"], rows, open: true);
    }

    /// <summary>The index of a week, and what the lessons measured say and ask (div#icone).</summary>
    private static void WeekIndex(StringBuilder html, IconeCounts counts, double lessonHours, bool thisWeek)
    {
        var index = Icone.Of(counts);
        html.Append("<div id=\"icone\">");
        IconeLine(html, index, thisWeek);
        if (index is { } i)
        {
            var (adviceFr, adviceEn) = Icone.Advice(i);
            var (hoursFr, hoursEn) = MeasuredHours(counts, lessonHours);
            html.Append("<p>Pendant ").Append(hoursFr).Append(", l'air a dépassé 1000 ppm <strong>").Append(Percent(counts.F1 + counts.F2))
                .Append("</strong> du temps, et 1700 ppm <strong>").Append(Percent(counts.F2)).Append("</strong> du temps. ").Append(adviceFr)
                .Append(PageLook.En($"During {hoursEn}, the air was above 1000 ppm {Percent(counts.F1 + counts.F2)} of the time, and above 1700 ppm {Percent(counts.F2)} of the time. {adviceEn}")).Append("</p>\n");
        }

        html.Append("</div>\n");
    }

    /// <summary>
    /// The lesson time the index stands on: the hours that have readings, and the hours of lessons
    /// when some had none ("les 6,5 heures de cours mesurées sur 13").
    /// </summary>
    public static (string French, string English) MeasuredHours(IconeCounts counts, double lessonHours)
    {
        var measured = Math.Min(lessonHours, counts.MeasuredMinutes / 60.0);
        var m = PageLook.Decimal(measured, "0.#");
        var all = PageLook.Decimal(lessonHours, "0.#");
        return lessonHours - measured < 0.25
            ? ($"les {all} heures de cours de la semaine", $"the week's {all} hours of lessons")
            : ($"les {m} heures de cours mesurées sur les {all} heures de cours de la semaine", $"the {m} hours of lessons measured out of the week's {all}");
    }

    private static void IconeLine(StringBuilder html, int? index, bool thisWeek = true)
    {
        if (index is not { } i)
        {
            html.Append("<p class=\"icone\">Indice de la semaine : pas encore de cours mesuré.").Append(PageLook.En("Week's index: no lesson measured yet.")).Append("</p>\n");
            return;
        }

        var (fr, en) = Icone.Label(i);
        html.Append("<p class=\"icone\">Indice de confinement de la semaine (ICONE) : <span class=\"index i").Append(i).Append("\">").Append(i).Append("</span> ").Append(fr).Append(" sur 5")
            .Append(PageLook.En($"{(thisWeek ? "This" : "That")} week's confinement index: {i}, {en}, out of 5")).Append("</p>\n");
    }

    private void LightOrNone(StringBuilder html, RoomNow? reading)
    {
        if (reading is null)
        {
            PageLook.NoLight(html, "Aucune mesure depuis un quart d'heure : le capteur est peut-être débranché, ou la classe fermée.", "No reading for a quarter of an hour: the sensor may be unplugged, or the room closed.");
        }
        else
        {
            PageLook.Light(html, reading.Co2Ppm, Levels);
        }
    }

    /// <summary>Monday 00:00, local, of the week holding <paramref name="now"/>.</summary>
    public static DateTimeOffset WeekStart(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        var back = ((int)local.DayOfWeek + 6) % 7;
        return LessonHours.Instant(local.AddDays(-back), zone);
    }

    private static string Clock(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Percent(double share) => $"{Math.Round(share * 100).ToString("0", CultureInfo.InvariantCulture)} %";
}
