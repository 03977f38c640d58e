using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sensors.Central;
using Sensors.Look;
using Sensors.Operations.Alerts;
using Sensors.Operations.Auth;
using Sensors.Operations.Fleet;

namespace Sensors.Operations.Pages;

/// <summary>
/// The console's pages: what to do first, the gateways, the classroom sensors, the LoRaWAN
/// devices, the street lights (each a filterable, sortable list with a page per row and its
/// history), the alerts and the console's own status. A user sees only the services of their roles.
/// </summary>
public sealed class ConsolePages(FleetState fleet, AlertSender alerts, IInfluxQuery influx, ConsoleOptions options, TimeProvider time)
{
    private string City => options.City;

    private TimeZoneInfo Zone => options.Zone;

    /// <summary>What a row is, in French, and the path of its page.</summary>
    public static (string KindFr, string Path) Describe(IFleetRow row) => row switch
    {
        GatewayRow => ("passerelle", "/passerelles/" + Uri.EscapeDataString(row.Key)),
        SensorRow => ("capteur", "/capteurs/" + Uri.EscapeDataString(row.Key)),
        LampRow lamp => ("lampe", lamp.Eui.Length > 0 ? "/appareils/" + Uri.EscapeDataString(lamp.Eui) : "/eclairage"),
        _ => ("appareil", "/appareils/" + Uri.EscapeDataString(row.Key)),
    };

    private static string Link(IFleetRow row, string? text = null) => $"<a href=\"{PageLook.Encode(Describe(row).Path)}\">{PageLook.Encode(text ?? row.Key)}</a>";

    private static IReadOnlyList<string> Services(Viewer viewer) => [.. ConsoleOptions.Services.Append("unknown").Where(s => s == "unknown" ? viewer.Roles.Contains("admin") : ConsoleAuth.Sees(viewer.Roles, s))];

    private static List<T> Visible<T>(IEnumerable<T> rows, Viewer viewer)
        where T : IFleetRow => [.. rows.Where(r => r.Service == "unknown" ? viewer.Roles.Contains("admin") : ConsoleAuth.Sees(viewer.Roles, r.Service))];

