using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sensors.Portal.OpenData;

/// <summary>
/// How the datasets are written: CSV (RFC 4180, UTF-8, comma, a header line, '.' for decimals),
/// JSON (the rows as objects, with the dataset, period, licence and schema beside them), and each
/// dataset's Table Schema (Frictionless Data) for the columns.
/// </summary>
public static class Formats
{
    public static string Csv(Dataset dataset, IReadOnlyList<object?[]> rows)
    {
        var csv = new StringBuilder(64 + (rows.Count * 80));
        csv.AppendJoin(',', dataset.Fields.Select(f => f.Name)).Append("\r\n");
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    csv.Append(',');
                }

                csv.Append(row[i] switch
                {
                    null => string.Empty,
                    string text => Quote(text),
                    double d => d.ToString("0.###", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    var other => Quote(other.ToString() ?? string.Empty),
                });
            }

            csv.Append("\r\n");
        }

        return csv.ToString();
    }

    public static string Json(Dataset dataset, IReadOnlyList<object?[]> rows, DateOnly from, DateOnly to, PortalOptions options, string baseUrl)
    {
        var data = new JsonArray();
        foreach (var row in rows)
        {
            var item = new JsonObject();
            for (var i = 0; i < row.Length; i++)
            {
                item[dataset.Fields[i].Name] = row[i] switch
                {
                    null => null,
                    string text => JsonValue.Create(text),
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    var other => JsonValue.Create(other.ToString()),
                };
            }

            data.Add(item);
        }

        var document = new JsonObject
        {
            ["dataset"] = dataset.Id,
            ["title"] = dataset.TitleFr,
            ["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["licence"] = options.Licence.Url,
            ["schema"] = $"{baseUrl}/donnees/{dataset.Id}/schema.json",
            ["data"] = data,
        };
        return document.ToJsonString(JsonOptions);
    }

    /// <summary>The dataset's Table Schema: its fields with type, unit and description, in French and English.</summary>
    public static string Schema(Dataset dataset, PortalOptions options)
    {
        var fields = new JsonArray();
        foreach (var field in dataset.Fields)
        {
            var item = new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = field.Type,
                ["title"] = field.DescriptionFr,
                ["description"] = field.DescriptionEn + (field.Unit is null ? string.Empty : $" ({field.Unit})"),
            };
            if (field.Unit is not null)
            {
                item["unit"] = field.Unit;
            }

            if (field.Type == "datetime")
            {
                item["format"] = "default";
            }

            fields.Add(item);
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://specs.frictionlessdata.io/schemas/table-schema.json",
            ["name"] = dataset.Id,
            ["title"] = dataset.TitleFr,
            ["description"] = dataset.DescriptionFr,
            ["licenses"] = new JsonArray(new JsonObject { ["name"] = options.Licence.Name, ["path"] = options.Licence.Url }),
            ["fields"] = fields,
            ["primaryKey"] = new JsonArray([.. dataset.Fields.Take(1 + dataset.GroupTags.Length).Select(f => (JsonNode)JsonValue.Create(f.Name)!)]),
        };
        return schema.ToJsonString(JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
