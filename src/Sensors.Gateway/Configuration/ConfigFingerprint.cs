using System.Security.Cryptography;
using System.Text;

namespace Sensors.Gateway.Configuration;

/// <summary>
/// A short hash of the configuration a gateway runs with: every effective setting (secrets by
/// their key only, never their value), the site file, the device registry and the codecs' files,
/// read again at each report (a site file edited on the Pi shows). Two gateways with the same
/// hash run the same configuration; the console shows a fleet's drift by it.
/// </summary>
public static class ConfigFingerprint
{
    private static readonly string[] SecretWords = ["password", "token", "secret", "key"];

    public static string Of(GatewaySettings settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in Microsoft.Extensions.Configuration.ConfigurationExtensions.AsEnumerable(settings.Configuration).Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var secret = SecretWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase)) && !key.EndsWith("File", StringComparison.OrdinalIgnoreCase);
            hash.AppendData(Encoding.UTF8.GetBytes($"{key}={(secret ? "(set)" : value)}\n"));
        }

        foreach (var path in Files(settings))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n--- {Path.GetFileName(path)}\n"));
            try
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                hash.AppendData("(unreadable)"u8);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static IEnumerable<string> Files(GatewaySettings settings)
    {
        foreach (var path in new[] { settings.SitePath, settings.RegistryPath })
        {
            if (path is not null && File.Exists(path))
            {
                yield return path;
            }
        }

        if (settings.CodecsPath is { } codecs && Directory.Exists(codecs))
        {
            foreach (var file in Directory.EnumerateFiles(codecs, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return file;
            }
        }
    }
}
