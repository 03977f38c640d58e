using System.Globalization;
using System.Net;
using System.Text;
using Sensors.Core;

namespace Sensors.Gateway.Status;

/// <summary>A classroom on the page: its name from the site file and what the board knows of it.</summary>
public sealed record StatusRoom(string Id, string Name, RoomView? View);

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
    long DeadLetters);

public sealed record StatusModel(string SiteName, IReadOnlyList<StatusRoom> Rooms, GatewayState Gateway, Co2Levels Levels, DateTimeOffset Now, TimeZoneInfo Zone);

/// <summary>
/// The school's status page: one card per classroom with its CO2 as a traffic light (colour, a
/// word and advice in French then English, never colour alone), the last hour as a small SVG
/// chart with a text alternative, and the gateway's state at the bottom. One self-contained HTML
/// document: inline CSS, no script, no font or image from elsewhere, so it works on a school
/// network without internet, on an old phone and on a classroom screen. It refreshes itself
/// every 30 seconds.
/// </summary>
public static class StatusPage
{
    private const double ChartMin = 400;
    private const double ChartMax = 2000;
    private const int ChartWidth = 300;
    private const int ChartHeight = 80;

    public static string Render(StatusModel model)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("""
            <!DOCTYPE html>
            <html lang="fr">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="30">
            """);
        html.Append("<title>Qualité de l'air – ").Append(Encode(model.SiteName)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>Qualité de l'air dans les classes <span lang=\"en\" class=\"en\">Air quality in the classrooms</span></h1>\n<p class=\"site\">")
            .Append(Encode(model.SiteName)).Append(" · mis à jour à ").Append(Encode(Local(model.Now, model.Zone).ToString("HH:mm", CultureInfo.InvariantCulture)))
            .Append(" <span lang=\"en\" class=\"en\">updated at ").Append(Encode(Local(model.Now, model.Zone).ToString("HH:mm", CultureInfo.InvariantCulture))).Append("</span></p></header>\n<main>\n");

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
            var light = model.Levels.Classify(co2);
            var (labelFr, labelEn) = Co2Advice.Label(light);
            var (adviceFr, adviceEn) = Co2Advice.Advice(light);
            var name = light.ToString().ToLowerInvariant();
            html.Append(" data-light=\"").Append(name).Append("\">\n<h2>").Append(Encode(room.Name)).Append("</h2>\n");
            html.Append("<div class=\"light ").Append(name).Append("\" role=\"status\"><span class=\"dot\" aria-hidden=\"true\"></span><span class=\"ppm\">")
                .Append(Number(co2)).Append(" <abbr title=\"parties par million\">ppm</abbr> CO<sub>2</sub></span><strong class=\"label\">")
                .Append(labelFr).Append(" <span lang=\"en\" class=\"en\">").Append(labelEn).Append("</span></strong></div>\n");
            html.Append("<p class=\"advice\">").Append(adviceFr).Append(" <span lang=\"en\" class=\"en\">").Append(adviceEn).Append("</span></p>\n");
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

            html.Append(" · capteur <span lang=\"en\" class=\"en\">sensor</span> ").Append(Encode(view.SensorModel ?? "?")).Append(" (").Append(Encode(view.SensorId ?? "?")).Append(")</p>\n");
        }
        else
        {
            html.Append(" data-light=\"none\">\n<h2>").Append(Encode(room.Name)).Append("</h2>\n");
            html.Append("<div class=\"light none\" role=\"status\"><span class=\"dot\" aria-hidden=\"true\"></span><strong class=\"label\">Pas de mesure récente <span lang=\"en\" class=\"en\">No recent reading</span></strong></div>\n");
            html.Append("<p class=\"advice\">");
            html.Append(view?.At is { } last
                ? $"Dernière mesure à {Encode(Local(last, model.Zone).ToString("dd/MM HH:mm", CultureInfo.InvariantCulture))}. Vérifiez que le capteur est branché. <span lang=\"en\" class=\"en\">Last reading at {Encode(Local(last, model.Zone).ToString("dd/MM HH:mm", CultureInfo.InvariantCulture))}. Check that the sensor is plugged in.</span>"
                : "Le capteur n'a encore rien envoyé. <span lang=\"en\" class=\"en\">The sensor has not sent anything yet.</span>");
            html.Append("</p>\n");
        }

