using Sensors.Gateway.Sources.Mqtt;
using Sensors.Gateway.Configuration;
using Sensors.Influx;

namespace Sensors.Gateway;

/// <summary>
/// `sensors config check`: reads everything the gateway would read at start (settings file,
/// environment, site file, secret files) and either lists every problem, one line each with the
/// fix, or says in a few lines what the gateway will do. Secrets are never printed: only whether
/// they are set and where from.
/// </summary>
public static class ConfigCommands
{
    public static int Check(GatewaySettings settings, string? configPath, TextWriter output, TextWriter errors)
    {
        foreach (var warning in settings.Warnings)
        {
            errors.WriteLine($"⚠ {warning}");
        }

        if (!settings.IsValid)
        {
            foreach (var error in settings.Errors)
            {
                errors.WriteLine($"✗ {error}");
            }

            errors.WriteLine($"{settings.Errors.Count} problem(s) in {configPath ?? "the settings"}: the gateway would not start. Fix them and run `sensors config check` again.");
            return ExitCodes.Configuration;
        }

        output.WriteLine(settings.Warnings.Count == 0
            ? $"✓ {configPath ?? "default settings"}: no problem found."
            : $"✓ {configPath ?? "default settings"}: no problem found, {settings.Warnings.Count} warning(s) above.");
        output.WriteLine($"  gateway     {settings.Gateway.EffectiveId}");
        output.WriteLine(settings.Site is { } site
            ? $"  site        {site.Site} ({site.Name}): {site.Rooms.Count} room(s), {site.Rooms.Sum(r => r.Sensors.Count)} sensor(s), from {settings.SitePath} (reloaded when edited)"
            : "  site        none (Site:File is empty)");
        output.WriteLine(settings.Influx.IsConfigured
            ? $"  InfluxDB    {new InfluxEndpoint(settings.Influx).Describe()}; credentials: {Credentials(settings.Influx)}"
            : "  InfluxDB    none: readings stay in the journal until Influx:Url is set");
        output.WriteLine(settings.Mqtt.IsConfigured
            ? $"  MQTT        {(settings.Mqtt.Tls is null ? "mqtt" : "mqtts")}://{settings.Mqtt.Host}:{settings.Mqtt.Port}, {settings.Mqtt.Subscriptions.Count} subscription(s): {string.Join(", ", settings.Mqtt.Subscriptions.Select(s => s.Topic))}; password: {Secret(settings.Mqtt.Password, settings.Mqtt.PasswordFile)}"
            : "  MQTT        none (no Mqtt:Subscriptions)");
        if (settings.Registry is { } registry)
        {
            var types = registry.Devices.GroupBy(d => d.TypeName).Select(g => $"{g.Count()} {g.Key}");
            output.WriteLine($"  LoRaWAN     {registry.Count} device(s) ({string.Join(", ", types)}) from {settings.RegistryPath}, codecs in {settings.CodecsPath} (reloaded when edited)");
        }

        if (settings.Webhook.Enabled)
        {
            output.WriteLine($"  uplinks     http://{settings.Webhook.Address}:{settings.Webhook.Port}/chirpstack and /tts; header {settings.Webhook.Header}: {Secret(settings.Webhook.Secret, settings.Webhook.SecretFile)}");
        }

        if (settings.Mqtt.Subscriptions.Any(s => s.Format == PayloadFormat.Pickups))
        {
            output.WriteLine($"  pickups     chip ids pseudonymised (HMAC-SHA256), key {Secret(settings.Pickups.Key, settings.Pickups.KeyFile)}; reads closer than {settings.Pickups.LiftWindow} are one lift");
        }

        output.WriteLine($"  journal     {settings.Journal.Directory}, cap {settings.Journal.MaxBytes / 1024 / 1024} MiB");
        output.WriteLine(settings.Http.Enabled
            ? $"  status page http://{settings.Http.Address}:{settings.Http.Port}/ (also /healthz, /readyz, /metrics)"
            : "  status page off (Http:Enabled is false)");
        output.WriteLine($"  clock       {settings.Clock.Source}; before synchronisation readings are {(settings.Clock.WhenUnsynchronised == Sensors.Pipeline.Clock.UnsynchronisedPolicy.Hold ? "held and re-stamped" : "refused")}");
        if (settings.Simulation.Enabled)
        {
            output.WriteLine($"  simulation  on: one reading per room every {settings.Simulation.Interval} (sensor_model=simulated)");
        }

        return 0;
    }

    private static string Credentials(InfluxOptions influx) =>
        !string.IsNullOrEmpty(influx.Token) ? $"token {Secret(influx.Token, influx.TokenFile)}"
        : !string.IsNullOrEmpty(influx.Username) ? $"user '{influx.Username}', password {Secret(influx.Password, influx.PasswordFile)}"
        : "none";

    private static string Secret(string? value, string? file) =>
        string.IsNullOrEmpty(value) ? "not set" : string.IsNullOrWhiteSpace(file) ? "set (in the settings or the environment)" : $"set (from {file})";
}
