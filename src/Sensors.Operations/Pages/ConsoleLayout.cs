using System.Text;
using Sensors.Look;

namespace Sensors.Operations.Pages;

/// <summary>Who is looking: their name, their roles, and the sign-out form's anti-forgery token.</summary>
public sealed record Viewer(string Name, IReadOnlySet<string> Roles, string CsrfField, string CsrfToken);

/// <summary>
/// The frame of every console page: the portal's look (Sensors.Look) with a few classes of its
/// own, French first with English beside it, a skip link, a menu of what the user's roles may see,
/// who is signed in and a sign-out button (a POST with an anti-forgery token). No script.
/// </summary>
public static class ConsoleLayout
{
    public const string ExtraCss = """
        .state{display:inline-block;padding:.05rem .45rem;border-radius:.4rem;color:#fff;font-weight:700;white-space:nowrap}
        .state.ok{background:var(--green)}.state.warning{background:var(--orange)}.state.critical{background:var(--red)}.state.info,.state.unknown{background:var(--none)}
        .who{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.2rem 0}
        .who form{margin:0}
        button{font:inherit;padding:.2rem .7rem;border:2px solid var(--link);border-radius:.4rem;background:#fff;color:var(--link);cursor:pointer}
        form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}
        form.filters label{display:flex;flex-direction:column;font-size:.95rem}
        select{font:inherit;padding:.15rem .3rem}
        .todo{background:var(--paper);border:1px solid #ccc;border-left:.4rem solid var(--orange);padding:.2rem .8rem;border-radius:.4rem;margin:.5rem 0;list-style:none}
        ul.problems{padding:0;margin:0}li.todo{padding:.4rem .8rem}
        .todo.critical{border-left-color:var(--red)}.todo.info{border-left-color:var(--none)}
        .todo h3{margin:.4rem 0 .2rem}.todo p{margin:.2rem 0}
        fieldset{border:1px solid #bbb;border-radius:.4rem}
        @page{size:A4;margin:15mm}
        @media print{.who,form{display:none}table{font-size:10pt}}
        .counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.6rem}
        td ul{margin:0;padding-left:1rem}
        """;

    private static readonly (string Path, string French, string English, string? Role)[] Menu =
    [
        ("/", "À traiter", "To do", null),
        ("/passerelles", "Passerelles", "Gateways", null),
        ("/capteurs", "Capteurs des classes", "Classroom sensors", "environment"),
        ("/appareils", "Appareils LoRaWAN", "LoRaWAN devices", null),
        ("/eclairage", "Éclairage", "Street lights", "lighting"),
        ("/dechets", "Déchets : levées et tournées", "Waste: lifts and rounds", "waste!"),
        ("/alertes", "Alertes", "Alerts", null),
        ("/etat", "État de la console", "Console status", null),
        ("/journal-des-exports", "Journal des exports", "Export log", "admin!"),
    ];

    /// <summary>Whether the viewer may open a page for <paramref name="role"/>: its own role or admin; "waste!" the role itself only (the billing export and the audit log are no one else's).</summary>
    public static bool MayOpen(Viewer viewer, string? role) => role switch
    {
        null => true,
        _ when role.EndsWith('!') => viewer.Roles.Contains(role[..^1]),
        _ => viewer.Roles.Contains("admin") || viewer.Roles.Contains(role),
    };

