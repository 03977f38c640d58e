using System.Reflection;
using System.Text.Json.Nodes;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Tests.Deploy;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>
/// How the settings are read, as an operator editing /etc/sensors/gateway.json meets it: every
/// unknown key and every bad value, down to the items of a list, named with its path, the values
/// allowed and a "did you mean"; JSON that is broken said with its line and column; a stray
/// SENSORS_ environment variable a warning, not a refusal. The hostile cases are generated from
/// the options types themselves, so a new setting is covered the day it is added.
/// </summary>
public sealed class SettingsBinderTests : IDisposable
{
    private readonly TempFolder _folder = new("binder");

    private string Write(string json)
    {
        var path = _folder.File($"gateway-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private (int Code, string Output, string Errors) Check(string json)
    {
        var path = Write(json);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = ConfigCommands.Check(GatewaySettings.Load(path), path, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public void ConfigCheck_NamesBadValuesAndMisspeltKeys_InsideSubscriptions_InsteadOfDroppingThem()
    {
        var (code, output, errors) = Check("""
            {
              "Mqtt": {
                "Subscriptions": [
                  { "Topic": "city/bins/+/fill", "Qos": "AtLeastOnc", "Measurement": "bin_fill", "Fields": { "fill_pct": "$.fill" } },
                  { "Topic": "application/+/device/+/event/up", "Format": "LoRaWAM" },
                  { "Topik": "city/lamps/+/power", "Format": "Number", "Measurement": "lamp", "Field": "power_w" }
                ]
              }
            }
            """);

        Assert.Equal(ExitCodes.Configuration, code);
        Assert.DoesNotContain("no problem found", output, StringComparison.Ordinal);
        Assert.Contains("✗ Mqtt:Subscriptions:0:Qos = 'AtLeastOnc': expected AtMostOnce, AtLeastOnce or ExactlyOnce; did you mean AtLeastOnce?", errors, StringComparison.Ordinal);
        Assert.Contains("✗ Mqtt:Subscriptions:1:Format = 'LoRaWAM': expected Json, Number, LoRaWan or Pickups; did you mean LoRaWan?", errors, StringComparison.Ordinal);
        Assert.Contains("✗ Mqtt:Subscriptions:2:Topik: unknown key; did you mean Mqtt:Subscriptions:2:Topic? Known keys: Topic, Qos, Format, Measurement, Tags, Fields, Field, Timestamp.", errors, StringComparison.Ordinal);
        // What follows from these (no Topic, the Fields of the format fallen back to) is not said on top.
        Assert.Contains("3 problem(s)", errors, StringComparison.Ordinal);
    }

    /// <summary>Every scalar setting of every section, given a value of no type, in one file.</summary>
    [Fact]
    public void EveryScalarSetting_GivenAWrongValue_IsNamedWithItsPath_AndTheCountsAddUp()
    {
        var root = new JsonObject();
        var expected = new List<string>();
        foreach (var (section, type) in GatewaySettings.Sections)
        {
            var node = new JsonObject();
            foreach (var property in Settable(type).Where(p => Scalar(p.PropertyType) is { } t && t != typeof(string)))
            {
                node[property.Name] = "☃ 12 o'clock";
                expected.Add($"{section}:{property.Name} = '☃ 12 o'clock': expected ");
            }

            root[section] = node;
        }

        var settings = GatewaySettings.Load(Write(root.ToJsonString()));

        Assert.True(expected.Count >= 45, $"only {expected.Count} scalar settings found: the walk over the options types broke");
        foreach (var line in expected)
        {
            Assert.Contains(settings.Errors, e => e.StartsWith(line, StringComparison.Ordinal));
        }

        // One error per bad value, none lost, none doubled; nothing else complains (the defaults stand).
        Assert.Equal(expected.Count, settings.Errors.Count(e => e.Contains("= '☃ 12 o'clock'", StringComparison.Ordinal)));
        Assert.Equal(expected.Count, settings.Errors.Count);
    }

    /// <summary>Every key of every section, misspelt by one letter: named, with the right key offered.</summary>
    [Fact]
    public void EveryKey_MisspeltByOneLetter_IsNamed_WithTheKeyItMeant()
    {
        var root = new JsonObject();
        var expected = new List<string>();
        foreach (var (section, type) in GatewaySettings.Sections)
        {
            var node = new JsonObject();
            foreach (var property in Settable(type).Where(p => p.Name.Length >= 4))
            {
                var typo = property.Name[..^2] + property.Name[^1] + property.Name[^2]; // the last two letters swapped
                if (typo == property.Name || Settable(type).Any(p => p.Name.Equals(typo, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                node[typo] = string.Empty;
                expected.Add($"{section}:{typo}: unknown key; did you mean {section}:{property.Name}? ");
            }

            root[section] = node;
        }

        var errors = GatewaySettings.Load(Write(root.ToJsonString())).Errors;

        foreach (var line in expected)
        {
            Assert.Contains(errors, e => e.StartsWith(line, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Count, errors.Count);
    }

    [Theory]
    [InlineData("""{ "Http": { "Port": 8080 }, "Influx": { "Url": "http://127.0.0.1:8086" } }""", "Http:Port", "8080")] // the good file: nothing to say
    [InlineData("""{ "Mqtt": { "Subscriptions": "city/#" } }""", "Mqtt:Subscriptions = 'city/#': expected a list, not one value.", null)]
    [InlineData("""{ "Mqtt": { "Subscriptions": { "bins": { "Topic": "city/#" } } } }""", "Mqtt:Subscriptions:bins: Mqtt:Subscriptions is a list: write its items in [ ], not as keys.", null)]
    [InlineData("""{ "Mqtt": { "Tls": true } }""", "Mqtt:Tls = 'True': expected an object with keys such as ", null)]
    [InlineData("""{ "Mqtt": { "Port": { "Number": 1883 } } }""", "Mqtt:Port: expected a whole number, not a list or an object.", null)]
    [InlineData("""{ "Mqtt": { "Tls": { "CaFil": "/etc/ssl/ca.pem" } } }""", "Mqtt:Tls:CaFil: unknown key; did you mean Mqtt:Tls:CaFile?", null)]
    [InlineData("""{ "Mqtt": { "ReceiveMaximum": 70000 } }""", "Mqtt:ReceiveMaximum = '70000': expected a whole number from 0 to 65535.", null)]
    [InlineData("""{ "Influx": { "Url": "127.0.0.1:8086:x" } }""", "Influx:Url = '127.0.0.1:8086:x': expected an absolute address such as http://127.0.0.1:8086.", null)]
    [InlineData("""{ "Influx": { "Api": "V3" } }""", "Influx:Api = 'V3': expected V1 or V2.", null)]
    [InlineData("""{ "Clock": { "NotBefore": "yesterday" } }""", "Clock:NotBefore = 'yesterday': expected a date such as 2024-01-01T00:00:00Z.", null)]
    [InlineData("""{ "Pipeline": { "FlushInterval": "5s" } }""", "Pipeline:FlushInterval = '5s': expected a duration as hh:mm:ss, e.g. 00:00:10 for ten seconds.", null)]
    [InlineData("""{ "Influx": { "Url": "http://h:8086", "Database": "sensors", "MaxRetries": 3 }, "Mqtt": { "Qos": 1 } }""", "Mqtt:Qos: unknown key; ", null)]
    public void EachMisshapenValue_IsOneErrorNamingItsPath(string json, string error, string? good)
    {
        var settings = GatewaySettings.Load(Write(json));
        if (good is not null)
        {
            Assert.Empty(settings.Errors);
            Assert.Equal(int.Parse(good, System.Globalization.CultureInfo.InvariantCulture), settings.Http.Port);
            return;
        }

        Assert.Equal(error, Assert.Single(settings.Errors)[..Math.Min(error.Length, settings.Errors[0].Length)]);
    }

    /// <summary>Broken JSON of several kinds: each said with the line and column where it breaks, and that line.</summary>
    [Theory]
    [InlineData("{\n  \"Influx\": {\n    \"Url\": \"http://h:8086\"\n    \"Database\": \"sensors\"\n  }\n}", 4, "\"Database\": \"sensors\"")] // a missing comma
    [InlineData("{\n  \"Influx\": {\n    \"Url\": \"http://h:8086\",\n", 4, "")] // cut short
    [InlineData("{\n  \"Http\": { \"Port\": 80 80 }\n}", 2, "\"Http\": { \"Port\": 80 80 }")] // two values
    [InlineData("{\n  'Http': { }\n}", 2, "'Http': { }")] // single quotes
    [InlineData("{ \"Http\": { } }\nhttp:\n  port: 80\n", 2, "http:")] // YAML after the object
    [InlineData("{\n  \"Influx\": { \"Url\": \"http://h:8086\" },,\n}", 2, "\"Influx\": { \"Url\": \"http://h:8086\" },,")] // two commas
    public void BrokenJson_IsSaidWithItsLineAndColumn(string json, int line, string shown)
    {
        var path = Write(json);
        var error = Assert.Single(GatewaySettings.Load(path).Errors);

        Assert.StartsWith($"{path}, line {line}, column ", error, StringComparison.Ordinal);
        Assert.Contains(": not valid JSON: ", error, StringComparison.Ordinal);
        Assert.EndsWith($"The line: {shown}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigCheck_AndRun_TakeAStrayEnvironmentVariable_AsAWarning_NotARefusal()
    {
        var path = Write($$"""{ "Journal": { "Directory": "{{_folder.File("journal")}}" }, "Http": { "Enabled": false } }""");
        var environment = new Dictionary<string, string>
        {
            ["SENSORS_VERSION"] = "1.2.3",                 // a packaging script's variable
            ["SENSORS_Influx__Urll"] = "http://h:8086",    // a misspelt key
            ["SENSORS_Clock__Source"] = "Assume",
        };

        var (code, output) = Shell.Run("dotnet", ["exec", GatewayProcess.Dll, "config", "check", "--config", path], environment);

        Assert.Equal(0, code);
        Assert.Contains("⚠ environment variable SENSORS_VERSION (as VERSION): unknown section;", output, StringComparison.Ordinal);
        Assert.Contains("⚠ environment variable SENSORS_Influx__Urll (as Influx:Urll): unknown key; did you mean Influx:Url?", output, StringComparison.Ordinal);
        Assert.Contains("It is ignored; unset it, or correct its name.", output, StringComparison.Ordinal);
        Assert.Contains("no problem found, 2 warning(s) above.", output, StringComparison.Ordinal);

        // The same variable in a file is a refusal: a file is what the operator edits.
        var (fileCode, fileOutput) = Shell.Run("dotnet", ["exec", GatewayProcess.Dll, "config", "check", "--config", Write("""{ "Influx": { "Urll": "http://h:8086" } }""")], new Dictionary<string, string>());
        Assert.Equal(ExitCodes.Configuration, fileCode);
        Assert.Contains("✗ Influx:Urll: unknown key; did you mean Influx:Url?", fileOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAJournalFolderThatCannotBeMade_ExitsWithEX_IOERR_AndSaysWhy()
    {
        var file = _folder.File("not-a-folder");
        File.WriteAllText(file, "a file where the journal's parent folder should be");
        var path = Write($$"""{ "Journal": { "Directory": "{{file}}/journal" }, "Http": { "Enabled": false }, "Hardware": { "Enabled": false }, "Clock": { "Source": "Assume" } }""");

        var (code, output) = Shell.Run("dotnet", ["exec", GatewayProcess.Dll, "run", "--config", path], new Dictionary<string, string>());

        Assert.Equal(ExitCodes.IoError, code);
        Assert.Contains($"The gateway did not start: The journal's folder {file}/journal cannot be created", output, StringComparison.Ordinal);
        Assert.Contains("check Journal:Directory and that the service user may write there", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHost_ValidatesItsOptionsOnStart_WithTheChecksConfigCheckUses()
    {
        var settings = GatewaySettings.Load(Write($$"""{ "Journal": { "Directory": "{{_folder.File("host-journal")}}" }, "Http": { "Enabled": false }, "Hardware": { "Enabled": false }, "Clock": { "Source": "Assume" } }"""));
        Assert.Empty(settings.Errors);

        // Options changed after they were checked (as code that builds a host itself could): the host refuses to start.
        settings.Pipeline.FlushInterval = TimeSpan.Zero;
        settings.Influx.Url = new Uri("ftp://influx.example/");
        using var host = GatewayHost.CreateBuilder(settings).Build();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var failures = OptionsChecks.Failures(error);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Pipeline:FlushInterval = 00:00:00: expected a positive duration", StringComparison.Ordinal));
        Assert.Contains(OptionsChecks.Pipeline.Problems(settings.Pipeline).Single(), failures);
        Assert.Contains(OptionsChecks.Influx.Problems(settings.Influx).Single(), failures);
        Assert.True(OptionsChecks.Pipeline is Microsoft.Extensions.Options.IValidateOptions<Sensors.Pipeline.PipelineOptions>);
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0);

    private static Type? Scalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(TimeSpan) || t == typeof(Uri) || t == typeof(DateTimeOffset) ? t : null;
    }

    public void Dispose() => _folder.Dispose();
}
