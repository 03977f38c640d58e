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
        Assert.Equal(["SCD41", "SCD30", "BME280", "MH-Z19B", "S8", "SCD40", "AM103"], site.Rooms.SelectMany(r => r.Sensors).Select(s => s.Model).Distinct());
        Assert.Equal(["leds", "lcd", "strip"], site.Rooms.Select(r => r.Indicator?.Kind).OfType<string>());
    }

    [Fact]
    public void UnknownKey_GivesLineColumnAndTheKnownKeys()
    {
        var error = Assert.Single(Errors("site: s\nrooms:\n  - id: a\n    volum_m3: 10\n"));
        Assert.Contains("site.yaml:4:5: unknown key 'volum_m3'; expected one of: id, name, volume_m3, pupils, sensors, indicator.", error);
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

    /// <summary>Each wrong indicator is named with its room and the fix; the rest of the file still loads.</summary>
    [Theory]
    [InlineData("{ kind: led, green: 17, orange: 27, red: 22 }", "indicator: kind = 'led': expected leds (three LEDs on GPIO")]
    [InlineData("{ kind: leds, green: 17, orange: 27 }", "indicator: red is missing: the GPIO (BCM) number of the red LED's pin")]
    [InlineData("{ kind: leds, green: 17, orange: 27, red: 40 }", "indicator: red = 40: expected a GPIO (BCM) number from 0 to 27, not the header's pin number")]
    [InlineData("{ kind: leds, green: 17, orange: 17, red: 22 }", "indicator: orange = 17: GPIO17 is already the green of room a")]
    [InlineData("{ kind: leds, green: 17, orange: 27, red: 22, buzzer: -1 }", "indicator: buzzer = -1: expected a GPIO (BCM) number")]
    [InlineData("{ kind: leds, green: 17, orange: 27, red: 22, mute_button: 5 }", "rooms[1] (b): indicator: green = 5: GPIO5 is already the mute_button of room a")]
    [InlineData("{ kind: lcd, bus: /dev/ttyUSB0 }", "indicator: bus '/dev/ttyUSB0': an LCD backpack is on I2C")]
    [InlineData("{ kind: lcd, bus: i2c-1, address: 0x99 }", "indicator: address '0x99': expected an I2C address such as 0x27")]
    [InlineData("{ kind: lcd, bus: i2c-1, address: \"0x62\" }", "indicator: the LCD is at i2c-1 0x62, like sensor 'scd41-a'")]
    [InlineData("{ kind: lcd, bus: i2c-1, buzzer: 23 }", "indicator: an lcd has no LED, buzzer or mute button pins")]
    [InlineData("{ kind: leds, green: 17, orange: 27, red: 22, colour: blue }", "unknown key 'colour'")]
    [InlineData("leds", "site.yaml:")]
    [InlineData("{ kind: strip, spi: spi0, leds: 8 }", "indicator: spi 'spi0': expected the strip's SPI device, e.g. spidev0.0")]
    [InlineData("{ kind: strip, spi: spidev0.0, leds: 0 }", "indicator: leds = 0: expected how many LEDs the strip has, 1 to 300")]
    [InlineData("{ kind: strip, spi: spidev0.0 }", "indicator: leds = : expected how many LEDs the strip has")]
    [InlineData("{ kind: strip, spi: spidev0.0, leds: 8, buzzer: 23 }", "indicator: a strip has no LED, buzzer or mute button pins")]
    public void AWrongIndicator_IsNamedWithItsRoomAndTheFix(string indicator, string expected)
    {
        var errors = Errors($$"""
            site: s
            rooms:
              - id: a
                volume_m3: 100
                indicator: {{indicator}}
                sensors: [{ id: scd41-a, model: SCD41, bus: i2c-1 }]
              - id: b
                volume_m3: 100
                indicator: { kind: leds, green: 5, orange: 6, red: 13 }
                sensors: [{ id: s8-b, model: S8, bus: /dev/ttyUSB0 }]
            """);
        var error = Assert.Single(errors);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void AnIndicatorInARoomWithoutACo2Sensor_WouldHaveNothingToShow()
    {
        var error = Assert.Single(Errors("site: s\nrooms:\n  - id: a\n    volume_m3: 100\n    indicator: { kind: lcd, bus: i2c-1 }\n    sensors: [{ id: bme-a, model: BME280, bus: i2c-1 }]\n"));
        Assert.Contains("rooms[0] (a): indicator: the room has no CO2 sensor", error, StringComparison.Ordinal);
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