        html.Append("</li>\n");
    }

    /// <summary>The last hour as a line over the three bands of the traffic light, with its numbers in words for screen readers.</summary>
    private static void RenderChart(StringBuilder html, RoomView view, StatusModel model)
    {
        var points = view.LastHour;
        if (points.Count < 2)
        {
            return;
        }

        var start = model.Now - TimeSpan.FromHours(1);
        var min = points.Min(p => p.Co2Ppm);
        var max = points.Max(p => p.Co2Ppm);
        html.Append("<figure><svg viewBox=\"0 0 ").Append(ChartWidth).Append(' ').Append(ChartHeight).Append("\" role=\"img\" aria-labelledby=\"cap-").Append(Encode(view.Room)).Append("\">");
        Band(html, ChartMin, model.Levels.OrangeFromPpm, "band-green");
        Band(html, model.Levels.OrangeFromPpm, model.Levels.RedAbovePpm, "band-orange");
        Band(html, model.Levels.RedAbovePpm, ChartMax, "band-red");
        html.Append("<polyline fill=\"none\" stroke=\"#111\" stroke-width=\"2\" points=\"");
        foreach (var (at, ppm) in points)
        {
            var x = Math.Clamp((at - start).TotalSeconds / 3600.0, 0, 1) * ChartWidth;
            html.Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(Y(ppm).ToString("0.#", CultureInfo.InvariantCulture)).Append(' ');
        }

        html.Append("\"/></svg><figcaption id=\"cap-").Append(Encode(view.Room)).Append("\">Dernière heure : de ").Append(Number(min)).Append(" à ").Append(Number(max))
            .Append(" ppm. <span lang=\"en\" class=\"en\">Last hour: ").Append(Number(min)).Append(" to ").Append(Number(max)).Append(" ppm.</span></figcaption></figure>\n");
    }

    private static void Band(StringBuilder html, double from, double to, string css)
    {
        var top = Y(Math.Min(to, ChartMax));
        var bottom = Y(Math.Max(from, ChartMin));
        html.Append("<rect class=\"").Append(css).Append("\" x=\"0\" width=\"").Append(ChartWidth).Append("\" y=\"").Append(top.ToString("0.#", CultureInfo.InvariantCulture))
            .Append("\" height=\"").Append(Math.Max(0, bottom - top).ToString("0.#", CultureInfo.InvariantCulture)).Append("\"/>");
    }

    private static double Y(double ppm) => ChartHeight - (Math.Clamp(ppm, ChartMin, ChartMax) - ChartMin) / (ChartMax - ChartMin) * ChartHeight;

    private static void RenderGateway(StringBuilder html, GatewayState state, Co2Levels levels)
    {
        html.Append("<footer><h2>La passerelle <span lang=\"en\" class=\"en\">The gateway</span></h2>\n<dl class=\"gateway\">\n");
        Item(html, "Nom", "Name", Encode(state.GatewayId), true);
        Item(html, "En marche depuis", "Running for", Duration(state.Uptime), true);
        Item(html, "Horloge", "Clock", state.ClockSynchronised ? "à l'heure <span lang=\"en\" class=\"en\">synchronised</span>" : "pas encore à l'heure : les mesures attendent <span lang=\"en\" class=\"en\">not synchronised yet: readings wait</span>", state.ClockSynchronised);
        Item(html, "Base de données", "Database", Bilingual(state.Influx), state.InfluxOk);
        Item(html, "Messages MQTT", "MQTT messages", Bilingual(state.Mqtt), state.MqttOk);
        var waiting = state.JournalPending == 0
            ? "aucune <span lang=\"en\" class=\"en\">none</span>"
            : state.JournalPending.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '\u202F') + (state.OldestWaiting is { } age ? $", la plus ancienne depuis {Duration(age)} <span lang=\"en\" class=\"en\">oldest waiting for {Duration(age)}</span>" : string.Empty);
        Item(html, "Mesures en attente d'envoi", "Readings waiting to be sent", waiting, state.JournalPending < 100_000);
        if (state.Dropped > 0 || state.DeadLetters > 0)
        {
            Item(html, "Mesures perdues / refusées", "Readings dropped / refused", $"{state.Dropped} / {state.DeadLetters}", false);
        }

        html.Append("</dl>\n<p class=\"rule\">Vert sous ").Append(Number(levels.OrangeFromPpm)).Append(" ppm, orange jusqu'à ").Append(Number(levels.RedAbovePpm)).Append(" ppm, rouge au-delà. <span lang=\"en\" class=\"en\">Green below ")
            .Append(Number(levels.OrangeFromPpm)).Append(" ppm, orange up to ").Append(Number(levels.RedAbovePpm)).Append(" ppm, red above.</span></p>\n</footer>\n");
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

    private static string Number(double value) => Math.Round(value).ToString("0", CultureInfo.InvariantCulture);

    private static DateTime Local(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Large type, high contrast (WCAG AA: white on each light colour is at least 4.5:1), one column on a phone.</summary>
    private const string Css = """
        :root{--green:#1a7f37;--orange:#b35900;--red:#b42318;--none:#5c5c5c;--ink:#111;--paper:#fff;}
        *{box-sizing:border-box}
        body{margin:0;font:1.1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#f3f3f0}
        header,main,footer{max-width:72rem;margin:0 auto;padding:.75rem 1rem}
        h1{font-size:1.6rem;margin:.3rem 0}
        h2{font-size:1.3rem;margin:0 0 .5rem}
        .en{color:#444;font-weight:normal;font-size:.9em}
        .en::before{content:"/ "}
        .site{margin:0;color:#333}
        .rooms{list-style:none;margin:0;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr))}
        .room{background:var(--paper);border-radius:.75rem;padding:1rem;border:1px solid #ccc}
        .light{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem;padding:.6rem .8rem;border-radius:.6rem;color:#fff}
        .light .en{color:#fff}
        .light.green{background:var(--green)}.light.orange{background:var(--orange)}.light.red{background:var(--red)}.light.none{background:var(--none)}
        .dot{width:2.2rem;height:2.2rem;border-radius:50%;background:#fff;border:.35rem solid rgba(0,0,0,.25)}
        .ppm{font-size:1.7rem;font-weight:700}
        .label{font-size:1.15rem}
        .advice{font-weight:600;margin:.6rem 0}
        figure{margin:.4rem 0}svg{width:100%;height:auto;display:block;border:1px solid #bbb;border-radius:.3rem}
        figcaption,.more{font-size:.95rem;color:#333;margin:.2rem 0}
        .band-green{fill:#d8efdd}.band-orange{fill:#fde5c8}.band-red{fill:#f8d3cf}
        footer{border-top:2px solid #ccc;margin-top:1rem}
        .gateway{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.4rem 1rem;margin:0}
        .gateway div{padding:.3rem .5rem;border-left:.3rem solid var(--green);background:var(--paper)}
        .gateway div.warn{border-left-color:var(--red)}
        dt{font-weight:600}dd{margin:0}
        .rule{font-size:.95rem;color:#333}
        @media (min-width:100rem){body{font-size:1.35rem}}
        """;
}
