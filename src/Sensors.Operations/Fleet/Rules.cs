using Sensors.Look;

namespace Sensors.Operations.Fleet;

/// <summary>
/// The console's rules, pure: a row's figures and the time in, its problems out. The same
/// problems are shown on the pages and sent to Alertmanager, with the rule's name as the alert's
/// <c>rule</c> label. Thresholds from <see cref="RuleOptions"/>.
/// </summary>
public static class Rules
{
    public static readonly IReadOnlyList<(string Rule, string Severity, string Fr, string En)> All =
    [
        ("gateway_not_reporting", Problem.Critical, "Passerelle muette", "Gateway not reporting"),
        ("clock_not_synced", Problem.Warning, "Horloge non synchronisée", "Clock not synchronised"),
        ("journal_backlog", Problem.Warning, "Relevés en attente depuis plus d'une heure", "Readings waiting for over an hour"),
        ("dead_letters_growing", Problem.Warning, "Relevés refusés par la base", "Readings refused by the database"),
        ("card_writes", Problem.Warning, "Écritures sur la carte au-delà du budget", "Card writes over budget"),
        ("disk_low", Problem.Warning, "Carte presque pleine", "Card almost full"),
        ("under_voltage", Problem.Warning, "Alimentation trop faible", "Under-voltage"),
        ("sources_stuck", Problem.Warning, "Source bloquée", "Source stuck"),
        ("sensor_silent", Problem.Warning, "Capteur muet", "Sensor silent"),
        ("sensor_failed", Problem.Warning, "Capteur en panne", "Sensor failed"),
        ("sensor_drift", Problem.Warning, "Dérive suspectée", "Drift suspected"),
        ("sensor_stuck", Problem.Warning, "Valeur figée", "Value stuck"),
        ("device_silent", Problem.Warning, "Appareil muet", "Device silent"),
        ("battery_low", Problem.Info, "Pile faible", "Battery low"),
        ("frame_loss", Problem.Info, "Trames perdues", "Frames lost"),
        ("lamp_fault", Problem.Warning, "Lampe en défaut", "Lamp fault"),
        ("lamp_dark_at_night", Problem.Warning, "Lampe éteinte la nuit", "Lamp dark at night"),
        ("lamp_lit_by_day", Problem.Info, "Lampe allumée le jour", "Lamp lit by day"),
        ("lamp_power", Problem.Info, "Puissance anormale", "Power off its rating"),
    ];

    private static Problem Make(string rule, string fr, string en, string doFr, string doEn, DateTimeOffset? since = null)
    {
        var severity = All.First(r => r.Rule == rule).Severity;
        return new Problem(rule, severity, fr, en, doFr, doEn, since);
    }

    /// <summary>A gateway's problems from its last heartbeat; <paramref name="deadLettersHourAgo"/> the dead-letter count of its heartbeat an hour earlier.</summary>
    public static IReadOnlyList<Problem> Gateway(GatewayRow g, DateTimeOffset now, RuleOptions rules, double? deadLettersHourAgo)
    {
        var interval = g.Number("report_interval_s") is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(1);
        if (g.LastSeen is not { } seen || now - seen > interval * rules.MissedReports)
        {
            var since = g.LastSeen is { } last ? $" depuis {Ago(now - last)}" : string.Empty;
            var sinceEn = g.LastSeen is { } lastEn ? $" for {AgoEn(now - lastEn)}" : string.Empty;
            return [Make("gateway_not_reporting", $"aucun rapport{since} (attendu toutes les {Ago(interval)})", $"no report{sinceEn} (expected every {AgoEn(interval)})",
                "Vérifier l'alimentation et le réseau de l'école ; son journal garde les relevés tant qu'il a de la place.", "Check the school's power and network; its journal keeps the readings while it has room.", g.LastSeen)];
        }

        var problems = new List<Problem>();
        if (g.Flag("clock_synced") == false)
        {
            problems.Add(Make("clock_not_synced", "l'horloge n'est pas synchronisée : les relevés sont retenus", "the clock is not synchronised: readings are held",
                "Vérifier NTP (timedatectl) et l'accès au réseau.", "Check NTP (timedatectl) and network access."));
        }

        if (g.Number("journal_oldest_age_s") is { } age && TimeSpan.FromSeconds(age) > rules.BacklogOlderThan)
        {
            problems.Add(Make("journal_backlog", $"le plus ancien relevé attend depuis {Ago(TimeSpan.FromSeconds(age))} ({PageLook.Count(g.Number("journal_points") ?? 0)} en attente)",
                $"the oldest reading has waited {AgoEn(TimeSpan.FromSeconds(age))} ({g.Number("journal_points") ?? 0:0} waiting)",
                "InfluxDB est-elle joignable depuis l'école ? Voir /readyz de la passerelle.", "Can the school reach InfluxDB? See the gateway's /readyz.", seen - TimeSpan.FromSeconds(age)));
        }

        if (g.Number("dead_letter_total") is { } dead && deadLettersHourAgo is { } before && dead > before)
        {
            problems.Add(Make("dead_letters_growing", $"{dead - before:0} relevé(s) refusé(s) par InfluxDB en une heure", $"{dead - before:0} reading(s) refused by InfluxDB within an hour",
                "Lire la raison avec « sensors journal dead-letters » sur la passerelle.", "Read the reason with `sensors journal dead-letters` on the gateway."));
        }

        if (g.Number("written_bytes_per_day") is { } written && written > rules.CardBytesPerDay)
        {
            problems.Add(Make("card_writes", $"{written / 1e9:0.0} Go écrits par jour (budget {rules.CardBytesPerDay / 1e9:0.0} Go)", $"{written / 1e9:0.0} GB written a day (budget {rules.CardBytesPerDay / 1e9:0.0} GB)",
                "Regarder quelle source écrit autant (tableau /metrics) ; la carte s'use.", "Look at which source writes so much (/metrics); the card wears out."));
        }

        if (g.Number("disk_free_bytes") is { } free && free < rules.DiskFreeBelowBytes)
        {
            problems.Add(Make("disk_low", $"{free / 1e6:0} Mo libres sur la carte", $"{free / 1e6:0} MB free on the card",
                "Libérer de la place ou remplacer la carte.", "Free some space or replace the card."));
        }

        if (g.Flag("under_voltage") == true || g.Flag("under_voltage_since_boot") == true)
        {
            problems.Add(Make("under_voltage", g.Flag("under_voltage") == true ? "sous-tension en ce moment" : "sous-tension depuis le démarrage",
                g.Flag("under_voltage") == true ? "under-voltage now" : "under-voltage since boot",
                "Remplacer l'alimentation du Pi (5,1 V, 3 A officielle) ou son câble.", "Replace the Pi's power supply (official 5.1 V, 3 A) or its cable."));
        }

        if (g.Number("sources_stuck") is { } stuck && stuck > 0)
        {
            problems.Add(Make("sources_stuck", $"{stuck:0} source(s) bloquée(s) : {g.Text("sources_stuck_detail") ?? "voir /readyz"}", $"{stuck:0} source(s) stuck: {g.Text("sources_stuck_detail") ?? "see /readyz"}",
                "Lire le journal de la passerelle (journalctl -u sensors).", "Read the gateway's log (journalctl -u sensors)."));
        }

        return problems;
    }

