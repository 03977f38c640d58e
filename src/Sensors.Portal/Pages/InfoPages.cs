using System.Text;
using Sensors.Look;
using Sensors.Portal.OpenData;

namespace Sensors.Portal.Pages;

/// <summary>The pages that change with the code, not the data: how it works, and the open-data list.</summary>
public static class InfoPages
{
    public static string HowItWorks(PortalOptions options) => Layout.Page(options.City, "/comment-ca-marche", "Comment ça marche", "How it works", html =>
    {
        Step(html, "1. Le capteur mesure", "1. The sensor measures",
            "Dans la classe, un petit capteur compte les molécules de dioxyde de carbone (CO<sub>2</sub>) dans l'air, grâce à une lumière infrarouge que ce gaz absorbe. Nous expirons du CO<sub>2</sub> : plus il y en a, plus l'air de la classe a déjà été respiré. Le capteur donne un nombre en ppm (parties par million) : 420 ppm dehors, souvent 1000 ou plus dans une classe fermée.",
            "In the classroom, a small sensor counts the carbon dioxide (CO<sub>2</sub>) molecules in the air, with an infrared light that this gas absorbs. We breathe CO<sub>2</sub> out: the more there is, the more the classroom's air has already been breathed. The sensor gives a number in ppm (parts per million): 420 ppm outside, often 1000 or more in a closed classroom.");
        Step(html, "2. La passerelle de l'école le reçoit", "2. The school's gateway receives it",
            "Un petit ordinateur (un Raspberry Pi) lit le capteur toutes les quelques secondes par un fil. Il vérifie la mesure, note l'heure exacte, et l'écrit aussitôt sur sa carte mémoire : si Internet est coupé, rien n'est perdu, les mesures attendent.",
            "A small computer (a Raspberry Pi) reads the sensor every few seconds over a wire. It checks the reading, notes the exact time and writes it at once to its memory card: if the Internet is down, nothing is lost, the readings wait.");
        Step(html, "3. Les mesures partent vers la ville", "3. The readings travel to the city",
            "Par paquets, la passerelle envoie les mesures à la base de données de la ville. Elle n'efface une mesure de sa carte que quand la base a répondu « bien reçu ». Les capteurs de déchets et de lampadaires passent par une antenne LoRa ; les puces des bacs sont remplacées par un pseudonyme avant de partir.",
            "In batches, the gateway sends the readings to the city's database. It deletes a reading from its card only once the database has answered \"received\". The bin and lamp sensors go through a LoRa antenna; bin chips are replaced by a pseudonym before leaving.");
        Step(html, "4. La base les range et les résume", "4. The database files and sums them up",
            "La base garde chaque mesure pendant 90 jours, et un résumé par heure (moyenne, maximum, temps au-dessus de 1000 et 1700 ppm) pendant dix ans.",
            "The database keeps each reading for 90 days, and a summary per hour (mean, maximum, time above 1000 and 1700 ppm) for ten years.");
        Step(html, "5. Ce portail les montre", "5. This portal shows them",
            $"Quand vous ouvrez la page d'une classe, le portail demande à la base la dernière mesure, la courbe du jour et les mesures des heures de cours de la semaine. La couleur suit une seule règle, la même que sur l'écran de l'école : {PageLook.Rule(options.Levels)}",
            "When you open a classroom's page, the portal asks the database for the last reading, today's curve and the readings of the week's lessons. The colour follows one rule, the same as on the school's screen.");
        Step(html, "6. L'indice de la semaine", "6. The week's index",
            "L'indice de confinement ICONE, celui des contrôles de l'air dans les écoles, regarde seulement les heures de cours : la part du temps entre 1000 et 1700 ppm (f1) et au-dessus de 1700 ppm (f2). ICONE = 2,5 / log(2) × log(1 + f1 + 3 × f2), arrondi : de 0 (air bien renouvelé) à 5 (air extrêmement confiné).",
            "The confinement index ICONE, the one of the air checks in schools, looks at lesson hours only: the share of time between 1000 and 1700 ppm (f1) and above 1700 ppm (f2). ICONE = 2.5 / log(2) × log(1 + f1 + 3 × f2), rounded: from 0 (well-renewed air) to 5 (extremely confined air).");
        Step(html, "7. Tout le monde peut vérifier", "7. Everyone can check",
            "Les mêmes chiffres sont publiés en données ouvertes : vous pouvez les télécharger et refaire les calculs. <a href=\"/donnees\">Les données</a>.",
            "The same figures are published as open data: you can download them and redo the sums. <a href=\"/donnees\">The data</a>.");
    });