    public static string Page(string city, Viewer? viewer, string section, string titleFr, string titleEn, Action<StringBuilder> body)
    {
        var html = new StringBuilder(32 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(PageLook.Encode(titleFr)).Append(" – Console – ").Append(PageLook.Encode(city)).Append("</title>\n");
        html.Append("<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n<body>\n");
        html.Append("<a class=\"skip\" href=\"#contenu\">Aller au contenu").Append(PageLook.En("Skip to content")).Append("</a>\n");
        html.Append("<header><p class=\"site\">").Append(PageLook.Encode(city)).Append(" · Console des services").Append(PageLook.En("Services' console")).Append("</p>\n");
        if (viewer is not null)
        {
            html.Append("<div class=\"who\"><span>Connecté : ").Append(PageLook.Encode(viewer.Name)).Append(" (")
                .Append(viewer.Roles.Count == 0 ? "aucun rôle" : string.Join(", ", viewer.Roles.Order(StringComparer.Ordinal))).Append(")</span>")
                .Append("<form method=\"post\" action=\"/deconnexion\"><input type=\"hidden\" name=\"").Append(PageLook.Encode(viewer.CsrfField)).Append("\" value=\"").Append(PageLook.Encode(viewer.CsrfToken))
                .Append("\"><button type=\"submit\">Se déconnecter").Append(PageLook.En("Sign out")).Append("</button></form></div>\n");
        }

        html.Append("<h1>").Append(PageLook.Encode(titleFr)).Append(PageLook.En(PageLook.Encode(titleEn))).Append("</h1></header>\n");
        if (viewer is not null)
        {
            html.Append("<nav aria-label=\"Menu de la console\"><ul>");
            foreach (var (path, french, english, role) in Menu.Where(m => MayOpen(viewer, m.Role)))
            {
                html.Append("<li><a href=\"").Append(path).Append('"').Append(path == section ? " aria-current=\"page\"" : string.Empty).Append('>').Append(french).Append(PageLook.En(english)).Append("</a></li>");
            }

            html.Append("</ul></nav>\n");
        }

        html.Append("<main id=\"contenu\" tabindex=\"-1\">\n");
        body(html);
        html.Append("</main>\n<footer><p class=\"rule\">Console interne : ces pages ne sont pas publiques et ne sont jamais mises en cache.")
            .Append(PageLook.En("Internal console: these pages are not public and never cached.")).Append("</p></footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string Message(string city, Viewer? viewer, string titleFr, string titleEn, string textFr, string textEn) =>
        Page(city, viewer, string.Empty, titleFr, titleEn, html => html.Append("<p>").Append(textFr).Append(PageLook.En(textEn)).Append("</p>\n"));

    public static string Forbidden(string city, Viewer? viewer) => Message(city, viewer, "Accès refusé", "Access denied",
        "Votre rôle ne donne pas accès à cette page. Demandez le rôle qu'il faut au service informatique de la ville. <a href=\"/\">Retour</a>.",
        "Your role does not open this page. Ask the city's IT service for the role it needs. <a href=\"/\" hreflang=\"fr\">Back</a>.");

    public static string NotFound(string city, Viewer? viewer) => Message(city, viewer, "Page introuvable", "Page not found",
        "Rien à cette adresse. <a href=\"/\">Retour à la console</a>.", "Nothing at this address. <a href=\"/\" hreflang=\"fr\">Back to the console</a>.");

    public static string Unavailable(string city) => Message(city, null, "Données momentanément indisponibles", "Data temporarily unavailable",
        "La base de données de la ville ne répond pas ; la console réessaie. Rechargez dans une minute.", "The city's database does not answer; the console tries again. Reload in a minute.");

    public static string Failed(string city) => Message(city, null, "Erreur de la console", "Console error",
        "Cette page n'a pas pu être construite à cause d'une erreur de la console, qui est enregistrée.", "This page could not be built because of an error in the console, which is logged.");

    public static string IdentityDown(string city) => Message(city, null, "Connexion impossible pour l'instant", "Cannot sign in right now",
        "Le service d'identification de la ville ne répond pas. La console ne peut pas vous connecter tant qu'il est indisponible. <a href=\"/\">Réessayer</a>.",
        "The city's identity provider does not answer. The console cannot sign you in until it is back. <a href=\"/\" hreflang=\"fr\">Try again</a>.");

    public static string SignInFailed(string city, string reason) => Message(city, null, "Connexion refusée", "Sign-in refused",
        $"Le service d'identification n'a pas validé la connexion ({PageLook.Encode(reason)}). <a href=\"/\">Réessayer</a>.",
        $"The identity provider did not complete the sign-in ({PageLook.Encode(reason)}). <a href=\"/\" hreflang=\"fr\">Try again</a>.");

    public static string SignedOut(string city) => Message(city, null, "Vous êtes déconnecté", "You are signed out",
        "<a href=\"/\">Se reconnecter</a>.", "<a href=\"/\" hreflang=\"fr\">Sign in again</a>.");
}