    /// <summary>
    /// The night baseline: the median of the nightly 5th percentiles (one per night with readings),
    /// and how many nights it stands on. The 5th percentile of a night is the empty room at its
    /// freshest; the median over nights leaves out one odd night.
    /// </summary>
    public static (double? Baseline, int Nights) NightBaseline(IEnumerable<double?> nightly)
    {
        var values = nightly.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).Order().ToList();
        if (values.Count == 0)
        {
            return (null, 0);
        }

        var middle = values.Count / 2;
        return (values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2, values.Count);
    }

    public static IReadOnlyList<Problem> Sensor(SensorRow s, DateTimeOffset now, RuleOptions rules)
    {
        var problems = new List<Problem>();
        if (s.LastReadingAt is not { } last || now - last > rules.SensorSilentAfter)
        {
            problems.Add(Make("sensor_silent", s.LastReadingAt is { } at ? $"aucune mesure depuis {Ago(now - at)}" : "aucune mesure", s.LastReadingAt is { } atEn ? $"no reading for {AgoEn(now - atEn)}" : "no reading",
                "Vérifier la passerelle de l'école, puis « sensors doctor » sur place.", "Check the school's gateway, then run `sensors doctor` there.", s.LastReadingAt));
        }

        if (s.State == "failed")
        {
            problems.Add(Make("sensor_failed", $"en panne : {s.Reason}", $"failed: {s.Reason}", "« sensors doctor » sur la passerelle dit quoi vérifier.", "`sensors doctor` on the gateway says what to check."));
        }

        if (s.NightBaseline is { } baseline && s.Nights >= rules.DriftMinNights && Math.Abs(baseline - rules.OutdoorPpm) > rules.DriftTolerancePpm)
        {
            problems.Add(Make("sensor_drift",
                $"la nuit, salle vide, il mesure {baseline:0} ppm ({s.Nights} nuits) au lieu d'environ {rules.OutdoorPpm:0}",
                $"at night, room empty, it reads {baseline:0} ppm ({s.Nights} nights) instead of about {rules.OutdoorPpm:0}",
                "Aérer la salle puis « sensors calibrate --reference 420 », ou vérifier l'autocalibrage.", "Air the room then run `sensors calibrate --reference 420`, or check self-calibration."));
        }

        if (s.LessonReadings >= rules.StuckMinReadings && s.LessonSpread is 0)
        {
            problems.Add(Make("sensor_stuck", $"même valeur ({s.LastCo2:0} ppm) pendant {Ago(rules.StuckFor)} de cours ({s.LessonReadings} mesures)",
                $"same value ({s.LastCo2:0} ppm) for {AgoEn(rules.StuckFor)} of lessons ({s.LessonReadings} readings)",
                "Redémarrer le capteur (débrancher, rebrancher) ; le remplacer s'il reste figé.", "Restart the sensor (unplug, plug back); replace it if it stays stuck."));
        }

        return problems;
    }

    /// <summary>Frames lost from the day's counter steps: <paramref name="stepSum"/> and <paramref name="steps"/> over the positive steps only (a restart at 0 after a rejoin, or the 16-bit wrap, is a negative step and no loss; a repeated frame is a step of 0).</summary>
    public static long FramesLost(double stepSum, long steps) => Math.Max(0, (long)Math.Round(stepSum) - steps);

    public static IReadOnlyList<Problem> Device(DeviceRow d, DateTimeOffset now, RuleOptions rules)
    {
        var problems = new List<Problem>();
        var silentAfter = d.UplinkEvery is { } every ? every * rules.MissedUplinks : rules.DeviceSilentAfter;
        if (d.LastUplink is not { } last || now - last > silentAfter)
        {
            problems.Add(Make("device_silent",
                d.LastUplink is { } at ? $"aucune trame depuis {Ago(now - at)} (attendue toutes les {Ago(d.UplinkEvery ?? rules.DeviceSilentAfter)})" : "aucune trame reçue",
                d.LastUplink is { } atEn ? $"no uplink for {AgoEn(now - atEn)} (expected every {AgoEn(d.UplinkEvery ?? rules.DeviceSilentAfter)})" : "no uplink received",
                "Vérifier la pile et la couverture LoRaWAN sur place.", "Check the battery and LoRaWAN coverage on site.", d.LastUplink));
        }

        if ((d.BatteryPct is { } pct && pct < (d.BatteryLowPct ?? rules.BatteryLowPct)) || (d.BatteryV is { } volts && volts < (d.BatteryLowV ?? rules.BatteryLowV)))
        {
            var level = d.BatteryPct is { } p2 ? $"{p2:0} %" : $"{PageLook.Decimal(d.BatteryV!.Value, "0.00")} V";
            problems.Add(Make("battery_low", $"pile à {level}", $"battery at {level.Replace(',', '.')}", "Prévoir le changement de pile à la prochaine tournée.", "Plan a battery change on the next round."));
        }

        if (d.Frames + d.Lost >= 10 && d.LossPct is { } loss && loss > rules.FrameLossPct)
        {
            problems.Add(Make("frame_loss", $"{loss:0} % de trames perdues sur 24 h ({d.Lost} sur {d.Frames + d.Lost})", $"{loss:0} % of frames lost over 24 h ({d.Lost} of {d.Frames + d.Lost})",
                "Couverture faible : regarder RSSI et SNR ; déplacer l'appareil ou ajouter une antenne.", "Weak coverage: look at RSSI and SNR; move the device or add a gateway."));
        }

        return problems;
    }

    public static IReadOnlyList<Problem> Lamp(LampRow l, DateTimeOffset now, RuleOptions rules, double latitude, double longitude)
    {
        var problems = new List<Problem>();
        if (l.At is not { } at || now - at > rules.DeviceSilentAfter)
        {
            return problems; // its state is old news: the device's silence is the problem (device_silent)
        }

        if (l.FaultCode is { } fault && fault != 0)
        {
            problems.Add(Make("lamp_fault", $"code de défaut {fault}", $"fault code {fault}", "Intervention sur le luminaire (voir le code dans la notice du contrôleur).", "Send a crew (the code is in the controller's manual)."));
        }

        var day = Sun.IsDay(at, latitude, longitude, rules.SunMargin);
        if (l.On == true && day == true)
        {
            problems.Add(Make("lamp_lit_by_day", "allumée en plein jour", "lit in daylight", "Vérifier le programme d'allumage ou la cellule.", "Check the switching schedule or the light sensor."));
        }
        else if (l.On == false && day == false)
        {
            problems.Add(Make("lamp_dark_at_night", "éteinte en pleine nuit", "dark at night", "Vérifier la lampe et le contrôleur.", "Check the lamp and its controller."));
        }

        // Only where the controller reports its dimming: a plain switch (WS558) may dim through the
        // driver without saying so, and its power alone would read as a fault every night.
        if (l.On == true && l.RatedW is { } rated && rated > 0 && l.PowerW is { } power && l.DimPct is { } dim)
        {
            var expected = rated * dim / 100;
            if (Math.Abs(power - expected) > rated * rules.PowerTolerancePct / 100)
            {
                problems.Add(Make("lamp_power", $"{power:0} W pour {expected:0} W attendus ({dim:0} % de {rated:0} W)", $"{power:0} W where {expected:0} W are expected ({dim:0} % of {rated:0} W)",
                    "Lampe ou ballast fatigué : à contrôler.", "A worn lamp or driver: to check."));
            }
        }

        return problems;
    }

    /// <summary>A duration in French: "3 j 4 h", "2 h 05", "12 min", "40 s".</summary>
    public static string Ago(TimeSpan span) => span.TotalDays >= 1 ? $"{(int)span.TotalDays} j {span.Hours} h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00}"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
        : $"{Math.Max(0, (int)span.TotalSeconds)} s";

    public static string AgoEn(TimeSpan span) => span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
        : $"{Math.Max(0, (int)span.TotalSeconds)} s";
}
