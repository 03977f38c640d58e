using Sensors.Hardware.Devices.TrafficLight;
using System.Globalization;
using System.Text;
using Sensors.Core;
using Sensors.Look;

namespace Sensors.Gateway.Status;

/// <summary>
/// A classroom on the page: its name from the site file, what the board knows of its air, and
/// the state of the sensor read by this gateway in it (null when its readings come over MQTT).
/// </summary>
public sealed record StatusRoom(string Id, string Name, RoomView? View, SensorState? Sensor = null, IndicatorState? Indicator = null);

/// <summary>The gateway's own state, in the words of the page.</summary>
public sealed record GatewayState(
    string GatewayId,
    TimeSpan Uptime,
    long JournalPending,
    TimeSpan? OldestWaiting,
    (string French, string English) Influx,
    bool InfluxOk,
    (string French, string English) Mqtt,
    bool MqttOk,
    bool ClockSynchronised,
    long Dropped,
    long DeadLetters,
    IReadOnlyList<Sensors.Pipeline.SourceProblem>? SourceProblems = null);

/// <summary>What the page shows; <paramref name="RefreshSeconds"/> makes it reload itself (the classroom screen, /ecran), null for a page people read.</summary>
public sealed record StatusModel(string SiteName, IReadOnlyList<StatusRoom> Rooms, GatewayState Gateway, Co2Levels Levels, DateTimeOffset Now, TimeZoneInfo Zone, int? RefreshSeconds = null);

/// <summary>
/// The school's status page: one card per classroom with its CO2 as a traffic light (colour, a
/// word and advice in French then English, never colour alone), the last hour as a small SVG
/// chart with a text alternative, and the gateway's state at the bottom. One self-contained HTML
/// document: inline CSS, no script, no font or image from elsewhere, so it works on a school
/// network without internet, on an old phone and on a classroom screen. At / it stays still (a
/// reader, or a screen reader, does not lose their place) with a link to read it again; at
/// /ecran, the address for a screen on a classroom wall, it reloads itself every 30 seconds.
/// </summary>
public static class StatusPage
{
    public static string Render(StatusModel model)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("""
            <!DOCTYPE html>
            <html lang="fr">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">

            """);
        if (model.RefreshSeconds is { } seconds)
        {
            html.Append("<meta http-equiv=\"refresh\" content=\"").Append(seconds).Append("\">\n");
        }

