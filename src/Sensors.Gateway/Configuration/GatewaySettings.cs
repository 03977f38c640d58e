using Sensors.Gateway.Sites;
using Sensors.Gateway.Status;
using Sensors.Gateway.Sources.Simulation;
using Sensors.Gateway.Sources.Mqtt;
using Sensors.Gateway.Sources.Hardware;
using Sensors.Pipeline;
using Sensors.Sites;
using Microsoft.Extensions.Configuration;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Health;
using Sensors.Gateway.Sources.LoRaWan;
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
public sealed class GatewaySettings
{
    public const string EnvironmentPrefix = "SENSORS_";

    /// <summary>Every section the gateway binds, and the options type it binds onto.</summary>
    public static readonly IReadOnlyList<(string Section, Type Options)> Sections =
    [
        (GatewayOptions.Section, typeof(GatewayOptions)), (SiteOptions.Section, typeof(SiteOptions)), (InfluxOptions.Section, typeof(InfluxOptions)),
        (MqttSourceOptions.Section, typeof(MqttSourceOptions)), (JournalOptions.Section, typeof(JournalOptions)), (PipelineOptions.Section, typeof(PipelineOptions)),
        (SimulationOptions.Section, typeof(SimulationOptions)), (ClockOptions.Section, typeof(ClockOptions)), (HttpOptions.Section, typeof(HttpOptions)),
        (StatusPageOptions.Section, typeof(StatusPageOptions)), (HardwareOptions.Section, typeof(HardwareOptions)), (LoRaWanOptions.Section, typeof(LoRaWanOptions)),
        (PickupOptions.Section, typeof(PickupOptions)), (WebhookOptions.Section, typeof(WebhookOptions)),
    ];

    private static readonly string[] KnownSections = ["Logging", .. Sections.Select(s => s.Section)];

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
    public required HardwareOptions Hardware { get; init; }
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

    /// <summary>What the gateway ignores but an operator should know: a stray SENSORS_… environment variable.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

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
        else if (configPath is not null && JsonSyntaxProblem(configPath) is { } syntax)
        {
            errors.Add(syntax);
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

        var binder = new SettingsBinder(configuration);
        binder.CheckSections(KnownSections);
        var gateway = binder.Bind<GatewayOptions>(GatewayOptions.Section);
        var influx = binder.Bind<InfluxOptions>(InfluxOptions.Section);
        var pipeline = binder.Bind<PipelineOptions>(PipelineOptions.Section);
        var simulation = binder.Bind<SimulationOptions>(SimulationOptions.Section);
        var siteOptions = binder.Bind<SiteOptions>(SiteOptions.Section);
        var mqtt = binder.Bind<MqttSourceOptions>(MqttSourceOptions.Section);
        var journal = binder.Bind<JournalOptions>(JournalOptions.Section);
        var clock = binder.Bind<ClockOptions>(ClockOptions.Section);
        var http = binder.Bind<HttpOptions>(HttpOptions.Section);
        var statusPage = binder.Bind<StatusPageOptions>(StatusPageOptions.Section);
        var hardware = binder.Bind<HardwareOptions>(HardwareOptions.Section);
        var lorawan = binder.Bind<LoRaWanOptions>(LoRaWanOptions.Section);
        var pickups = binder.Bind<PickupOptions>(PickupOptions.Section);
        var webhook = binder.Bind<WebhookOptions>(WebhookOptions.Section);
        errors.AddRange(binder.Errors);
        var baseFolder = configPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        journal.Directory = Path.GetFullPath(journal.Directory, baseFolder);

        influx.Password = Secret(influx.PasswordFile, "Influx:PasswordFile", baseFolder, errors) ?? influx.Password;
        influx.Token = Secret(influx.TokenFile, "Influx:TokenFile", baseFolder, errors) ?? influx.Token;
        mqtt.Password = Secret(mqtt.PasswordFile, "Mqtt:PasswordFile", baseFolder, errors) ?? mqtt.Password;
        pickups.Key = Secret(pickups.KeyFile, "Pickups:KeyFile", baseFolder, errors) ?? pickups.Key;
        webhook.Secret = Secret(webhook.SecretFile, "Webhook:SecretFile", baseFolder, errors) ?? webhook.Secret;
        errors.AddRange(pickups.Validate(mqtt.Subscriptions.Any(s => s.Format == PayloadFormat.Pickups)));
        errors.AddRange(OptionsChecks.Webhook.Problems(webhook));
        var (registry, registryPath, codecsPath) = LoadRegistry(lorawan, mqtt, webhook, baseFolder, errors);
        errors.AddRange(OptionsChecks.Influx.Problems(influx));
        errors.AddRange(OptionsChecks.Mqtt.Problems(mqtt).Where(problem => !binder.FollowsFromABindingError(problem)));
        errors.AddRange(OptionsChecks.Journal.Problems(journal));
        errors.AddRange(OptionsChecks.Clock.Problems(clock));
        errors.AddRange(OptionsChecks.Http.Problems(http));
        errors.AddRange(OptionsChecks.StatusPage.Problems(statusPage));
        errors.AddRange(OptionsChecks.Gateway.Problems(gateway));
        errors.AddRange(OptionsChecks.Pipeline.Problems(pipeline));
        errors.AddRange(OptionsChecks.Simulation.Problems(simulation));

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
            Warnings = binder.Warnings,
        };
    }

    /// <summary>
    /// Where the settings file stops being JSON, as the operator's editor counts: "gateway.json,
    /// line 7, column 18: not valid JSON: ',' is an invalid start of a value", then the line itself.
    /// Comments and trailing commas are allowed, as the settings reader allows them.
    /// </summary>
    public static string? JsonSyntaxProblem(string path)
    {
        var text = File.ReadAllText(path);
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text, new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                ? null
                : $"{path}: expected one JSON object {{ \"Section\": {{ \"Key\": value }} }}, not a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.";
        }
        catch (System.Text.Json.JsonException error)
        {
            var line = (int)(error.LineNumber ?? 0);
            var column = (int)(error.BytePositionInLine ?? 0);
            var reason = error.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal) is var p and >= 0 ? p : reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = (cut >= 0 ? reason[..cut] : reason).TrimEnd('.', ' ').Replace("'$'", "the end of the file", StringComparison.Ordinal);
            var lines = text.Split('\n');
            var shown = line < lines.Length ? lines[line].TrimEnd('\r') : string.Empty;
            return $"{path}, line {line + 1}, column {column + 1}: not valid JSON: {reason}. The line: {shown.Trim()}";
        }
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
}
