using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sensors.Look;
using Sensors.Operations.Fleet;

namespace Sensors.Operations.Pages;

/// <summary>One column of a console list: its key in the address (?tri=), its heading, its cell (HTML) and what it sorts by.</summary>
public sealed record Column<T>(string Key, string Fr, string En, Func<T, string> Cell, Func<T, IComparable?> Sort, bool Numeric = false);

/// <summary>
/// The console's lists, one way for all: filters by service, site and state (a GET form, so a
/// filtered list is a link to share), sorting by any column (links in the headings, aria-sort on
/// the sorted one), a caption that says how many rows of how many, every row's first cell a
/// header linking to its page.
/// </summary>
public static class ListView
{
    public static readonly (string Value, string Fr, string En)[] States =
    [
        ("critical", "critique", "critical"),
        ("warning", "à surveiller", "warning"),
        ("info", "pour information", "note"),
        ("ok", "en ordre", "ok"),
    ];

    public static readonly Dictionary<string, (string Fr, string En)> ServiceNames = new(StringComparer.Ordinal)
    {
        ["environment"] = ("Environnement", "Environment"),
        ["waste"] = ("Déchets", "Waste"),
        ["lighting"] = ("Éclairage", "Lighting"),
        ["unknown"] = ("Non enregistré", "Unregistered"),
    };

    /// <summary>Rows a list shows at once: a page stays light on a city's 3,000 sensors; the filters narrow it first.</summary>
    public const int PageSize = 200;

    public static string StateBadge(IFleetRow row) => StateBadge(RowState.Of(row));

    public static string StateBadge(string state)
    {
        var (fr, en) = States.FirstOrDefault(s => s.Value == state) is { Value: not null } s ? (s.Fr, s.En) : ("inconnu", "unknown");
        return $"<span class=\"state {state}\">{fr}</span>{PageLook.En(en)}";
    }