    private void Fresh(StringBuilder html, FleetSnapshot snapshot, string path)
    {
        var at = TimeZoneInfo.ConvertTime(snapshot.At, Zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        html.Append("<p class=\"fresh\">Lu dans la base à ").Append(at).Append(", relu toutes les ").Append(Rules.Ago(options.Every)).Append(". <a href=\"").Append(path).Append("\">Actualiser</a>")
            .Append(PageLook.En($"Read from the database at {at}, read again every {Rules.AgoEn(options.Every)}. <a href=\"{path}\" hreflang=\"fr\">Refresh</a>")).Append("</p>\n");
    }

    public async Task<string> HomeAsync(Viewer viewer, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        return ConsoleLayout.Page(City, viewer, "/", "À traiter", "To do", html =>
        {
            Fresh(html, snapshot, "/");
            var lists = new List<(string Fr, string En, string Path, IReadOnlyList<IFleetRow> Rows)>
            {
                ("Passerelles", "Gateways", "/passerelles", Visible(snapshot.Gateways, viewer)),
            };
            if (ConsoleLayout.MayOpen(viewer, "environment"))
            {
                lists.Add(("Capteurs des classes", "Classroom sensors", "/capteurs", Visible(snapshot.Sensors, viewer)));
            }

            lists.Add(("Appareils LoRaWAN", "LoRaWAN devices", "/appareils", Visible(snapshot.Devices, viewer)));
            if (ConsoleLayout.MayOpen(viewer, "lighting"))
            {
                lists.Add(("Lampes", "Lamps", "/eclairage", Visible(snapshot.Lamps, viewer)));
            }

            html.Append("<h2>En un coup d'œil").Append(PageLook.En("At a glance")).Append("</h2>\n<div class=\"counts\">");
            foreach (var (fr, en, path, rows) in lists)
            {
                var byState = rows.GroupBy(RowState.Of).ToDictionary(g => g.Key, g => g.Count());
                html.Append("<div class=\"card\"><h3><a href=\"").Append(path).Append("\">").Append(fr).Append(PageLook.En(en)).Append("</a></h3><p>")
                    .Append(rows.Count).Append(" au total").Append(PageLook.En("in all")).Append("</p><ul>");
                foreach (var (value, stateFr, stateEn) in ListView.States)
                {
                    html.Append("<li><a href=\"").Append(path).Append("?etat=").Append(value).Append("\">").Append(byState.GetValueOrDefault(value)).Append(' ').Append(stateFr).Append("</a>").Append(PageLook.En(stateEn)).Append("</li>");
                }

                html.Append("</ul></div>");
            }

            html.Append("</div>\n");
            var todo = lists.SelectMany(l => l.Rows).SelectMany(r => r.Problems.Where(p => p.Severity != Problem.Info).Select(p => (Row: r, Problem: p)))
                .OrderByDescending(t => t.Problem.Rank).ThenBy(t => t.Problem.Since ?? snapshot.At).ThenBy(t => t.Row.Key, StringComparer.Ordinal).ToList();
            html.Append("<h2>Ce qui ne va pas (").Append(todo.Count).Append(')').Append(PageLook.En($"What is wrong ({todo.Count})")).Append("</h2>\n");
            if (todo.Count == 0)
            {
                html.Append("<p>Rien d'urgent ni d'important : tout fonctionne.").Append(PageLook.En("Nothing urgent or important: everything works.")).Append("</p>\n");
                return;
            }

            // One block per rule, the most urgent first: "Dérive suspectée: 30 capteurs", what to do
            // once, then where (folded when long). Monday morning reads the headings.
            foreach (var group in todo.GroupBy(t => t.Problem.Rule).OrderByDescending(g => g.Max(t => t.Problem.Rank)).ThenByDescending(g => g.Count()))
            {
                var rule = Rules.All.First(r => r.Rule == group.Key);
                var first = group.First().Problem;
                var kinds = group.Select(t => Describe(t.Row).KindFr).Distinct().ToList();
                html.Append("<section class=\"todo ").Append(first.Severity).Append("\"><h3>").Append(rule.Fr).Append(" : ").Append(group.Count()).Append(' ').Append(string.Join(", ", kinds)).Append(group.Count() > 1 ? "s" : string.Empty)
                    .Append(PageLook.En($"{rule.En}: {group.Count()}")).Append("</h3>\n<p><em>").Append(PageLook.Encode(first.DoFr)).Append("</em>").Append(PageLook.En(PageLook.Encode(first.DoEn))).Append("</p>\n")
                    .Append("<details").Append(group.Count() <= 5 ? " open" : string.Empty).Append("><summary>Où").Append(PageLook.En("Where")).Append("</summary><ul>");
                foreach (var (row, problem) in group.OrderBy(t => t.Problem.Since ?? snapshot.At).ThenBy(t => t.Row.Key, StringComparer.Ordinal).Take(200))
                {
                    html.Append("<li>").Append(Describe(row).KindFr).Append(' ').Append(Link(row)).Append(" (").Append(PageLook.Encode(row.Site)).Append(", ")
                        .Append(ListView.ServiceNames.GetValueOrDefault(row.Service).Fr ?? row.Service).Append(") – ").Append(PageLook.Encode(problem.Fr));
                    if (problem.Since is { } since)
                    {
                        html.Append(", depuis ").Append(ListView.When(since, snapshot.At, Zone));
                    }

                    html.Append(PageLook.En(PageLook.Encode(problem.En))).Append("</li>");
                }

                html.Append("</ul>");
                if (group.Count() > 200)
                {
                    html.Append("<p>… et ").Append(group.Count() - 200).Append(" autres : voir la liste.").Append(PageLook.En($"… and {group.Count() - 200} more: see the list.")).Append("</p>");
                }

                html.Append("</details></section>\n");
            }
        });
    }

    public async Task<string> GatewaysAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        var rows = Visible(snapshot.Gateways, viewer);
        var now = snapshot.At;
        var versions = rows.GroupBy(r => r.Text("version") ?? "?").OrderByDescending(g => g.Count()).ToList();
        var hashes = rows.GroupBy(r => r.Text("config_hash") ?? "?").OrderByDescending(g => g.Count()).ToList();
        return ConsoleLayout.Page(City, viewer, "/passerelles", "Passerelles", "Gateways", html =>
        {
            Fresh(html, snapshot, "/passerelles");
            html.Append("<p>").Append(versions.Count).Append(" version(s) et ").Append(hashes.Count).Append(" configuration(s) différentes dans la flotte")
                .Append(versions.Count > 0 ? $" ; la plus courante : {PageLook.Encode(versions[0].Key)} ({versions[0].Count()} passerelles)" : string.Empty).Append('.')
                .Append(PageLook.En($"{versions.Count} version(s) and {hashes.Count} configuration(s) in the fleet.")).Append("</p>\n");
            ListView.Render(html, "/passerelles", query, rows,
            [
                new("id", "Passerelle", "Gateway", r => Link(r), r => r.Id),
                new("etat", "État", "State", ListView.StateBadge, r => r.Problems.Count == 0 ? 0 : r.Problems.Max(p => p.Rank)),
                new("service", "Service", "Service", r => ListView.ServiceNames.GetValueOrDefault(r.Service).Fr ?? r.Service, r => r.Service),
                new("rapport", "Dernier rapport", "Last report", r => ListView.When(r.LastSeen, now, Zone), r => r.LastSeen),
                new("version", "Version", "Version", r => ListView.Text(r.Text("version")) + (versions.Count > 1 && r.Text("version") != versions[0].Key ? " (différente)" : string.Empty), r => r.Text("version")),
                new("config", "Configuration", "Configuration", r => $"<code>{ListView.Text(r.Text("config_hash"))}</code>", r => r.Text("config_hash")),
                new("attente", "En attente", "Waiting", r => ListView.Number(r.Number("journal_points")), r => r.Number("journal_points"), true),
                new("ecritures", "Écrit/jour (Mo)", "Written/day (MB)", r => ListView.Number(r.Number("written_bytes_per_day") / 1e6), r => r.Number("written_bytes_per_day"), true),
                new("libre", "Libre (Go)", "Free (GB)", r => ListView.Number(r.Number("disk_free_bytes") / 1e9, "0.0"), r => r.Number("disk_free_bytes"), true),
                new("temp", "SoC (°C)", "SoC (°C)", r => ListView.Number(r.Number("soc_temperature_c"), "0.0"), r => r.Number("soc_temperature_c"), true),
                new("problemes", "Problèmes", "Problems", ListView.Problems, r => r.Problems.Count, true),
            ], "Passerelles", "Gateways", Services(viewer));
        });
    }

