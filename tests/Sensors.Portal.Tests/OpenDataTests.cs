using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>The open-data downloads against the seeded year, and the DCAT-AP catalogue through the JSON-LD reference implementation.</summary>
[Collection("seeded city")]
public sealed class OpenDataTests(SeededCity city)
{
    /// <summary>A Thursday about seven months back: older than raw's 90 days, so from the hourly roll-ups only.</summary>
    private DateTime OldThursday => city.LocalNow.Date.AddDays(-203);

    [Fact]
    public void AirQualityHourly_Csv_GivesTheRollUpsOfAnOldDay_AsComputedByHand()
    {
        var day = OldThursday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rows = Csv(city.Get($"/donnees/qualite-air-classes-horaire.csv?du={day}&au={day}"));
        Assert.Equal(["time", "site", "room", "co2_ppm", "co2_ppm_min", "co2_ppm_max", "samples", "samples_above_1000", "samples_above_1700", "temperature_c", "humidity_pct", "pressure_hpa"], rows[0]);
        Assert.Equal(24 * 4, rows.Count - 1);
        string[] Row(string room, int hour)
        {
            var utc = new DateTimeOffset(OldThursday.AddHours(hour), CitySeed.Paris.GetUtcOffset(OldThursday.AddHours(hour))).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            return Assert.Single(rows, r => r[0] == utc && r[2] == room);
        }

        // CM2 09:00–10:00, in lessons: 60 readings at 1800.
        Assert.Equal(["ecole-test", "cm2", "1800", "1800", "1800", "60", "60", "60", "20.5", "45", ""], Row("cm2", 9)[1..]); // no barometer in this school: no pressure
        // CE1 09:00–10:00: 15 min at 1000 then 15 at 1200, twice: mean 1100, 30 above 1000, none above 1700.
        Assert.Equal(["1100", "1000", "1200", "60", "30", "0"], Row("ce1", 9)[3..9]);
        // CM1 08:00–09:00: 30 min at 450, then 10 each at 1800, 1300, 700: mean 858.333, 20 above 1000, 10 above 1700.
        Assert.Equal(["858.333", "450", "1800", "60", "20", "10"], Row("cm1", 8)[3..9]);
        // At night every room is at 450 and nothing is above anything.
        Assert.Equal(["450", "450", "450", "60", "0", "0"], Row("cp", 2)[3..9]);
    }

