using System.Net;
using Sensors.LoRaWan.Pickups;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>The <c>LoRaWan</c> section: the device registry and the folder of JavaScript codecs.</summary>
public sealed class LoRaWanOptions
{
    public const string Section = "LoRaWan";

    /// <summary>The registry file (firmware-config/registry/devices.yaml; installed: /etc/sensors/registry/devices.yaml).</summary>
    public string? Registry { get; set; }

    /// <summary>The folder of vendor codecs (*.js); empty means "codecs" beside the registry's folder.</summary>
    public string? Codecs { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Registry);

    /// <summary>The codecs folder for a registry file at <paramref name="registryPath"/>.</summary>
    public string CodecsFor(string registryPath, string baseFolder) =>
        string.IsNullOrWhiteSpace(Codecs)
            ? Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(registryPath)!)!, "codecs")
            : Path.GetFullPath(Codecs, baseFolder);
}

/// <summary>The <c>Pickups</c> section: how bin chip ids are pseudonymised, and what one lift is.</summary>
public sealed class PickupOptions
{
    public const string Section = "Pickups";

    /// <summary>A file holding the HMAC key (e.g. /etc/sensors/secrets/pickup-key, or a systemd credential); wins over <see cref="Key"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The HMAC key itself, e.g. from the environment (SENSORS_Pickups__Key); hex, or text of 16 characters or more.</summary>
    public string? Key { get; set; }

    /// <summary>Which key this is, written as the <c>key_version</c> tag of every pickup: change it with the key (2026, then 2027), so that billing knows which key made each pseudonym.</summary>
    public string KeyVersion { get; set; } = Sensors.LoRaWan.Pickups.ChipPseudonymiser.DefaultVersion;

    /// <summary>Reads of one bin by one truck closer than this are one lift.</summary>
    public TimeSpan LiftWindow { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Validate(bool needed)
    {
        if (LiftWindow <= TimeSpan.Zero || LiftWindow > TimeSpan.FromHours(1))
        {
            yield return $"Pickups:LiftWindow = {LiftWindow}: expected a duration from 00:00:01 to 01:00:00, e.g. 00:01:00 (reads of one bin closer than this are one lift).";
        }

        if (!ChipPseudonymiser.IsVersion(KeyVersion))
        {
            yield return $"Pickups:KeyVersion = '{KeyVersion}': expected a short name for the key (letters, digits, dots, dashes; up to 32), e.g. 2026.";
        }

        if (!needed)
        {
            yield break;
        }

        if (string.IsNullOrEmpty(Key))
        {
            yield return "Pickups:KeyFile is not set: pickups need the key that pseudonymises chip ids. Create one (openssl rand -hex 32 > /etc/sensors/secrets/pickup-key; chmod 640, group sensors) and set Pickups:KeyFile to it.";
        }
        else if (ChipPseudonymiser.ParseKey(Key).Length < ChipPseudonymiser.MinKeyBytes)
        {
            yield return $"Pickups: the key is too short ({ChipPseudonymiser.ParseKey(Key).Length} bytes, at least {ChipPseudonymiser.MinKeyBytes}); generate one with: openssl rand -hex 32.";
        }
    }
}

/// <summary>
/// The <c>Webhook</c> section: uplinks pushed over HTTP by ChirpStack's HTTP integration or a
/// The Things Stack webhook, answered 2xx only once committed, so the server's retries cover a
/// gateway restart.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhook";

    public bool Enabled { get; set; }

    /// <summary>Where the network server reaches the gateway: loopback when it runs on the same machine, else the LAN address (behind a TLS proxy when it crosses an untrusted network).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8090;

    /// <summary>The header that carries the shared secret; set the same header and value in the network server.</summary>
    public string Header { get; set; } = "X-Sensors-Secret";

    public string? Secret { get; set; }

    /// <summary>A file holding the secret; wins over <see cref="Secret"/>.</summary>
    public string? SecretFile { get; set; }

    /// <summary>Bodies larger than this are refused with 413; an uplink is a few kilobytes.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            yield return $"Webhook:Address = '{Address}': expected an IP address to listen on, e.g. 127.0.0.1 (network server on this machine) or 0.0.0.0.";
        }

        if (Port is < 1 or > 65535)
        {
            yield return $"Webhook:Port = {Port}: expected a TCP port from 1 to 65535, e.g. 8090.";
        }

        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
        {
            yield return "Webhook: no shared secret, or shorter than 16 characters. Create one (openssl rand -hex 24 > /etc/sensors/secrets/webhook-secret) and set Webhook:SecretFile; give the network server the same value in the header " + Header + ".";
        }

        if (MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return $"Webhook:MaxBodyBytes = {MaxBodyBytes}: expected 1024 to 67108864.";
        }
    }
}
