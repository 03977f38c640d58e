using Sensors.Gateway.Sites;
using Sensors.Sites;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Configuration;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>`sensors config check`, secrets in files, and the site file reloading without a restart.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private const string SecretToken = "s3cr3t-t0ken-that-must-never-show";
    private readonly TempFolder _folder = new("config");

    private (int Code, string Out, string Err) Check(string json)
    {
        var path = _folder.File("gateway.json");
        File.WriteAllText(path, json);
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = ConfigCommands.Check(GatewaySettings.Load(path), path, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public void Check_ListsEveryProblem_OneLineEach_AndExits78()
    {
        var (code, _, err) = Check("""
            {
              "Http": { "Port": 70000, "Adress": "0.0.0.0" },
              "StatusPage": { "OrangeFromPpm": 1500, "RedAbovePpm": 800 },
              "Clock": { "WhenUnsynchronised": "Drop" },
              "Influx": { "Url": "http://127.0.0.1:8086", "TokenFile": "/nonexistent/influx-token" }
            }
            """);

        Assert.Equal(78, code);
        Assert.Contains("✗ Http:Port = 70000: expected a TCP port from 1 to 65535", err, StringComparison.Ordinal);
        Assert.Contains("✗ Http:Adress: unknown key; did you mean Http:Address?", err, StringComparison.Ordinal);
        Assert.Contains("✗ StatusPage:RedAbovePpm = 800: expected a CO2 level in ppm above OrangeFromPpm (1500)", err, StringComparison.Ordinal);
        Assert.Contains("✗ Clock:WhenUnsynchronised = 'Drop': expected Hold or Refuse.", err, StringComparison.Ordinal);
        Assert.Contains("✗ Influx:TokenFile = '/nonexistent/influx-token': cannot read the secret: no such file.", err, StringComparison.Ordinal);
        Assert.Contains("5 problem(s)", err, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretFromFile_IsUsed_ButNeverPrinted()
    {
        var tokenFile = _folder.File("influx-token");
        File.WriteAllText(tokenFile, SecretToken + "\n");
        var (code, output, err) = Check($$"""{ "Influx": { "Url": "http://127.0.0.1:8086", "Api": "V2", "Org": "city", "Bucket": "sensors", "TokenFile": "{{tokenFile}}" } }""");

        Assert.Equal(0, code);
        Assert.Equal(SecretToken, GatewaySettings.Load(_folder.File("gateway.json")).Influx.Token);
        Assert.Contains($"token set (from {tokenFile})", output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretToken, output + err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableSecretFile_SaysWhatToDo_WithoutItsContent()
    {
        var passwordFile = _folder.File("mqtt-password");
        File.WriteAllText(passwordFile, SecretToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.None);
        if (Environment.UserName == "root")
        {
            return; // root reads anything: the message is checked where permissions bite
        }

        var (code, _, err) = Check($$"""{ "Mqtt": { "PasswordFile": "{{passwordFile}}" } }""");
        Assert.Equal(78, code);
        Assert.Contains("permission denied", err, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretToken, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OnAGoodFile_SaysWhatTheGatewayWillDo()
    {
        var (code, output, _) = Check($$"""
            {
              "Gateway": { "Id": "gw-ecole-jules-ferry" },
              "Site": { "File": "{{RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml")}}" },
              "Http": { "Address": "0.0.0.0", "Port": 8080 }
            }
            """);

        Assert.Equal(0, code);
        Assert.Contains("gw-ecole-jules-ferry", output, StringComparison.Ordinal);
        Assert.Contains("ecole-jules-ferry (École élémentaire Jules Ferry): 7 room(s)", output, StringComparison.Ordinal);
        Assert.Contains("http://0.0.0.0:8080/", output, StringComparison.Ordinal);
        Assert.Contains("InfluxDB    none", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SiteFile_Reloads_WhenEdited_AndABadEditKeepsThePreviousOne()
    {
        var path = _folder.File("site.yaml");
        var original = File.ReadAllText(RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml"));
        File.WriteAllText(path, original);
        var (site, errors) = SiteFileLoader.Load(path);
        Assert.Empty(errors);
        var logs = new ListLogger();
        var provider = new SiteProvider(site, path, logs);
        Assert.False(provider.ReloadIfChanged());

        File.WriteAllText(path, original.Replace("CM1 A", "CM1 A (salle 12)", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.True(provider.ReloadIfChanged());
        Assert.Contains(provider.Current!.Rooms, r => r.Name == "CM1 A (salle 12)");

        File.WriteAllText(path, original.Replace("volume_m3:", "volume_m:", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(10));
        Assert.False(provider.ReloadIfChanged());
        Assert.Contains(provider.Current!.Rooms, r => r.Name == "CM1 A (salle 12)");
        var line = Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains("the previous version stays in use", line, StringComparison.Ordinal);
        Assert.Contains("volume_m", line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private sealed class ListLogger : ILogger<SiteProvider>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