    [Fact]
    public void Pickups_CsvAndJson_CountPerSectorAndDay_AndNameNoHousehold()
    {
        var monday = city.LocalNow.Date.AddDays(-10); // the Monday of the week before last
        var (from, to) = (monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), monday.AddDays(6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var csvText = city.Get($"/donnees/collectes-dechets-secteur-jour.csv?du={from}&au={to}");
        var rows = Csv(csvText);
        Assert.Equal(["date", "sector", "pickups", "weight_kg"], rows[0]);
        // Nord: Monday to Friday, 3 × 12 kg; sud: Tuesday and Friday, 2 × 10 kg; nothing on the weekend.
        Assert.Equal(5, rows.Count(r => r[1] == "nord" && r[2] == "3" && r[3] == "36"));
        Assert.Equal(2, rows.Count(r => r[1] == "sud" && r[2] == "2" && r[3] == "20"));
        Assert.Equal(8, rows.Count);
        Assert.Contains(rows, r => r[0] == monday.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) && r[1] == "sud");

        var jsonText = city.Get($"/donnees/collectes-dechets-secteur-jour.json?du={from}&au={to}");
        using var json = JsonDocument.Parse(jsonText);
        Assert.Equal("collectes-dechets-secteur-jour", json.RootElement.GetProperty("dataset").GetString());
        Assert.StartsWith("https://www.etalab.gouv.fr/", json.RootElement.GetProperty("licence").GetString(), StringComparison.Ordinal);
        var data = json.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(rows.Count - 1, data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            Assert.Equal(rows[i + 1][0], data[i].GetProperty("date").GetString());
            Assert.Equal(rows[i + 1][1], data[i].GetProperty("sector").GetString());
            Assert.Equal(long.Parse(rows[i + 1][2], CultureInfo.InvariantCulture), data[i].GetProperty("pickups").GetInt64());
            Assert.Equal(double.Parse(rows[i + 1][3], CultureInfo.InvariantCulture), data[i].GetProperty("weight_kg").GetDouble());
        }

        foreach (var household in CitySeed.Households)
        {
            Assert.DoesNotContain(household, csvText, StringComparison.Ordinal);
            Assert.DoesNotContain(household, jsonText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EveryDataset_HasASchemaMatchingItsColumns_AndBadPeriodsAreExplained()
    {
        foreach (var dataset in Sensors.Portal.OpenData.Datasets.All)
        {
            using var schema = JsonDocument.Parse(city.Get($"/donnees/{dataset.Id}/schema.json"));
            var names = schema.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToArray();
            Assert.Equal(Csv(city.Get($"/donnees/{dataset.Id}.csv"))[0], names);
            Assert.All(schema.RootElement.GetProperty("fields").EnumerateArray(), f => Assert.Contains(f.GetProperty("type").GetString(), new[] { "string", "number", "integer", "date", "datetime" }));
            Assert.Contains(dataset.Id, city.Get("/donnees"), StringComparison.Ordinal);
        }

        foreach (var query in new[] { "?du=hier", "?du=2026-10-01&au=2026-09-01", "?du=2024-01-01&au=2026-01-01" })
        {
            using var response = await city.Http.GetAsync("/donnees/collectes-dechets-secteur-jour.csv" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var message = await response.Content.ReadAsStringAsync();
            Assert.Contains(query.Contains("hier", StringComparison.Ordinal) ? "AAAA-MM-JJ" : "366 jours au plus", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Catalogue_IsJsonLdThatExpands_WithTheDcatApMandatoryProperties()
    {
        var text = city.Get("/catalogue.jsonld");
        var file = Path.Combine(Path.GetTempPath(), $"catalogue-{Environment.ProcessId}.jsonld");
        File.WriteAllText(file, text);
        var tool = RepoPaths.Of("tests/Sensors.Portal.Tests/jsonld");
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules", "jsonld")), "jsonld.js is not installed: run scripts/test, which installs it (npm install in tests/Sensors.Portal.Tests/jsonld)");
        var node = Process.Start(new ProcessStartInfo("node", [Path.Combine(tool, "expand.mjs"), file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        File.Delete(file);
        Assert.True(node.ExitCode == 0, "jsonld.js refused the catalogue: " + errors);

        const string Dcat = "http://www.w3.org/ns/dcat#", Dct = "http://purl.org/dc/terms/", Foaf = "http://xmlns.com/foaf/0.1/";
        using var expanded = JsonDocument.Parse(await output);
        var catalogue = Assert.Single(expanded.RootElement.EnumerateArray());
        Assert.Equal(Dcat + "Catalog", catalogue.GetProperty("@type")[0].GetString());
        foreach (var property in new[] { Dct + "title", Dct + "description", Dct + "publisher", Dcat + "dataset" })
        {
            Assert.True(catalogue.TryGetProperty(property, out _), $"the catalogue lacks {property}");
        }

        Assert.True(catalogue.GetProperty(Dct + "publisher")[0].TryGetProperty(Foaf + "name", out _), "the publisher has no foaf:name");
        Assert.Contains(catalogue.GetProperty(Dct + "title").EnumerateArray(), t => t.GetProperty("@language").GetString() == "fr");
        var datasets = catalogue.GetProperty(Dcat + "dataset").EnumerateArray().ToList();
        Assert.Equal(Sensors.Portal.OpenData.Datasets.All.Count, datasets.Count);
        foreach (var dataset in datasets)
        {
            Assert.Equal(Dcat + "Dataset", dataset.GetProperty("@type")[0].GetString());
            Assert.True(dataset.TryGetProperty(Dct + "title", out _) && dataset.TryGetProperty(Dct + "description", out _), "a dataset lacks its title or description");
            var distributions = dataset.GetProperty(Dcat + "distribution").EnumerateArray().ToList();
            Assert.Equal(2, distributions.Count);
            foreach (var distribution in distributions)
            {
                var access = distribution.GetProperty(Dcat + "accessURL")[0].GetProperty("@id").GetString()!;
                var download = distribution.GetProperty(Dcat + "downloadURL")[0].GetProperty("@id").GetString()!;
                Assert.StartsWith(city.Url.ToString().TrimEnd('/'), access, StringComparison.Ordinal);
                Assert.True(distribution.TryGetProperty(Dct + "license", out _), "a distribution has no licence");
                // What the catalogue points at is there.
                using var response = await city.Http.GetAsync(new Uri(download).PathAndQuery);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
    }

    /// <summary>RFC 4180 CSV as rows of fields (quoted fields with commas and doubled quotes).</summary>
    private static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ',' && !quoted)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }
}