    public static void Render<T>(StringBuilder html, string path, IQueryCollection query, IReadOnlyList<T> all, IReadOnlyList<Column<T>> columns, string captionFr, string captionEn, IReadOnlyList<string> services)
        where T : IFleetRow
    {
        string Query(string key) => query[key].ToString();
        var service = services.Contains(Query("service")) ? Query("service") : string.Empty;
        var sites = all.Select(r => r.Site).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var site = sites.Contains(Query("site")) ? Query("site") : string.Empty;
        var state = States.Any(s => s.Value == Query("etat")) ? Query("etat") : string.Empty;
        var sortColumn = columns.FirstOrDefault(c => c.Key == Query("tri"));
        var descending = Query("ordre") == "desc";

        html.Append("<form class=\"filters\" method=\"get\" action=\"").Append(path).Append("\" role=\"search\" aria-label=\"Filtrer la liste\">");
        if (services.Count > 1)
        {
            Select(html, "service", "Service", "Service", service, services.Select(s => (s, ServiceNames.GetValueOrDefault(s).Fr ?? s)));
        }

        Select(html, "site", "Site", "Site", site, sites.Select(s => (s, s)));
        Select(html, "etat", "État", "State", state, States.Select(s => (s.Value, s.Fr)));
        if (sortColumn is not null)
        {
            html.Append("<input type=\"hidden\" name=\"tri\" value=\"").Append(PageLook.Encode(sortColumn.Key)).Append("\"><input type=\"hidden\" name=\"ordre\" value=\"").Append(descending ? "desc" : "asc").Append("\">");
        }

        html.Append("<button type=\"submit\">Filtrer").Append(PageLook.En("Filter")).Append("</button></form>\n");

        IEnumerable<T> rows = all.Where(r => (service.Length == 0 || r.Service == service) && (site.Length == 0 || r.Site == site) && (state.Length == 0 || RowState.Of(r) == state));
        rows = sortColumn is null
            ? rows.OrderByDescending(r => r.Problems.Count == 0 ? 0 : r.Problems.Max(p => p.Rank)).ThenBy(r => r.Site, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal)
            : descending ? rows.OrderByDescending(r => sortColumn.Sort(r), Comparer<IComparable?>.Default) : rows.OrderBy(r => sortColumn.Sort(r), Comparer<IComparable?>.Default);
        var matching = rows.ToList();
        var pages = Math.Max(1, (matching.Count + PageSize - 1) / PageSize);
        var page = int.TryParse(Query("page"), System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked >= 1 && asked <= pages ? asked : 1;
        var shown = matching.Skip((page - 1) * PageSize).Take(PageSize).ToList();

        var range = matching.Count <= PageSize ? $"{matching.Count}" : $"{((page - 1) * PageSize) + 1} à {((page - 1) * PageSize) + shown.Count} des {matching.Count} retenus";
        html.Append(ScrollBox(captionFr)).Append("<table><caption>").Append(captionFr).Append(" : ").Append(range).Append(" sur ").Append(all.Count)
            .Append(PageLook.En($"{captionEn}: {(matching.Count <= PageSize ? $"{matching.Count}" : $"{((page - 1) * PageSize) + 1} to {((page - 1) * PageSize) + shown.Count} of {matching.Count} matching")} of {all.Count}")).Append("</caption><thead><tr>");
        foreach (var column in columns)
        {
            var sorted = sortColumn == column;
            var next = sorted && !descending ? "desc" : "asc";
            var link = new StringBuilder(path).Append("?tri=").Append(column.Key).Append("&ordre=").Append(next);
            foreach (var (key, value) in new[] { ("service", service), ("site", site), ("etat", state) }.Where(p => p.Item2.Length > 0))
            {
                link.Append('&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }

            html.Append("<th scope=\"col\"").Append(column.Numeric ? " class=\"n\"" : string.Empty)
                .Append(sorted ? (descending ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"") : string.Empty)
                .Append("><a href=\"").Append(PageLook.Encode(link.ToString())).Append("\">").Append(column.Fr).Append(PageLook.En(column.En))
                .Append(sorted ? (descending ? " <span aria-hidden=\"true\">▼</span>" : " <span aria-hidden=\"true\">▲</span>") : string.Empty).Append("</a></th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in shown)
        {
            html.Append("<tr>");
            for (var i = 0; i < columns.Count; i++)
            {
                html.Append(i == 0 ? "<th scope=\"row\">" : columns[i].Numeric ? "<td class=\"n\">" : "<td>").Append(columns[i].Cell(row)).Append(i == 0 ? "</th>" : "</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div>\n");
        if (pages > 1)
        {
            html.Append("<nav aria-label=\"Pages de la liste\"><ul>");
            for (var p = 1; p <= pages; p++)
            {
                var link = new StringBuilder(path).Append("?page=").Append(p);
                foreach (var (key, value) in new[] { ("service", service), ("site", site), ("etat", state), ("tri", sortColumn?.Key ?? string.Empty), ("ordre", sortColumn is null ? string.Empty : descending ? "desc" : "asc") }.Where(x => x.Item2.Length > 0))
                {
                    link.Append('&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
                }

                html.Append("<li><a href=\"").Append(PageLook.Encode(link.ToString())).Append('"').Append(p == page ? " aria-current=\"page\"" : string.Empty).Append(">Page ").Append(p).Append("</a></li>");
            }

            html.Append("</ul></nav>\n");
        }

        if (shown.Count == 0)
        {
            html.Append("<p>Rien ne correspond à ces filtres.").Append(PageLook.En("Nothing matches these filters.")).Append("</p>\n");
        }
    }

    public static string ScrollBox(string labelFr) => $"<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{PageLook.Encode(labelFr)}\">";

    private static void Select(StringBuilder html, string name, string fr, string en, string current, IEnumerable<(string Value, string Text)> options)
    {
        html.Append("<label>").Append(fr).Append(PageLook.En(en)).Append("<select name=\"").Append(name).Append("\"><option value=\"\">tous</option>");
        foreach (var (value, text) in options)
        {
            html.Append("<option value=\"").Append(PageLook.Encode(value)).Append('"').Append(value == current ? " selected" : string.Empty).Append('>').Append(PageLook.Encode(text)).Append("</option>");
        }

        html.Append("</select></label>");
    }

    /// <summary>Problems as a list in a cell: what, in French (the English beside).</summary>
    public static string Problems(IFleetRow row) => row.Problems.Count == 0
        ? "—"
        : "<ul>" + string.Concat(row.Problems.OrderByDescending(p => p.Rank).Select(p => $"<li>{PageLook.Encode(p.Fr)}{PageLook.En(PageLook.Encode(p.En))}</li>")) + "</ul>";

    /// <summary>A time as the console writes it: local date and hour, and how long ago.</summary>
    public static string When(DateTimeOffset? at, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (at is not { } value)
        {
            return "inconnu" + PageLook.En("unknown");
        }

        var local = TimeZoneInfo.ConvertTime(value, zone);
        return $"<time datetime=\"{value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{local.ToString("dd/MM HH:mm", CultureInfo.InvariantCulture)}</time> (il y a {Rules.Ago(now - value)})";
    }

    public static string Number(double? value, string format = "0") => value is { } v ? PageLook.Decimal(v, format) : "—";

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "—" : PageLook.Encode(value);
}
