using Sensors.Core.Sites;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Sensors.Gateway.Clock;
using Sensors.Gateway.Health;
using Sensors.Gateway.LoRaWan;
using Sensors.Influx;
using Sensors.Journal;

namespace Sensors.Gateway.Configuration;

/// <summary>
/// Every setting of a gateway, read and checked once at start. Sources, later ones winning:
/// appsettings.json beside the executable (defaults), the file given with --config, then
/// environment variables prefixed SENSORS_ (SENSORS_Influx__Token=…: double underscore for ':').
/// Problems come back as one line each, naming the key, the value and what is expected, so the
/// service can stop with a message an operator can act on.
/// </summary>
public sealed partial class GatewaySettings
{
    public const string EnvironmentPrefix = "SENSORS_";

    private static readonly string[] KnownSections = ["Logging", GatewayOptions.Section, SiteOptions.Section, InfluxOptions.Section, MqttSourceOptions.Section, JournalOptions.Section, PipelineOptions.Section, SimulationOptions.Section, ClockOptions.Section, HttpOptions.Section, StatusPageOptions.Section, Sources.HardwareOptions.Section, LoRaWanOptions.Section, PickupOptions.Section, WebhookOptions.Section];

    public required IConfigurationRoot Configuration { get; init; }
    public required GatewayOptions Gateway { get; init; }
    public required InfluxOptions Influx { get; init; }
    public required PipelineOptions Pipeline { get; init; }
    public required SimulationOptions Simulation { get; init; }
    public required MqttSourceOptions Mqtt { get; init; }
    public required JournalOptions Journal { get; init; }
    public required ClockOptions Clock { get; init; }
    public required HttpOptions Http { get; init; }
    public required StatusPageOptions StatusPage { get; init; }
    public required Sources.HardwareOptions Hardware { get; init; }
    public required LoRaWanOptions LoRaWan { get; init; }
    public required PickupOptions Pickups { get; init; }
    public required WebhookOptions Webhook { get; init; }

    /// <summary>The device registry as loaded at start (null without LoRaWan:Registry).</summary>
    public required Sensors.LoRaWan.Registry.DeviceRegistry? Registry { get; init; }
    public required string? RegistryPath { get; init; }
    public required string? CodecsPath { get; init; }
    public required SiteFile? Site { get; init; }
    public required string? SitePath { get; init; }
    public required IReadOnlyList<string> Errors { get; init; }

    public bool IsValid => Errors.Count == 0;