    private static readonly (string Field, string Fr, string En)[] GatewayFields =
    [
        ("version", "Version", "Version"),
        ("config_hash", "Empreinte de la configuration", "Configuration hash"),
        ("report_interval_s", "Rapport toutes les (s)", "Reports every (s)"),
        ("clock_synced", "Horloge synchronisée", "Clock synchronised"),
        ("last_delivery_age_s", "Dernier envoi à InfluxDB (il y a, s)", "Last delivery to InfluxDB (s ago)"),
        ("journal_points", "Relevés en attente", "Readings waiting"),
        ("journal_oldest_age_s", "Le plus ancien attend depuis (s)", "Oldest waiting for (s)"),
        ("quarantined_total", "Messages mis de côté", "Messages set aside"),
        ("dead_letter_total", "Relevés refusés (lettres mortes)", "Readings refused (dead letters)"),
        ("dropped_total", "Relevés perdus (journal plein)", "Readings dropped (journal full)"),
        ("sources_stuck", "Sources bloquées", "Sources stuck"),
        ("sources_stuck_detail", "Détail", "Detail"),
        ("disk_free_bytes", "Place libre (octets)", "Free space (bytes)"),
        ("written_bytes_per_day", "Écrit sur la carte par jour (octets)", "Written to the card a day (bytes)"),
        ("under_voltage", "Sous-tension maintenant", "Under-voltage now"),
        ("under_voltage_since_boot", "Sous-tension depuis le démarrage", "Under-voltage since boot"),
        ("throttled", "Ralenti maintenant", "Throttled now"),
        ("throttled_since_boot", "Ralenti depuis le démarrage", "Throttled since boot"),
        ("soc_temperature_c", "Température du processeur (°C)", "SoC temperature (°C)"),
        ("rss_bytes", "Mémoire (octets)", "Memory (bytes)"),
        ("uptime_s", "En marche depuis (s)", "Up for (s)"),
        ("received_total", "Relevés reçus", "Readings received"),
        ("delivered_total", "Relevés livrés", "Readings delivered"),
    ];