    public static string OpenData(PortalOptions options) => Layout.Page(options.City, "/donnees", "Données ouvertes", "Open data", html =>
    {
        html.Append("<p>Chaque jeu de données se télécharge en CSV et en JSON. Par défaut les 30 derniers jours ; ajoutez <code>?du=2026-09-01&amp;au=2026-09-30</code> pour une autre période (366 jours au plus). Le catalogue <a href=\"/catalogue.jsonld\">DCAT-AP (JSON-LD)</a> permet à une plateforme régionale de les moissonner.")
            .Append(PageLook.En("Each dataset downloads as CSV and JSON. By default the last 30 days; add <code>?du=2026-09-01&amp;au=2026-09-30</code> for another period (366 days at most). The <a href=\"/catalogue.jsonld\">DCAT-AP (JSON-LD)</a> catalogue lets a regional platform harvest them.")).Append("</p>\n");
        foreach (var dataset in Datasets.All)
        {
            html.Append("<section class=\"card\" id=\"").Append(dataset.Id).Append("\"><h2>").Append(PageLook.Encode(dataset.TitleFr)).Append(PageLook.En(PageLook.Encode(dataset.TitleEn))).Append("</h2>\n<p>")
                .Append(PageLook.Encode(dataset.DescriptionFr)).Append(PageLook.En(PageLook.Encode(dataset.DescriptionEn))).Append("</p>\n<p><a href=\"/donnees/").Append(dataset.Id).Append(".csv\">CSV</a> · <a href=\"/donnees/")
                .Append(dataset.Id).Append(".json\">JSON</a> · <a href=\"/donnees/").Append(dataset.Id).Append("/schema.json\">schéma").Append(PageLook.En("schema")).Append("</a></p>\n");
            Layout.Table(html, "Les colonnes", "The columns", ["Colonne <span lang=\"en\" class=\"en\">Column</span>", "Type", "Unité <span lang=\"en\" class=\"en\">Unit</span>", "Description"],
                dataset.Fields.Select(f => (IReadOnlyList<string>)[$"<code>{f.Name}</code>", f.Type, f.Unit ?? "—", PageLook.Encode(f.DescriptionFr) + PageLook.En(PageLook.Encode(f.DescriptionEn))]).ToList(), name: $"Les colonnes de « {dataset.TitleFr} »");
            html.Append("</section>\n");
        }

        html.Append("<h2 id=\"licence\">Licence").Append(PageLook.En("Licence")).Append("</h2>\n<p>Les données sont publiées sous <a href=\"").Append(PageLook.Encode(options.Licence.Url)).Append("\">")
            .Append(PageLook.Encode(options.Licence.Name)).Append("</a> par ").Append(PageLook.Encode(options.Publisher.Name)).Append(" (").Append(PageLook.Encode(options.Publisher.Email)).Append("). ")
            .Append("Les levées de bacs ne sont publiées que par secteur : aucun identifiant de bac ou de foyer.")
            .Append(PageLook.En("Bin pickups are published per sector only: no bin or household identifier.")).Append("</p>\n");
    });

    private static void Step(StringBuilder html, string titleFr, string titleEn, string french, string english) =>
        html.Append("<section class=\"card\"><h2>").Append(titleFr).Append(PageLook.En(titleEn)).Append("</h2>\n<p>").Append(french).Append("</p>\n<p lang=\"en\" class=\"en\">").Append(english).Append("</p></section>\n");
}