        html.Append("<title>Qualité de l'air – ").Append(Encode(model.SiteName)).Append("</title>\n<style>").Append(PageLook.Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>Qualité de l'air dans les classes <span lang=\"en\" class=\"en\">Air quality in the classrooms</span></h1>\n<p class=\"site\">")
            .Append(Encode(model.SiteName)).Append(" · mis à jour à ").Append(Encode(Local(model.Now, model.Zone).ToString("HH:mm", CultureInfo.InvariantCulture)))
            .Append(" <span lang=\"en\" class=\"en\">updated at ").Append(Encode(Local(model.Now, model.Zone).ToString("HH:mm", CultureInfo.InvariantCulture))).Append("</span>");
        html.Append(model.RefreshSeconds is null
            ? " · <a href=\"/\">Actualiser</a> <span lang=\"en\" class=\"en\"><a href=\"/\" hreflang=\"fr\">Refresh</a></span> · <a href=\"/ecran\">Mode écran de classe (se met à jour seul)</a> <span lang=\"en\" class=\"en\">Classroom screen mode (updates itself)</span>"
            : " · se met à jour toutes les " + model.RefreshSeconds + " s <span lang=\"en\" class=\"en\">updates every " + model.RefreshSeconds + " s</span>");
        html.Append("</p></header>\n<main>\n");

        if (model.Rooms.Count == 0)
        {
            html.Append("<p>Aucune classe n'est encore configurée. <span lang=\"en\" class=\"en\">No classroom is configured yet.</span></p>\n");
        }

        html.Append("<ul class=\"rooms\">\n");
        foreach (var room in model.Rooms)
        {
            RenderRoom(html, room, model);
        }

        html.Append("</ul>\n</main>\n");
        RenderGateway(html, model.Gateway, model.Levels);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void RenderRoom(StringBuilder html, StatusRoom room, StatusModel model)
    {
        var view = room.View;
        var stale = view?.At is not { } at || model.Now - at > TimeSpan.FromMinutes(15);
        html.Append("<li class=\"room\" id=\"room-").Append(Encode(room.Id)).Append("\" data-room=\"").Append(Encode(room.Id)).Append("\"");
        if (view?.Co2Ppm is { } co2 && !stale)
        {
            html.Append(" data-light=\"").Append(PageLook.Name(model.Levels.Classify(co2))).Append("\">\n<h2>").Append(Encode(room.Name)).Append("</h2>\n");
            PageLook.Light(html, co2, model.Levels);
            RenderChart(html, view, model);
            html.Append("<p class=\"more\">");
            if (view.TemperatureC is { } t)
            {
                html.Append(t.ToString("0.0", CultureInfo.InvariantCulture).Replace('.', ',')).Append(" °C");
            }

            if (view.HumidityPct is { } h)
            {
                html.Append(" · ").Append(Number(h)).Append(" % d'humidité <span lang=\"en\" class=\"en\">humidity</span>");
            }

            if (view.PressureHpa is { } hpa)
            {
                html.Append(" · ").Append(hpa.ToString("0", CultureInfo.InvariantCulture)).Append(" hPa");
            }

            html.Append(" · capteur <span lang=\"en\" class=\"en\">sensor</span> ").Append(Encode(view.SensorModel ?? "?")).Append(" (").Append(Encode(view.SensorId ?? "?")).Append(")</p>\n");
        }
        else
        {
            html.Append(" data-light=\"none\">\n<h2>").Append(Encode(room.Name)).Append("</h2>\n");
            var (french, english) = Silence(view, room.Sensor, model);
            PageLook.NoLight(html, french, english);
        }

        if (room.Indicator is { } indicator)
        {
            RenderIndicator(html, indicator);
        }

        html.Append("</li>\n");
    }

    /// <summary>
    /// What the light in the room shows now, so that whoever reads the page knows what the class
    /// sees: "Voyant de la classe : orange, 1250 ppm, « Air chargé »", the buzzer's state, or why
    /// it shows nothing.
    /// </summary>
    private static void RenderIndicator(StringBuilder html, IndicatorState indicator)
    {
        var (french, english) = indicator.Light switch
        {
            LightShown.Green => ("vert", "green"),
            LightShown.Orange => ("orange", "orange"),
            LightShown.Red => ("rouge", "red"),
            LightShown.Grey => ("gris (pas de mesure récente)", "grey (no recent reading)"),
            _ => ("éteint", "off"),
        };
        html.Append("<p class=\"indicator\" data-indicator=\"").Append(IndicatorBoard.Name(indicator.Light)).Append("\">Voyant de la classe : ");
        if (indicator.Problem is { } problem)
        {
            html.Append("en panne, la passerelle réessaie. <span lang=\"en\" class=\"en\">Classroom indicator: out of order, the gateway keeps trying.</span> <small>")
                .Append(Encode(problem)).Append("</small></p>\n");
            return;
        }

        html.Append(Encode(french));
        if (indicator.Ppm is { } ppm && indicator.Light is LightShown.Green or LightShown.Orange or LightShown.Red)
        {
            html.Append(", ").Append(Number(ppm)).Append(" ppm, « ").Append(Encode(indicator.French)).Append(" »");
        }

        html.Append(indicator.Buzzer ? " · alarme sonore en cours" : indicator.Muted ? " · alarme coupée par le bouton" : string.Empty);
        html.Append(" <span lang=\"en\" class=\"en\">Classroom indicator: ").Append(Encode(english))
            .Append(indicator.Buzzer ? ", buzzer sounding" : indicator.Muted ? ", buzzer muted by its button" : string.Empty).Append("</span></p>\n");
    }

    /// <summary>
    /// Why a room has no light, in the words a teacher can act on: a sensor warming up says when its
    /// first reading comes; one that fails says what to check; a room whose readings stopped says since when.
    /// </summary>
    private static (string French, string English) Silence(RoomView? view, SensorState? sensor, StatusModel model)
    {
        string Clock(DateTimeOffset at, string separator) => Local(at, model.Zone).ToString($"HH'{separator}'mm", CultureInfo.InvariantCulture);
        if (sensor?.State == Sensors.Hardware.Polling.SensorHealth.WarmingUp)
        {
            return sensor.FirstReadingAt is { } first && first > model.Now
                ? ($"Capteur en préchauffage, première mesure vers {Clock(first, " h ")}.", $"Sensor warming up, first reading around {Clock(first, ":")}.")
                : ("Capteur en préchauffage, première mesure dans un instant.", "Sensor warming up, first reading in a moment.");
        }

        var last = view?.At is { } at ? $"Dernière mesure à {Encode(Local(at, model.Zone).ToString("dd/MM HH:mm", CultureInfo.InvariantCulture))}. " : string.Empty;
        var lastEn = view?.At is { } seen ? $"Last reading at {Encode(Local(seen, model.Zone).ToString("dd/MM HH:mm", CultureInfo.InvariantCulture))}. " : string.Empty;
        if (sensor?.State == Sensors.Hardware.Polling.SensorHealth.Failed)
        {
            return ($"{last}Le capteur ne répond pas ; la passerelle réessaie. Vérifiez qu'il est branché.", $"{lastEn}The sensor does not answer; the gateway keeps trying. Check that it is plugged in.");
        }

        return view?.At is null
            ? ("Le capteur n'a encore rien envoyé.", "The sensor has not sent anything yet.")
            : ($"{last}Vérifiez que le capteur est branché.", $"{lastEn}Check that the sensor is plugged in.");
    }

    /// <summary>The last hour as a line over the three bands of the traffic light, with its numbers in words for screen readers.</summary>
    private static void RenderChart(StringBuilder html, RoomView view, StatusModel model)
    {
        var points = view.LastHour;
        if (points.Count < 2)
        {
            return;
        }

        var min = Number(points.Min(p => p.Co2Ppm));
        var max = Number(points.Max(p => p.Co2Ppm));
        // After a restart the board holds only minutes: the chart spans what it has (15 minutes at
        // least), not an hour with a short line squeezed against its right edge.
        var from = points[0].At - TimeSpan.FromMinutes(1);
        var hour = from <= model.Now - TimeSpan.FromMinutes(59);
        if (hour)
        {
            from = model.Now - TimeSpan.FromHours(1);
        }
        else if (model.Now - from < TimeSpan.FromMinutes(15))
        {
            from = model.Now - TimeSpan.FromMinutes(15);
        }

        var since = Local(points[0].At, model.Zone).ToString("HH:mm", CultureInfo.InvariantCulture);
        Charts.Co2Curve(
            html,
            "cap-" + Encode(view.Room),
            [.. points.Select(p => (p.At, p.Co2Ppm))],
            from,
            model.Now,
            model.Levels,
            hour
                ? $"Dernière heure : de {min} à {max} ppm.{PageLook.En($"Last hour: {min} to {max} ppm.")}"
                : $"Depuis {since} : de {min} à {max} ppm.{PageLook.En($"Since {since}: {min} to {max} ppm.")}",
            width: 300,
            height: 80,
            gap: TimeSpan.FromMinutes(10));
    }

    private static void RenderGateway(StringBuilder html, GatewayState state, Co2Levels levels)
    {
        html.Append("<footer><h2>La passerelle <span lang=\"en\" class=\"en\">The gateway</span></h2>\n<dl class=\"gateway\">\n");
        Item(html, "Nom", "Name", Encode(state.GatewayId), true);
        Item(html, "En marche depuis", "Running for", Duration(state.Uptime), true);
        Item(html, "Horloge", "Clock", state.ClockSynchronised ? "à l'heure <span lang=\"en\" class=\"en\">synchronised</span>" : "pas encore à l'heure : les mesures attendent <span lang=\"en\" class=\"en\">not synchronised yet: readings wait</span>", state.ClockSynchronised);
        Item(html, "Base de données", "Database", Bilingual(state.Influx), state.InfluxOk);
        Item(html, "Messages MQTT", "MQTT messages", Bilingual(state.Mqtt), state.MqttOk);
        foreach (var problem in state.SourceProblems ?? [])
        {
            Item(html, "Source bloquée", "Source stuck", Bilingual((problem.DetailFr, problem.Detail)), false);
        }
        var waiting = state.JournalPending == 0
            ? "aucune <span lang=\"en\" class=\"en\">none</span>"
            : state.JournalPending.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '\u202F') + (state.OldestWaiting is { } age ? $", la plus ancienne depuis {Duration(age)} <span lang=\"en\" class=\"en\">oldest waiting for {Duration(age)}</span>" : string.Empty);
        Item(html, "Mesures en attente d'envoi", "Readings waiting to be sent", waiting, state.JournalPending < 100_000);
        if (state.Dropped > 0 || state.DeadLetters > 0)
        {
            Item(html, "Mesures perdues / refusées", "Readings dropped / refused", $"{state.Dropped} / {state.DeadLetters}", false);
        }

        html.Append("</dl>\n<p class=\"rule\">").Append(PageLook.Rule(levels)).Append("</p>\n</footer>\n");
    }

    private static void Item(StringBuilder html, string french, string english, string value, bool ok) =>
        html.Append("<div class=\"").Append(ok ? "ok" : "warn").Append("\"><dt>").Append(french).Append(" <span lang=\"en\" class=\"en\">").Append(english).Append("</span></dt><dd>")
            .Append(ok ? string.Empty : "⚠ ").Append(value).Append("</dd></div>\n");

    private static string Bilingual((string French, string English) text) =>
        $"{Encode(text.French)} <span lang=\"en\" class=\"en\">{Encode(text.English)}</span>";

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} j {span.Hours} h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
        : $"{Math.Max(0, (int)span.TotalSeconds)} s";

    private static string Number(double value) => PageLook.Number(value);

    private static DateTime Local(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    private static string Encode(string text) => PageLook.Encode(text);
}