    public async Task<string?> GatewayAsync(Viewer viewer, string id, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        if (snapshot.Gateways.FirstOrDefault(g => g.Id == id) is not { } gateway || !Visible([gateway], viewer).Any())
        {
            return null;
        }

        var history = await influx.QueryAsync(
            [$"SELECT count(uptime_s), max(journal_points), max(journal_oldest_age_s), max(soc_temperature_c), last(version), last(config_hash) FROM gateway WHERE gateway_id = {Ql.Text(id)} AND time > {Ql.Time(snapshot.At - TimeSpan.FromHours(48))} GROUP BY time(1h) fill(none) ORDER BY time DESC"],
            cancellation);
        return ConsoleLayout.Page(City, viewer, "/passerelles", $"Passerelle {id}", $"Gateway {id}", html =>
        {
            Fresh(html, snapshot, "/passerelles/" + PageLook.PathSegment(id));
            Detail(html, gateway, snapshot.At);
            html.Append("<h2>Dernier rapport").Append(PageLook.En("Last report")).Append("</h2>\n<p>").Append(ListView.When(gateway.LastSeen, snapshot.At, Zone)).Append("</p>\n<dl class=\"gateway\">");
            foreach (var (field, fr, en) in GatewayFields)
            {
                var value = gateway.Fields.GetValueOrDefault(field);
                html.Append("<div><dt>").Append(fr).Append(PageLook.En(en)).Append("</dt><dd>").Append(value switch
                {
                    null => "inconnu" + PageLook.En("unknown"),
                    bool b => b ? "oui" : "non",
                    double d => PageLook.Decimal(d, "0.#"),
                    long l => PageLook.Count(l),
                    _ => PageLook.Encode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
                }).Append("</dd></div>");
            }

            html.Append("</dl>\n<h2>48 dernières heures").Append(PageLook.En("Last 48 hours")).Append("</h2>\n").Append(ListView.ScrollBox("Historique de la passerelle"))
                .Append("<table><caption>Par heure, la plus récente d'abord").Append(PageLook.En("Per hour, newest first")).Append("</caption><thead><tr><th scope=\"col\">Heure").Append(PageLook.En("Hour"))
                .Append("</th><th scope=\"col\" class=\"n\">Rapports").Append(PageLook.En("Reports")).Append("</th><th scope=\"col\" class=\"n\">En attente (max)").Append(PageLook.En("Waiting (max)"))
                .Append("</th><th scope=\"col\" class=\"n\">Attente la plus longue (s)").Append(PageLook.En("Longest wait (s)")).Append("</th><th scope=\"col\" class=\"n\">SoC (°C)</th><th scope=\"col\">Version</th><th scope=\"col\">Configuration</th></tr></thead><tbody>");
            foreach (var row in history[0].SelectMany(s => s.Rows))
            {
                html.Append("<tr><th scope=\"row\">").Append(TimeZoneInfo.ConvertTime(Series.Time(row), Zone).ToString("dd/MM HH:00", CultureInfo.InvariantCulture)).Append("</th><td class=\"n\">")
                    .Append(ListView.Number(Series.Number(row, 1))).Append("</td><td class=\"n\">").Append(ListView.Number(Series.Number(row, 2))).Append("</td><td class=\"n\">").Append(ListView.Number(Series.Number(row, 3)))
                    .Append("</td><td class=\"n\">").Append(ListView.Number(Series.Number(row, 4), "0.0")).Append("</td><td>").Append(ListView.Text(row[5] as string)).Append("</td><td><code>").Append(ListView.Text(row[6] as string)).Append("</code></td></tr>");
            }

            html.Append("</tbody></table></div>\n");
        });
    }

