using Sensors.Gateway.Sites;
using Sensors.Sites;
using Sensors.Gateway.Configuration;
using Sensors.Influx;
using Sensors.Testing;

namespace Sensors.Gateway.Tests;

public sealed class GatewaySettingsTests : IDisposable
{
    private readonly TempFolder _folder = new("settings");

    private GatewaySettings Load(string json)
    {
        var path = _folder.File("gateway.json");
        File.WriteAllText(path, json);
        return GatewaySettings.Load(path);
    }

    [Fact]
    public void ExampleSite_WithSimulationAndInflux_IsValid()
    {
        var settings = Load($$"""
            {
              "Site": { "File": "{{RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml")}}" },
              "Influx": { "Url": "http://127.0.0.1:8086", "Database": "sensors" },
              "Simulation": { "Enabled": true, "Interval": "00:00:10" }
            }
            """);

        Assert.Empty(settings.Errors);
        Assert.Equal(new Uri("http://127.0.0.1:8086"), settings.Influx.Url);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Simulation.Interval);
        Assert.Equal(7, settings.Site!.Rooms.Count);
        Assert.Equal(InfluxApi.V1, settings.Influx.Api);
    }

    [Fact]
    public void NoInflux_IsValid_TheGatewayRunsWithoutADatabase() =>
        Assert.Empty(Load("{}").Errors);

    [Fact]
    public void WrongDuration_NamesKeyValueAndExpectedForm()
    {
        var error = Assert.Single(Load("""{ "Pipeline": { "FlushInterval": "5s" } }""").Errors);
        Assert.Equal("Pipeline:FlushInterval = '5s': expected a duration as hh:mm:ss, e.g. 00:00:10 for ten seconds.", error);
    }

    [Fact]
    public void TypoInKey_SuggestsTheRightOne()
    {
        var error = Assert.Single(Load("""{ "Influx": { "Url": "http://h:8086", "Databse": "x" } }""").Errors, e => e.Contains("unknown", StringComparison.Ordinal));
        Assert.StartsWith("Influx:Databse: unknown key; did you mean Influx:Database?", error);
    }

    [Fact]
    public void TypoInSection_SuggestsTheRightOne() =>
        Assert.Contains(Load("""{ "Influxx": { } }""").Errors, e => e.StartsWith("Influxx: unknown section; did you mean Influx?", StringComparison.Ordinal));

    [Fact]
    public void EveryBadValue_IsReported_NotOnlyTheFirst()
    {
        var errors = Load("""{ "Influx": { "Url": "ftp://x", "Api": "V3", "MaxRetries": "many", "Gzip": "yes" } }""").Errors;
        Assert.Contains("Influx:Url = 'ftp://x/': expected an absolute http:// or https:// address, e.g. http://127.0.0.1:8086.", errors);
        Assert.Contains("Influx:Api = 'V3': expected V1 or V2.", errors);
        Assert.Contains("Influx:MaxRetries = 'many': expected a whole number.", errors);
        Assert.Contains("Influx:Gzip = 'yes': expected true or false.", errors);
    }

    [Fact]
    public void V2WithoutToken_SaysWhatIsMissing() =>
        Assert.Contains(
            "Influx:Token is missing: the v2 API needs an API token with write access to the bucket.",
            Load("""{ "Influx": { "Url": "http://h:8086", "Api": "V2", "Org": "ville", "Bucket": "b" } }""").Errors);

    [Fact]
    public void TinyJournal_IsRefused_AndItsFolderIsRelativeToTheConfigurationFile()
    {
        var settings = Load("""{ "Journal": { "MaxBytes": 1000, "Directory": "state/journal" } }""");
        Assert.Contains(settings.Errors, e => e.StartsWith("Journal:MaxBytes = 1000", StringComparison.Ordinal));
        Assert.Equal(_folder.File("state/journal"), settings.Journal.Directory);
    }

    [Fact]
    public void SimulationWithoutSite_SaysWhichFileItNeeds() =>
        Assert.Contains(Load("""{ "Simulation": { "Enabled": true } }""").Errors, e => e.StartsWith("Site:File is empty", StringComparison.Ordinal));

    [Fact]
    public void BrokenJson_IsAClearError()
    {
        var errors = Load("""{ "Influx": { "Url": """).Errors;
        Assert.Contains(errors, e => e.Contains("not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void SitePath_IsRelativeToTheConfigurationFile()
    {
        File.WriteAllText(_folder.File("school.yaml"), File.ReadAllText(RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml")));
        var settings = Load("""{ "Site": { "File": "school.yaml" } }""");
        Assert.Empty(settings.Errors);
        Assert.Equal(_folder.File("school.yaml"), settings.SitePath);
    }

    public void Dispose() => _folder.Dispose();
}

public sealed class SiteFileTests : IDisposable
{
    private readonly TempFolder _folder = new("site");

    private IReadOnlyList<string> Errors(string yaml)
    {
        var path = _folder.File("site.yaml");
        File.WriteAllText(path, yaml);
        return SiteFileLoader.Load(path).Errors;
    }

    [Fact]
    public void ExampleSchool_LoadsWithMixedSensorModels()
    {
        var (site, errors) = SiteFileLoader.Load(RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml"));
        Assert.Empty(errors);
        Assert.Equal("ecole-jules-ferry", site!.Site);
        Assert.Equal(["SCD41", "SCD30", "MH-Z19B", "S8", "SCD40", "AM103"], site.Rooms.SelectMany(r => r.Sensors).Select(s => s.Model).Distinct());
    }

    [Fact]
    public void UnknownKey_GivesLineColumnAndTheKnownKeys()
    {
        var error = Assert.Single(Errors("site: s\nrooms:\n  - id: a\n    volum_m3: 10\n"));
        Assert.Contains("site.yaml:4:5: unknown key 'volum_m3'; expected one of: id, name, volume_m3, pupils, sensors.", error);
    }

    [Fact]
    public void DuplicateRoomsAndBadValues_AreEachNamed()
    {
        var errors = Errors("site: Ecole Ferry\ntimezone: Mars/Olympus\nrooms:\n  - id: a\n    volume_m3: 100\n  - id: a\n    volume_m3: -1\n    pupils: 30\n");
        Assert.Contains(errors, e => e.Contains("site = 'Ecole Ferry': expected an identifier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("timezone = 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rooms[1] (a): id 'a' is used by another room", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rooms[1] (a): volume_m3 = -1", StringComparison.Ordinal));
    }

    [Fact]
    public void NotYaml_IsOneLineWithThePlace()
    {
        var error = Assert.Single(Errors("site: [unclosed\n"));
        Assert.Matches(@"site\.yaml:\d+:\d+: ", error);
        Assert.DoesNotContain('\n', error);
    }

    public void Dispose() => _folder.Dispose();
}
