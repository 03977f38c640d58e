using Sensors.Core;
using System.Globalization;
using System.Text;

namespace Sensors.Look;

/// <summary>
/// The one look of everything people read: the gateway's status page and the public portal.
/// One stylesheet (large type, white text on the three light colours, each at least 4.5:1, a
/// visible keyboard focus, one column on a phone), the traffic-light block with its words in French
/// then English, and the small text helpers every page uses. Pages are plain HTML with no script
/// and nothing from elsewhere.
/// </summary>
public static class PageLook
{
    /// <summary>French first; the English follows in a span marked lang="en" so that screen readers switch voice.</summary>
    public static string En(string english) => $" <span lang=\"en\" class=\"en\">{english}</span>";

    /// <summary>One segment of a link's path (a site or room id as the data holds it: CM2_B, École Maj): percent-encoded, then HTML-encoded.</summary>
    public static string PathSegment(string id) => Encode(Uri.EscapeDataString(id));

    /// <summary>Text made safe inside HTML: &amp; &lt; &gt; and quotes escaped; accented letters stay as they are (UTF-8 pages).</summary>
    public static string Encode(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var safe = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            safe.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return safe.ToString();
    }

    /// <summary>A whole number, as the pages write CO2 levels: 1800.</summary>
    public static string Number(double value) => Math.Round(value, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>A large count with a narrow space between thousands, as French writes it: 12 400.</summary>
    public static string Count(double value) =>
        Math.Round(value, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture).Replace(",", "\u202F", StringComparison.Ordinal);

    /// <summary>One decimal, with a decimal comma.</summary>
    public static string Decimal(double value, string format = "0.0") =>
        value.ToString(format, CultureInfo.InvariantCulture).Replace('.', ',');

    private static readonly string[] DaysFr = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
    private static readonly string[] MonthsFr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    /// <summary>A day as French writes it in a heading: "Mardi 1er décembre" (no year).</summary>
    public static string DayFr(DateOnly day) =>
        char.ToUpperInvariant(DaysFr[(int)day.DayOfWeek][0]) + DaysFr[(int)day.DayOfWeek][1..] + " " + (day.Day == 1 ? "1er" : day.Day.ToString(CultureInfo.InvariantCulture)) + " " + MonthsFr[day.Month - 1];

    /// <summary>The same day in English: "Tuesday 1 December".</summary>
    public static string DayEn(DateOnly day) => day.ToString("dddd d MMMM", CultureInfo.InvariantCulture);

    /// <summary>The light's class name and data-light value: green, orange, red.</summary>
    public static string Name(Co2Light light) => light.ToString().ToLowerInvariant();

    /// <summary>
    /// The traffic light of one room: colour, the CO2 figure, a word and advice a child understands,
    /// in French then English. Never colour alone.
    /// </summary>
    public static void Light(StringBuilder html, double co2Ppm, Co2Levels levels)
    {
        var light = levels.Classify(co2Ppm);
        var (labelFr, labelEn) = Co2Advice.Label(light);
        var (adviceFr, adviceEn) = Co2Advice.Advice(light);
        html.Append("<div class=\"light ").Append(Name(light)).Append("\" role=\"status\"><span class=\"dot\" aria-hidden=\"true\"></span><span class=\"ppm\">")
            .Append(Number(co2Ppm)).Append(" <abbr title=\"parties par million\">ppm</abbr> CO<sub>2</sub></span><strong class=\"label\">")
            .Append(labelFr).Append(En(labelEn)).Append("</strong></div>\n");
        html.Append("<p class=\"advice\">").Append(adviceFr).Append(En(adviceEn)).Append("</p>\n");
    }

    /// <summary>The grey block of a room without a recent reading.</summary>
    public static void NoLight(StringBuilder html, string french, string english)
    {
        html.Append("<div class=\"light none\" role=\"status\"><span class=\"dot\" aria-hidden=\"true\"></span><strong class=\"label\">Pas de mesure récente")
            .Append(En("No recent reading")).Append("</strong></div>\n<p class=\"advice\">").Append(french).Append(En(english)).Append("</p>\n");
    }

    /// <summary>The rule in words, under every page that shows lights.</summary>
    public static string Rule(Co2Levels levels) =>
        $"Vert sous {Number(levels.OrangeFromPpm)} ppm, orange jusqu'à {Number(levels.RedAbovePpm)} ppm, rouge au-delà."
        + En($"Green below {Number(levels.OrangeFromPpm)} ppm, orange up to {Number(levels.RedAbovePpm)} ppm, red above.");

    /// <summary>
    /// The stylesheet. Colours: green #1a7f37, orange #b35900, red #b42318 carry white text (contrast
    /// 5.1, 4.8 and 6.3 to 1); body text #111 on #f3f3f0; secondary text no lighter than #444.
    /// </summary>
    public const string Css = """
        :root{--green:#1a7f37;--orange:#b35900;--red:#b42318;--none:#5c5c5c;--ink:#111;--paper:#fff;--link:#0b4f8a;--bar:#245b8f;--bar2:#7a3e9d}
        *{box-sizing:border-box}
        body{margin:0;font:1.1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#f3f3f0}
        header,main,footer,nav{max-width:72rem;margin:0 auto;padding:.75rem 1rem}
        h1{font-size:1.6rem;margin:.3rem 0}
        h2{font-size:1.3rem;margin:1rem 0 .5rem}
        h3{font-size:1.1rem;margin:.6rem 0 .3rem}
        a{color:var(--link)}
        a:focus-visible,summary:focus-visible,:focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #ffd33d}
        .skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
        .skip:focus{left:.5rem}
        nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
        nav a{font-weight:600}
        nav a[aria-current]{color:var(--ink);text-decoration-thickness:3px}
        .en{color:#444;font-weight:normal;font-size:.9em}
        .en::before{content:"/ "}
        .site{margin:0;color:#333}
        .rooms{list-style:none;margin:0;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr))}
        .room,.card{background:var(--paper);border-radius:.75rem;padding:1rem;border:1px solid #ccc}
        .room h2,.room h3{margin-top:0}
        .light{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem;padding:.6rem .8rem;border-radius:.6rem;color:#fff}
        .light .en{color:#fff}
        .light.green{background:var(--green)}.light.orange{background:var(--orange)}.light.red{background:var(--red)}.light.none{background:var(--none)}
        .dot{width:2.2rem;height:2.2rem;border-radius:50%;background:#fff;border:.35rem solid rgba(0,0,0,.25)}
        .ppm{font-size:1.7rem;font-weight:700}
        .label{font-size:1.15rem}
        .advice{font-weight:600;margin:.6rem 0}
        figure{margin:.4rem 0}svg{width:100%;height:auto;display:block;border:1px solid #bbb;border-radius:.3rem;background:#fff}
        figcaption,.more{font-size:.95rem;color:#333;margin:.2rem 0}
        .band-green{fill:#d8efdd}.band-orange{fill:#fde5c8}.band-red{fill:#f8d3cf}.lesson{fill:#000;fill-opacity:.07}
        .bar{fill:var(--bar)}.bar2{fill:var(--bar2)}.axis{font-size:11px;fill:#333}
        table{border-collapse:collapse;background:var(--paper);margin:.4rem 0;font-size:.95rem}
        th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        details{margin:.3rem 0}summary{cursor:pointer;color:var(--link)}
        .scroll{overflow-x:auto;max-width:100%}
        .fresh{font-size:.95rem;color:#333;margin:.5rem 0 0}
        .index{display:inline-block;min-width:2.4rem;text-align:center;padding:.1rem .5rem;border-radius:.4rem;color:#fff;font-weight:700}
        .index.i0,.index.i1{background:var(--green)}.index.i2,.index.i3{background:var(--orange)}.index.i4,.index.i5{background:var(--red)}
        footer{border-top:2px solid #ccc;margin-top:1rem}
        .gateway{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.4rem 1rem;margin:0}
        .gateway div{padding:.3rem .5rem;border-left:.3rem solid var(--green);background:var(--paper)}
        .gateway div.warn{border-left-color:var(--red)}
        dt{font-weight:600}dd{margin:0}
        .rule{font-size:.95rem;color:#333}
        .day h2{font-size:1.1rem;margin:1rem 0 .3rem}
        @media print{body{background:#fff;font-size:10.5pt}header,main{max-width:none;padding:0}nav,footer,.skip,.noprint,.fresh,.print-link{display:none}.en{font-size:.85em}.days{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}.day{break-inside:avoid}.day figure{margin:0}.day h2{margin:.6rem 0 .2rem}figcaption{font-size:8.5pt}svg{border-color:#999}h1{font-size:15pt}a{color:inherit;text-decoration:none}.index{border:1px solid #000}}
        @media (max-width:30rem){table{font-size:.85rem}th,td{padding:.2rem .3rem}th .en{display:block}th .en::before{content:""}}
        @media (min-width:100rem){body{font-size:1.35rem}}
        """;
}