    public static IConfigurationRoot BuildConfiguration(string? configPath, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (configPath is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configPath), optional: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    /// <summary>Reads everything; never throws for a bad value, but lists it in <see cref="Errors"/>.</summary>
    public static GatewaySettings Load(string? configPath, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var errors = new List<string>();
        if (configPath is not null && !File.Exists(configPath))
        {
            errors.Add($"--config '{configPath}': no such file. Give the path of the gateway's settings (JSON), e.g. /etc/sensors/gateway.json.");
            configPath = null;
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = BuildConfiguration(configPath, overrides);
        }
        catch (Exception error) when (error is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            errors.Add($"{configPath}: not valid JSON: {(error.InnerException ?? error).Message.ReplaceLineEndings(" ")}");
            configuration = BuildConfiguration(null, overrides);
        }

        foreach (var section in configuration.GetChildren())
        {
            if (!KnownSections.Contains(section.Key, StringComparer.OrdinalIgnoreCase) && !section.Key.StartsWith("DOTNET_", StringComparison.Ordinal))
            {
                errors.Add($"{section.Key}: unknown section; {DidYouMean(section.Key, KnownSections, string.Empty)}Known sections: {string.Join(", ", KnownSections)}.");
            }
        }

        var gateway = Bind<GatewayOptions>(configuration, GatewayOptions.Section, errors);
        var influx = Bind<InfluxOptions>(configuration, InfluxOptions.Section, errors);
        var pipeline = Bind<PipelineOptions>(configuration, PipelineOptions.Section, errors);
        var simulation = Bind<SimulationOptions>(configuration, SimulationOptions.Section, errors);
        var siteOptions = Bind<SiteOptions>(configuration, SiteOptions.Section, errors);
        var mqtt = Bind<MqttSourceOptions>(configuration, MqttSourceOptions.Section, errors);
        var journal = Bind<JournalOptions>(configuration, JournalOptions.Section, errors);
        var clock = Bind<ClockOptions>(configuration, ClockOptions.Section, errors);
        var http = Bind<HttpOptions>(configuration, HttpOptions.Section, errors);
        var statusPage = Bind<StatusPageOptions>(configuration, StatusPageOptions.Section, errors);
        var hardware = Bind<Sources.HardwareOptions>(configuration, Sources.HardwareOptions.Section, errors);
        var lorawan = Bind<LoRaWanOptions>(configuration, LoRaWanOptions.Section, errors);
        var pickups = Bind<PickupOptions>(configuration, PickupOptions.Section, errors);
        var webhook = Bind<WebhookOptions>(configuration, WebhookOptions.Section, errors);
        var baseFolder = configPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        journal.Directory = Path.GetFullPath(journal.Directory, baseFolder);

        influx.Password = Secret(influx.PasswordFile, "Influx:PasswordFile", baseFolder, errors) ?? influx.Password;
        influx.Token = Secret(influx.TokenFile, "Influx:TokenFile", baseFolder, errors) ?? influx.Token;
        mqtt.Password = Secret(mqtt.PasswordFile, "Mqtt:PasswordFile", baseFolder, errors) ?? mqtt.Password;
        pickups.Key = Secret(pickups.KeyFile, "Pickups:KeyFile", baseFolder, errors) ?? pickups.Key;
        webhook.Secret = Secret(webhook.SecretFile, "Webhook:SecretFile", baseFolder, errors) ?? webhook.Secret;
        errors.AddRange(pickups.Validate(mqtt.Subscriptions.Any(s => s.Format == PayloadFormat.Pickups)));
        errors.AddRange(webhook.Validate());
        var (registry, registryPath, codecsPath) = LoadRegistry(lorawan, mqtt, webhook, baseFolder, errors);
        errors.AddRange(influx.Validate());
        errors.AddRange(mqtt.Validate());
        errors.AddRange(journal.Validate());
        errors.AddRange(clock.Validate());
        errors.AddRange(http.Validate());
        errors.AddRange(statusPage.Validate());
        if (gateway.ReportInterval < TimeSpan.Zero)
        {
            errors.Add($"Gateway:ReportInterval = {gateway.ReportInterval}: expected a duration such as 00:01:00, or 00:00:00 to turn the gateway's own measurement off.");
        }
        CheckPipeline(pipeline, errors);
        CheckSimulation(simulation, errors);

        SiteFile? site = null;
        string? sitePath = null;
        if (!string.IsNullOrWhiteSpace(siteOptions.File))
        {
            sitePath = Path.GetFullPath(siteOptions.File, baseFolder);
            var (loaded, siteErrors) = SiteFileLoader.Load(sitePath);
            site = loaded;
            errors.AddRange(siteErrors);
        }
        else if (simulation.Enabled)
        {
            errors.Add("Site:File is empty: the simulation needs a site file with rooms, e.g. firmware-config/sites/ecole-jules-ferry.yaml.");
        }

        return new GatewaySettings
        {
            Configuration = configuration,
            Gateway = gateway,
            Influx = influx,
            Pipeline = pipeline,
            Simulation = simulation,
            Mqtt = mqtt,
            Journal = journal,
            Clock = clock,
            Http = http,
            StatusPage = statusPage,
            Hardware = hardware,
            LoRaWan = lorawan,
            Pickups = pickups,
            Webhook = webhook,
            Registry = registry,
            RegistryPath = registryPath,
            CodecsPath = codecsPath,
            Site = site,
            SitePath = sitePath,
            Errors = errors,
        };
    }

    /// <summary>The device registry, needed by LoRaWAN subscriptions, the webhook and pickups (sectors, trucks).</summary>
    private static (Sensors.LoRaWan.Registry.DeviceRegistry?, string?, string?) LoadRegistry(LoRaWanOptions lorawan, MqttSourceOptions mqtt, WebhookOptions webhook, string baseFolder, List<string> errors)
    {
        if (!lorawan.IsConfigured)
        {
            if (webhook.Enabled || mqtt.Subscriptions.Any(s => s.Format == PayloadFormat.LoRaWan))
            {
                errors.Add("LoRaWan:Registry is not set: LoRaWAN uplinks need the device registry to know which device is which, e.g. /etc/sensors/registry/devices.yaml.");
            }

            return (null, null, null);
        }

        var path = Path.GetFullPath(lorawan.Registry!, baseFolder);
        var codecs = lorawan.CodecsFor(path, baseFolder);
        var (registry, registryErrors) = Sensors.LoRaWan.Registry.DeviceRegistryLoader.Load(path, codecs);
        errors.AddRange(registryErrors);
        return (registry, path, codecs);
    }

    /// <summary>
    /// Binds a section key by key, so that every unknown key (with the nearest known one) and
    /// every value of the wrong form is reported, not only the first.
    /// </summary>
    private static T Bind<T>(IConfiguration configuration, string section, List<string> errors)
        where T : new()
    {
        var options = new T();
        var properties = typeof(T).GetProperties().Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(section).GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{child.Path}: unknown key; {DidYouMean(child.Key, properties.Keys, section + ":")}Known keys: {string.Join(", ", properties.Keys)}.");
                continue;
            }

            try
            {
                if (child.Value is { Length: 0 })
                {
                    continue; // an empty value ("", or [] for a list) keeps the default
                }

                property.SetValue(options, child.Get(property.PropertyType));
            }
            catch (InvalidOperationException error)
            {
                errors.Add(Explain(error, child.Path, child.Value));
            }
        }