    public async Task<string> SensorsAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        var now = snapshot.At;
        return ConsoleLayout.Page(City, viewer, "/capteurs", "Capteurs des classes", "Classroom sensors", html =>
        {
            Fresh(html, snapshot, "/capteurs");
            html.Append("<p class=\"rule\">Dérive suspectée quand, la nuit (").Append(options.Rules.NightFrom.ToString(@"hh\:mm", CultureInfo.InvariantCulture)).Append('–').Append(options.Rules.NightTo.ToString(@"hh\:mm", CultureInfo.InvariantCulture))
                .Append(", salle vide), la médiane des 5<sup>e</sup> centiles de ").Append(options.Rules.DriftNights).Append(" nuits s'écarte de plus de ").Append(options.Rules.DriftTolerancePpm.ToString("0", CultureInfo.InvariantCulture))
                .Append(" ppm de l'air extérieur (").Append(options.Rules.OutdoorPpm.ToString("0", CultureInfo.InvariantCulture)).Append(" ppm) ; valeur figée quand elle n'a pas bougé pendant ").Append(Rules.Ago(options.Rules.StuckFor)).Append(" de cours.")
                .Append(PageLook.En("Drift suspected when the night baseline (median of nightly 5th percentiles) sits far from outdoor air; stuck when the value did not move over two hours of lessons.")).Append("</p>\n");
            ListView.Render(html, "/capteurs", query, Visible(snapshot.Sensors, viewer),
            [
                new("capteur", "Capteur", "Sensor", r => Link(r), r => r.SensorId),
                new("etat", "État", "State", ListView.StateBadge, r => r.Problems.Count == 0 ? 0 : r.Problems.Max(p => p.Rank)),
                new("site", "Site", "Site", r => ListView.Text(r.Site), r => r.Site),
                new("salle", "Salle", "Room", r => ListView.Text(r.Room), r => r.Room),
                new("modele", "Modèle", "Model", r => ListView.Text(r.Model), r => r.Model),
                new("mesure", "Dernière mesure", "Last reading", r => ListView.When(r.LastReadingAt, now, Zone), r => r.LastReadingAt),
                new("co2", "CO2 (ppm)", "CO2 (ppm)", r => ListView.Number(r.LastCo2), r => r.LastCo2, true),
                new("nuit", "Base nocturne (ppm)", "Night baseline (ppm)", r => ListView.Number(r.NightBaseline) + (r.Nights > 0 ? $" <small>({r.Nights} n.)</small>" : string.Empty), r => r.NightBaseline, true),
                new("calibrage", "Dernier calibrage", "Last calibration", r => ListView.Text(r.LastCalibration?[..10]), r => r.LastCalibration),
                new("problemes", "Problèmes", "Problems", ListView.Problems, r => r.Problems.Count, true),
            ], "Capteurs", "Sensors", ["environment"]);
        });
    }

    public async Task<string?> SensorAsync(Viewer viewer, string id, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        if (snapshot.Sensors.FirstOrDefault(s => s.SensorId == id) is not { } sensor)
        {
            return null;
        }

        var tz = $"tz({Ql.Text(options.TimeZone)})";
        var history = await influx.QueryAsync(
            [$"SELECT min(co2_ppm), mean(co2_ppm), max(co2_ppm), count(co2_ppm) FROM air_quality WHERE sensor_id = {Ql.Text(id)} AND time > {Ql.Time(snapshot.At - TimeSpan.FromDays(14))} GROUP BY time(1d) fill(none) {tz}"],
            cancellation);
        return ConsoleLayout.Page(City, viewer, "/capteurs", $"Capteur {id}", $"Sensor {id}", html =>
        {
            Fresh(html, snapshot, "/capteurs/" + PageLook.PathSegment(id));
            Detail(html, sensor, snapshot.At);
            html.Append("<dl class=\"gateway\">");
            foreach (var (fr, en, value) in new (string, string, string)[]
            {
                ("Site et salle", "Site and room", $"{ListView.Text(sensor.Site)}, {ListView.Text(sensor.Room)}"),
                ("Modèle", "Model", ListView.Text(sensor.Model)),
                ("Passerelle", "Gateway", sensor.GatewayId is { } gw ? $"<a href=\"/passerelles/{PageLook.PathSegment(gw)}\">{PageLook.Encode(gw)}</a>" : "—"),
                ("État rapporté", "Reported state", $"{ListView.Text(sensor.State)} {ListView.Text(sensor.Reason)}"),
                ("Dernière mesure", "Last reading", $"{ListView.When(sensor.LastReadingAt, snapshot.At, Zone)}, {ListView.Number(sensor.LastCo2)} ppm"),
                ("Compensation", "Compensation", ListView.Text(sensor.Compensation)),
                ("Autocalibrage", "Self-calibration", ListView.Text(sensor.SelfCalibration)),
                ("Dernier calibrage", "Last calibration", ListView.Text(sensor.LastCalibration)),
                ("Base nocturne", "Night baseline", sensor.NightBaseline is { } b ? $"{PageLook.Number(b)} ppm sur {sensor.Nights} nuit(s)" : "pas assez de nuits"),
                ("Écart pendant les cours", "Spread during lessons", sensor.LessonReadings > 0 ? $"{ListView.Number(sensor.LessonSpread)} ppm sur {sensor.LessonReadings} mesures" : "pas de mesures"),
            })
            {
                html.Append("<div><dt>").Append(fr).Append(PageLook.En(en)).Append("</dt><dd>").Append(value).Append("</dd></div>");
            }

            html.Append("</dl>\n<h2>14 derniers jours").Append(PageLook.En("Last 14 days")).Append("</h2>\n");
            DailyTable(html, "Historique du capteur", ["Min (ppm)", "Moyenne (ppm)", "Max (ppm)", "Mesures"], history[0]);
        });
    }

    public async Task<string> DevicesAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        var now = snapshot.At;
        return ConsoleLayout.Page(City, viewer, "/appareils", "Appareils LoRaWAN", "LoRaWAN devices", html =>
        {
            Fresh(html, snapshot, "/appareils");
            html.Append("<p class=\"rule\">Muet après ").Append(options.Rules.MissedUplinks).Append(" trames manquées (l'intervalle de son type, clé <code>uplink_every_s</code> du registre ; 24 h sans elle). RSSI et SNR : médianes des dernières 24 h ; pertes d'après les compteurs de trames (un retour à 0 n'est pas une perte).")
                .Append(PageLook.En("Silent after three missed uplinks of its type's interval. RSSI and SNR: medians of the last 24 h; losses from frame-counter gaps (a restart at 0 is no loss).")).Append("</p>\n");
            ListView.Render(html, "/appareils", query, Visible(snapshot.Devices, viewer),
            [
                new("eui", "Appareil", "Device", r => Link(r), r => r.Eui),
                new("etat", "État", "State", ListView.StateBadge, r => r.Problems.Count == 0 ? 0 : r.Problems.Max(p => p.Rank)),
                new("service", "Service", "Service", r => ListView.ServiceNames.GetValueOrDefault(r.Service).Fr ?? r.Service, r => r.Service),
                new("site", "Site", "Site", r => ListView.Text(r.Site), r => r.Site),
                new("actif", "Équipe", "Fits", r => ListView.Text(r.Asset), r => r.Asset),
                new("modele", "Modèle", "Model", r => ListView.Text(r.Model), r => r.Model),
                new("trame", "Dernière trame", "Last uplink", r => ListView.When(r.LastUplink, now, Zone), r => r.LastUplink),
                new("pile", "Pile", "Battery", r => r.BatteryPct is { } p ? $"{PageLook.Number(p)} %" : r.BatteryV is { } v ? $"{PageLook.Decimal(v, "0.00")} V" : "—", r => r.BatteryPct ?? r.BatteryV, true),
                new("rssi", "RSSI (dBm)", "RSSI (dBm)", r => ListView.Number(r.RssiMedian), r => r.RssiMedian, true),
                new("snr", "SNR (dB)", "SNR (dB)", r => ListView.Number(r.SnrMedian, "0.0"), r => r.SnrMedian, true),
                new("pertes", "Pertes 24 h", "Lost 24 h", r => r.LossPct is { } l ? $"{PageLook.Decimal(l, "0.0")} %" : "—", r => r.LossPct, true),
                new("problemes", "Problèmes", "Problems", ListView.Problems, r => r.Problems.Count, true),
            ], "Appareils", "Devices", Services(viewer));
        });
    }

    public async Task<string?> DeviceAsync(Viewer viewer, string eui, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        if (snapshot.Devices.FirstOrDefault(d => d.Eui == eui) is not { } device || !Visible([device], viewer).Any())
        {
            return null;
        }

        var tz = $"tz({Ql.Text(options.TimeZone)})";
        var since = Ql.Time(snapshot.At - TimeSpan.FromDays(14));
        var history = await influx.QueryAsync(
            [
                $"SELECT count(f_cnt), median(rssi_dbm), median(snr_db) FROM lorawan_link WHERE device_eui = {Ql.Text(eui)} AND time > {since} GROUP BY time(1d) fill(none) {tz}",
                $"SELECT sum(step), count(step) FROM (SELECT non_negative_difference(f_cnt) AS step FROM lorawan_link WHERE device_eui = {Ql.Text(eui)} AND time > {since}) WHERE step > 0 GROUP BY time(1d) fill(none) {tz}",
            ],
            cancellation);
        var lostByDay = history[1].SelectMany(s => s.Rows).ToDictionary(r => Series.Time(r), r => (double)Rules.FramesLost(Series.Number(r, 1) ?? 0, (long)(Series.Number(r, 2) ?? 0)));
        var days = history[0].SelectMany(s => s.Rows).Select(r => new object?[] { r[0], r[1], lostByDay.GetValueOrDefault(Series.Time(r)), r[2], r[3] }).ToList();
        var lamp = snapshot.Lamps.FirstOrDefault(l => l.Eui == eui);
        return ConsoleLayout.Page(City, viewer, "/appareils", $"Appareil {eui}", $"Device {eui}", html =>
        {
            Fresh(html, snapshot, "/appareils/" + PageLook.PathSegment(eui));
            Detail(html, device, snapshot.At);
            if (lamp is not null)
            {
                Detail(html, lamp, snapshot.At, "Lampe");
            }

            html.Append("<dl class=\"gateway\">");
            foreach (var (fr, en, value) in new (string, string, string)[]
            {
                ("Service", "Service", ListView.ServiceNames.GetValueOrDefault(device.Service).Fr ?? device.Service),
                ("Site", "Site", ListView.Text(device.Site)),
                ("Équipe", "Fits", $"{ListView.Text(device.Kind)} {ListView.Text(device.Asset)}"),
                ("Modèle", "Model", ListView.Text(device.Model)),
                ("Dernière trame", "Last uplink", ListView.When(device.LastUplink, snapshot.At, Zone)),
                ("Intervalle attendu", "Expected interval", device.UplinkEvery is { } every ? Rules.Ago(every) : "non renseigné (24 h)"),
                ("Pile", "Battery", device.BatteryPct is { } p ? $"{PageLook.Number(p)} %" : device.BatteryV is { } v ? $"{PageLook.Decimal(v, "0.00")} V" : "inconnue"),
                ("RSSI / SNR (médianes 24 h)", "RSSI / SNR (24 h medians)", $"{ListView.Number(device.RssiMedian)} dBm / {ListView.Number(device.SnrMedian, "0.0")} dB"),
                ("Trames 24 h", "Frames 24 h", $"{device.Frames} reçues, {device.Lost} perdues"),
            })
            {
                html.Append("<div><dt>").Append(fr).Append(PageLook.En(en)).Append("</dt><dd>").Append(value).Append("</dd></div>");
            }

            html.Append("</dl>\n<h2>14 derniers jours").Append(PageLook.En("Last 14 days")).Append("</h2>\n");
            DailyTable(html, "Historique de l'appareil", ["Trames reçues", "Trames perdues", "RSSI médian (dBm)", "SNR médian (dB)"], [new Series("lorawan_link", new Dictionary<string, string>(), ["time", "frames", "lost", "rssi", "snr"], days)]);
        });
    }

    public async Task<string> LightingAsync(Viewer viewer, IQueryCollection query, CancellationToken cancellation)
    {
        var snapshot = await fleet.CurrentAsync(cancellation);
        var now = snapshot.At;
        var sun = Sun.RiseAndSet(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).Date), options.Latitude, options.Longitude);
        return ConsoleLayout.Page(City, viewer, "/eclairage", "Éclairage", "Street lights", html =>
        {
            Fresh(html, snapshot, "/eclairage");
            if (sun is { } s)
            {
                var rise = TimeZoneInfo.ConvertTime(s.Rise, Zone).ToString("HH:mm", CultureInfo.InvariantCulture);
                var set = TimeZoneInfo.ConvertTime(s.Set, Zone).ToString("HH:mm", CultureInfo.InvariantCulture);
                html.Append("<p class=\"rule\">Aujourd'hui le soleil se lève à ").Append(rise).Append(" et se couche à ").Append(set).Append(" ; une lampe peut être dans un sens ou l'autre ").Append(Rules.Ago(options.Rules.SunMargin))
                    .Append(" autour. Puissance anormale : plus de ").Append(options.Rules.PowerTolerancePct.ToString("0", CultureInfo.InvariantCulture)).Append(" % de la puissance nominale d'écart avec nominale × gradation.")
                    .Append(PageLook.En($"Sunrise {rise}, sunset {set} today; a lamp may be either way near them.")).Append("</p>\n");
            }

            ListView.Render(html, "/eclairage", query, Visible(snapshot.Lamps, viewer),
            [
                new("lampe", "Lampe", "Lamp", r => Link(r, r.LampId), r => r.LampId),
                new("etat", "État", "State", ListView.StateBadge, r => r.Problems.Count == 0 ? 0 : r.Problems.Max(p => p.Rank)),
                new("rue", "Rue", "Street", r => ListView.Text(r.Street), r => r.Street),
                new("allumee", "Allumée", "Lit", r => r.On switch { true => "oui", false => "non", _ => "—" }, r => r.On),
                new("gradation", "Gradation (%)", "Dimming (%)", r => ListView.Number(r.DimPct), r => r.DimPct, true),
                new("puissance", "Puissance (W)", "Power (W)", r => ListView.Number(r.PowerW) + (r.RatedW is { } rated ? $" / {PageLook.Number(rated)}" : string.Empty), r => r.PowerW, true),
                new("defaut", "Défaut", "Fault", r => r.FaultCode is { } f ? f.ToString(CultureInfo.InvariantCulture) : "—", r => r.FaultCode, true),
                new("rapport", "Dernier rapport", "Last report", r => ListView.When(r.At, now, Zone), r => r.At),
                new("problemes", "Problèmes", "Problems", ListView.Problems, r => r.Problems.Count, true),
            ], "Lampes", "Lamps", ["lighting"]);
        });
    }

    public string Alerts(Viewer viewer)
    {
        var status = alerts.Status;
        var firing = alerts.Firing.Where(a => ConsoleAuth.Sees(viewer.Roles, a.Labels["service"]) || viewer.Roles.Contains("admin")).OrderByDescending(a => a.Labels["severity"] == Problem.Critical).ThenBy(a => a.StartsAt).ToList();
        return ConsoleLayout.Page(City, viewer, "/alertes", "Alertes", "Alerts", html =>
        {
            AlertmanagerStatus(html, status);
            html.Append(ListView.ScrollBox("Alertes en cours")).Append("<table><caption>Alertes en cours : ").Append(firing.Count).Append(PageLook.En($"Firing alerts: {firing.Count}"))
                .Append("</caption><thead><tr><th scope=\"col\">Règle").Append(PageLook.En("Rule")).Append("</th><th scope=\"col\">Gravité").Append(PageLook.En("Severity")).Append("</th><th scope=\"col\">Service</th><th scope=\"col\">Site</th><th scope=\"col\">Quoi").Append(PageLook.En("What"))
                .Append("</th><th scope=\"col\">Depuis").Append(PageLook.En("Since")).Append("</th></tr></thead><tbody>");
            foreach (var alert in firing)
            {
                html.Append("<tr><th scope=\"row\">").Append(PageLook.Encode(alert.Labels["rule"])).Append("</th><td>").Append(PageLook.Encode(alert.Labels["severity"])).Append("</td><td>")
                    .Append(PageLook.Encode(alert.Labels["service"])).Append("</td><td>").Append(PageLook.Encode(alert.Labels["site"])).Append("</td><td><a href=\"").Append(PageLook.Encode(new Uri(alert.GeneratorUrl, UriKind.RelativeOrAbsolute) is { IsAbsoluteUri: true } u ? u.PathAndQuery : alert.GeneratorUrl)).Append("\">")
                    .Append(PageLook.Encode(alert.Annotations["summary"])).Append("</a></td><td>").Append(ListView.When(alert.StartsAt, time.GetUtcNow(), Zone)).Append("</td></tr>");
            }

            html.Append("</tbody></table></div>\n<p class=\"rule\">Les alertes sont envoyées à Alertmanager, qui les groupe, les envoie par courriel au service concerné et permet de les mettre en sourdine (travaux, vacances).")
                .Append(PageLook.En("Alerts go to Alertmanager, which groups them, e-mails the service concerned and silences them (works, holidays).")).Append("</p>\n");
        });
    }

    public string Status(Viewer viewer) => ConsoleLayout.Page(City, viewer, "/etat", "État de la console", "Console status", html =>
    {
        var last = fleet.Last;
        html.Append("<dl class=\"gateway\"><div").Append(fleet.Failing is null ? string.Empty : " class=\"warn\"").Append("><dt>Base de données").Append(PageLook.En("Database")).Append("</dt><dd>")
            .Append(fleet.Failing is { } failing ? $"ne répond pas depuis {ListView.When(failing.At, time.GetUtcNow(), Zone)} : {PageLook.Encode(failing.Reason)}" : "répond").Append("</dd></div>")
            .Append("<div><dt>Flotte lue").Append(PageLook.En("Fleet read")).Append("</dt><dd>").Append(ListView.When(last?.At, time.GetUtcNow(), Zone)).Append("</dd></div></dl>\n");
        AlertmanagerStatus(html, alerts.Status);
    });

    private void AlertmanagerStatus(StringBuilder html, AlertStatus status)
    {
        html.Append("<h2>Envoi à Alertmanager").Append(PageLook.En("Delivery to Alertmanager")).Append("</h2>\n<p>");
        if (options.Alertmanager.Url.Length == 0)
        {
            html.Append("Aucun Alertmanager configuré (Console:Alertmanager:Url) : les alertes sont seulement affichées ici.").Append(PageLook.En("No Alertmanager configured: alerts are only shown here."));
        }
        else if (status.FailingSince is { } since)
        {
            html.Append("<span class=\"state critical\">en échec</span> depuis ").Append(ListView.When(since, time.GetUtcNow(), Zone)).Append(" : ").Append(PageLook.Encode(status.LastError ?? string.Empty))
                .Append(". La console réessaie avec des pauses croissantes ; ").Append(status.Firing).Append(" alerte(s) en cours, ").Append(status.Pending).Append(" résolue(s) à transmettre.")
                .Append(PageLook.En($"Failing: {PageLook.Encode(status.LastError ?? string.Empty)}. Retried with a growing pause."));
        }
        else
        {
            html.Append("<span class=\"state ok\">en ordre</span> ; dernier envoi ").Append(ListView.When(status.LastSent, time.GetUtcNow(), Zone)).Append(", ").Append(status.Firing).Append(" alerte(s) en cours.")
                .Append(PageLook.En($"OK; {status.Firing} alert(s) firing."));
        }

        html.Append("</p>\n");
    }

    private void Detail(StringBuilder html, IFleetRow row, DateTimeOffset now, string? kind = null)
    {
        html.Append("<h2>").Append(kind ?? "État").Append(" : ").Append(ListView.StateBadge(row)).Append("</h2>\n");
        if (row.Problems.Count == 0)
        {
            html.Append("<p>Rien à signaler.").Append(PageLook.En("Nothing to report.")).Append("</p>\n");
            return;
        }

        html.Append("<ul class=\"problems\">");
        foreach (var problem in row.Problems.OrderByDescending(p => p.Rank))
        {
            html.Append("<li class=\"todo ").Append(problem.Severity).Append("\"><strong>").Append(Rules.All.First(r => r.Rule == problem.Rule).Fr).Append("</strong> : ").Append(PageLook.Encode(problem.Fr));
            if (problem.Since is { } since)
            {
                html.Append(", depuis ").Append(ListView.When(since, now, Zone));
            }

            html.Append(". <em>").Append(PageLook.Encode(problem.DoFr)).Append("</em>").Append(PageLook.En($"{PageLook.Encode(problem.En)}. {PageLook.Encode(problem.DoEn)}")).Append("</li>");
        }

        html.Append("</ul>\n");
    }

    private void DailyTable(StringBuilder html, string label, IReadOnlyList<string> headers, IReadOnlyList<Series> series)
    {
        html.Append(ListView.ScrollBox(label)).Append("<table><caption>Par jour").Append(PageLook.En("Per day")).Append("</caption><thead><tr><th scope=\"col\">Jour").Append(PageLook.En("Day")).Append("</th>");
        foreach (var header in headers)
        {
            html.Append("<th scope=\"col\" class=\"n\">").Append(header).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in series.SelectMany(s => s.Rows).OrderByDescending(r => Series.Time(r)))
        {
            html.Append("<tr><th scope=\"row\">").Append(TimeZoneInfo.ConvertTime(Series.Time(row), Zone).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)).Append("</th>");
            for (var i = 1; i <= headers.Count; i++)
            {
                html.Append("<td class=\"n\">").Append(ListView.Number(Series.Number(row, i), "0.#")).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div>\n");
    }
}
