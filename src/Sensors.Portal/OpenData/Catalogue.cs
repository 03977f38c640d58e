using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sensors.Portal.OpenData;

/// <summary>
/// The open-data catalogue in DCAT-AP (the EU application profile of W3C DCAT), as JSON-LD with its
/// context inline, so that a regional open-data platform harvests it without fetching anything
/// else. Mandatory properties: the catalogue's title, description, publisher and datasets; each
/// dataset's title and description; each distribution's access URL; the publisher's name.
/// </summary>
public static class Catalogue
{
    private const string Eu = "http://publications.europa.eu/resource/authority/";

    public static string Write(PortalOptions options, string baseUrl, DateTimeOffset modified)
    {
        var publisher = new JsonObject
        {
            ["@id"] = options.Publisher.Url,
            ["@type"] = "foaf:Agent",
            ["foaf:name"] = options.Publisher.Name,
        };
        var datasets = new JsonArray();
        foreach (var dataset in Datasets.All)
        {
            var page = $"{baseUrl}/donnees#{dataset.Id}";
            var distributions = new JsonArray();
            foreach (var (format, media, fileType) in new[] { ("csv", "text/csv", "CSV"), ("json", "application/json", "JSON") })
            {
                distributions.Add(new JsonObject
                {
                    ["@id"] = $"{baseUrl}/donnees/{dataset.Id}.{format}",
                    ["@type"] = "dcat:Distribution",
                    ["dct:title"] = Texts($"{dataset.TitleFr} ({fileType})", $"{dataset.TitleEn} ({fileType})"),
                    ["dct:description"] = Texts(
                        $"Les 30 derniers jours ; une autre période avec ?du=AAAA-MM-JJ&au=AAAA-MM-JJ (366 jours au plus).",
                        $"The last 30 days; another period with ?du=YYYY-MM-DD&au=YYYY-MM-DD (366 days at most)."),
                    ["dcat:accessURL"] = Ref(page),
                    ["dcat:downloadURL"] = Ref($"{baseUrl}/donnees/{dataset.Id}.{format}"),
                    ["dcat:mediaType"] = Ref($"https://www.iana.org/assignments/media-types/{media}"),
                    ["dct:format"] = Ref($"{Eu}file-type/{fileType}"),
                    ["dct:license"] = Ref(options.Licence.Url),
                    ["dct:conformsTo"] = Ref($"{baseUrl}/donnees/{dataset.Id}/schema.json"),
                });
            }

            datasets.Add(new JsonObject
            {
                ["@id"] = $"{baseUrl}/donnees/{dataset.Id}",
                ["@type"] = "dcat:Dataset",
                ["dct:identifier"] = dataset.Id,
                ["dct:title"] = Texts(dataset.TitleFr, dataset.TitleEn),
                ["dct:description"] = Texts(dataset.DescriptionFr, dataset.DescriptionEn),
                ["dcat:keyword"] = new JsonArray([.. dataset.Keywords.Select(k => (JsonNode)new JsonObject { ["@value"] = k, ["@language"] = "fr" })]),
                ["dcat:theme"] = Ref($"{Eu}data-theme/{dataset.Theme}"),
                ["dct:accrualPeriodicity"] = Ref($"{Eu}frequency/{dataset.Frequency}"),
                ["dct:publisher"] = Ref(options.Publisher.Url),
                ["dcat:contactPoint"] = new JsonObject
                {
                    ["@type"] = "vcard:Organization",
                    ["vcard:fn"] = options.Publisher.Name,
                    ["vcard:hasEmail"] = Ref($"mailto:{options.Publisher.Email}"),
                },
                ["dct:language"] = Ref($"{Eu}language/FRA"),
                ["dcat:landingPage"] = Ref(page),
                ["dct:accessRights"] = Ref($"{Eu}access-right/PUBLIC"),
                ["dcat:distribution"] = distributions,
            });
        }

        var catalogue = new JsonObject
        {
            ["@context"] = new JsonObject
            {
                ["dcat"] = "http://www.w3.org/ns/dcat#",
                ["dct"] = "http://purl.org/dc/terms/",
                ["foaf"] = "http://xmlns.com/foaf/0.1/",
                ["vcard"] = "http://www.w3.org/2006/vcard/ns#",
                ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
            },
            ["@id"] = $"{baseUrl}/catalogue.jsonld",
            ["@type"] = "dcat:Catalog",
            ["dct:title"] = Texts($"Données ouvertes des capteurs – {options.City}", $"Sensor open data – {options.City}"),
            ["dct:description"] = Texts(
                "L'air des classes, la collecte des déchets et l'éclairage public, mesurés par les capteurs de la ville et publiés en agrégats, sans donnée personnelle.",
                "Classroom air, waste collection and street lights, measured by the city's sensors and published as aggregates, with no personal data."),
            ["dct:publisher"] = publisher,
            ["dct:language"] = Ref($"{Eu}language/FRA"),
            ["dct:license"] = Ref(options.Licence.Url),
            ["foaf:homepage"] = Ref($"{baseUrl}/"),
            ["dct:modified"] = new JsonObject { ["@value"] = modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), ["@type"] = "xsd:dateTime" },
            ["dcat:dataset"] = datasets,
        };
        return catalogue.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonObject Ref(string iri) => new() { ["@id"] = iri };

    private static JsonArray Texts(string french, string english) =>
        new(new JsonObject { ["@value"] = french, ["@language"] = "fr" }, new JsonObject { ["@value"] = english, ["@language"] = "en" });
}
