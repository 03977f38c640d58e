using System.Text;
using Sensors.Look;

namespace Sensors.Portal.Pages;

/// <summary>
/// The frame of every portal page: French first with English beside it, a skip link, the same
/// navigation everywhere, the shared stylesheet (/style.css, cached), no script, nothing from
/// elsewhere.
/// </summary>
public static class Layout
{
    private static readonly (string Path, string French, string English)[] Menu =
    [
        ("/", "Accueil", "Home"),
        ("/ecoles", "Écoles", "Schools"),
        ("/dechets", "Déchets", "Waste"),
        ("/eclairage", "Éclairage", "Street lights"),
        ("/donnees", "Données ouvertes", "Open data"),
        ("/comment-ca-marche", "Comment ça marche", "How it works"),
    ];

    /// <summary>A whole page around <paramref name="body"/>, which writes the content of main.</summary>
    public static string Page(string city, string section, string titleFr, string titleEn, Action<StringBuilder> body)
    {
        var html = new StringBuilder(24 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");

        html.Append("<title>").Append(PageLook.Encode(titleFr)).Append(" – ").Append(PageLook.Encode(city)).Append("</title>\n");
        html.Append("<link rel=\"stylesheet\" href=\"/style.css\">\n<link rel=\"alternate\" type=\"application/ld+json\" href=\"/catalogue.jsonld\" title=\"Catalogue DCAT-AP\">\n</head>\n<body>\n");
        html.Append("<a class=\"skip\" href=\"#contenu\">Aller au contenu").Append(PageLook.En("Skip to content")).Append("</a>\n");
        html.Append("<header><p class=\"site\">").Append(PageLook.Encode(city)).Append(" · Données de la ville").Append(PageLook.En("City data")).Append("</p>\n");
        html.Append("<h1>").Append(PageLook.Encode(titleFr)).Append(PageLook.En(PageLook.Encode(titleEn))).Append("</h1></header>\n");
        html.Append("<nav aria-label=\"Menu principal\"><ul>");
        foreach (var (path, french, english) in Menu)
        {
            html.Append("<li><a href=\"").Append(path).Append('"').Append(path == section ? " aria-current=\"page\"" : string.Empty).Append('>').Append(french)
                .Append(PageLook.En(english)).Append("</a></li>");
        }

        html.Append("</ul></nav>\n<main id=\"contenu\" tabindex=\"-1\">\n");
        body(html);
        html.Append("</main>\n<footer><p class=\"rule\">Données publiées sous <a href=\"/donnees#licence\">licence ouverte</a>, sans rien qui désigne un foyer. ")
            .Append("Cette page n'utilise ni cookie, ni script, ni service extérieur.")
            .Append(PageLook.En("Data published under an open licence, with nothing that points to a household. This page uses no cookie, no script and no outside service."))
            .Append("</p></footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>
    /// When the figures of a live page were read, and a link that reads them again. The pages do
    /// not reload themselves: a reader (or a screen reader) would lose their place every two minutes.
    /// </summary>
    public static void Freshness(StringBuilder html, string path, DateTimeOffset now, TimeZoneInfo zone)
    {
        var at = TimeZoneInfo.ConvertTime(now, zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        html.Append("<p class=\"fresh\">Mesures lues à ").Append(at).Append(". <a href=\"").Append(path).Append("\">Actualiser</a>")
            .Append(PageLook.En($"Readings as of {at}. <a href=\"{path}\" hreflang=\"fr\">Refresh</a>")).Append("</p>\n");
    }

    /// <summary>
    /// A link to an id's page when every id in it can be routed (<see cref="Sensors.Central.SiteDirectory.IsRoutable"/>),
    /// else its name alone: every link the portal prints answers.
    /// </summary>
    public static string LinkIfRoutable(string path, string text, params string[] ids) =>
        ids.All(Sensors.Central.SiteDirectory.IsRoutable) ? $"<a href=\"{path}\">{PageLook.Encode(text)}</a>" : PageLook.Encode(text);

    /// <summary>A table too wide for a phone scrolls inside its own box, which the keyboard can reach (tabindex) and a screen reader names (region).</summary>
    public static string ScrollBox(string labelFr) => $"<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{PageLook.Encode(labelFr)}\">";

    /// <summary>What a page says when the database does not answer.</summary>
    public static string Unavailable(string city) => Page(city, string.Empty, "Données momentanément indisponibles", "Data temporarily unavailable", html =>
        html.Append("<p>La base de données de la ville ne répond pas. Réessayez dans quelques minutes.").Append(PageLook.En("The city's database does not answer. Try again in a few minutes.")).Append("</p>\n"));

    public static string Failed(string city) => Page(city, string.Empty, "Erreur du portail", "Portal error", html =>
        html.Append("<p>Cette page n'a pas pu être construite à cause d'une erreur du portail, qui est enregistrée. Réessayez plus tard ou <a href=\"/\">revenez à l'accueil</a>.")
            .Append(PageLook.En("This page could not be built because of an error in the portal, which is logged. Try again later or <a href=\"/\">go back home</a>.")).Append("</p>\n"));

    public static string NotFound(string city) => Page(city, string.Empty, "Page introuvable", "Page not found", html =>
        html.Append("<p>Cette page n'existe pas. <a href=\"/\">Retour à l'accueil</a>.").Append(PageLook.En("This page does not exist. <a href=\"/\">Back home</a>.")).Append("</p>\n"));

    /// <summary>
    /// A table of numbers under a chart, folded: the chart's text alternative and its data.
    /// <paramref name="name"/> names its scroll box when the summary is not unique on the page (one table per sector).
    /// </summary>
    public static void Table(StringBuilder html, string summaryFr, string summaryEn, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool open = false, string? name = null)
    {
        html.Append("<details").Append(open ? " open" : string.Empty).Append("><summary>").Append(summaryFr).Append(PageLook.En(summaryEn)).Append("</summary>").Append(ScrollBox(name ?? StripTags(summaryFr))).Append("<table><thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            html.Append("<th scope=\"col\"").Append(i > 0 ? " class=\"n\"" : string.Empty).Append('>').Append(headers[i]).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(i == 0 ? "<th scope=\"row\">" : "<td class=\"n\">").Append(row[i]).Append(i == 0 ? "</th>" : "</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div></details>\n");
    }

    private static string StripTags(string html) => System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", string.Empty);
}