        return options;
    }

    /// <summary>The binder's message, turned into "Key = 'value': expected …".</summary>
    private static string Explain(InvalidOperationException error, string key, string? value)
    {
        var convert = ConversionFailure().Match(error.Message);
        if (!convert.Success)
        {
            return $"{key} = '{value}': {error.Message.ReplaceLineEndings(" ")}";
        }

        var type = convert.Groups["type"].Value;
        var expected = type switch
        {
            "System.TimeSpan" => "a duration as hh:mm:ss, e.g. 00:00:10 for ten seconds",
            "System.Uri" => "an address such as http://127.0.0.1:8086",
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" => "a number, with a dot for decimals",
            "System.Boolean" => "true or false",
            "System.DateTimeOffset" => "a date such as 2024-01-01T00:00:00Z",
            _ when Type.GetType(type) is { IsEnum: true } enumType => string.Join(" or ", Enum.GetNames(enumType)),
            _ when type.EndsWith("InfluxApi", StringComparison.Ordinal) => string.Join(" or ", Enum.GetNames<InfluxApi>()),
            _ when type.EndsWith("MqttProtocolVersion", StringComparison.Ordinal) => "V311 or V500",
            _ when type.EndsWith("Precision", StringComparison.Ordinal) => string.Join(" or ", Enum.GetNames<Sensors.Core.Precision>()),
            _ => $"a value of type {type}",
        };
        return $"{key} = '{value}': expected {expected}.";
    }

    /// <summary>"did you mean Influx:Database? " when a known name is at most two edits away, else nothing.</summary>
    private static string DidYouMean(string typed, IEnumerable<string> known, string prefix)
    {
        var nearest = known.MinBy(k => Distance(k.ToLowerInvariant(), typed.ToLowerInvariant()));
        return nearest is not null && Distance(nearest.ToLowerInvariant(), typed.ToLowerInvariant()) <= 2 ? $"did you mean {prefix}{nearest}? " : string.Empty;
    }

    /// <summary>Levenshtein distance, for "did you mean" hints on typos in keys.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// A secret kept in a file (root-only, or a systemd credential under $CREDENTIALS_DIRECTORY):
    /// its content without the final newline. Errors name the file, never the content.
    /// </summary>
    private static string? Secret(string? file, string key, string baseFolder, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        var path = Path.GetFullPath(Environment.ExpandEnvironmentVariables(file), baseFolder);
        try
        {
            var secret = File.ReadAllText(path).TrimEnd('\r', '\n');
            if (secret.Length == 0)
            {
                errors.Add($"{key} = '{path}': the file is empty. Put the secret in it, on one line.");
                return null;
            }

            return secret;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            var why = error switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied: the service user must be able to read it (or pass it with systemd's LoadCredential=)",
                _ => error.Message,
            };
            errors.Add($"{key} = '{path}': cannot read the secret: {why}.");
            return null;
        }
    }

    private static void CheckPipeline(PipelineOptions pipeline, List<string> errors)
    {
        Positive(pipeline.FlushInterval, "Pipeline:FlushInterval", "00:00:05", errors);
        Positive(pipeline.FailurePause, "Pipeline:FailurePause", "00:01:00", errors);
        Positive(pipeline.StatusLogInterval, "Pipeline:StatusLogInterval", "00:15:00", errors);
    }

    private static void CheckSimulation(SimulationOptions simulation, List<string> errors)
    {
        if (!simulation.Enabled)
        {
            return;
        }

        if (simulation.Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Simulation:Interval = {simulation.Interval}: expected at least one second, e.g. 00:00:30.");
        }

        if (simulation.Backfill < TimeSpan.Zero || simulation.Backfill > TimeSpan.FromDays(31))
        {
            errors.Add($"Simulation:Backfill = {simulation.Backfill}: expected between 00:00:00 and 31.00:00:00.");
        }
    }

    private static void Positive(TimeSpan value, string key, string example, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} = {value}: expected a positive duration, e.g. {example}.");
        }
    }

    [GeneratedRegex("Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex ConversionFailure();
}
