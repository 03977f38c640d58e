using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>The console in the test's process, on a free loopback port, with the settings given as command-line keys (Console:Every=00:00:01).</summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConsoleHost(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<ConsoleHost> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var args = new List<string> { "--Console:Port=0", $"--Console:Sites={RepoPaths.Of("firmware-config/sites")}" };
        args.AddRange(settings.Select(p => $"--Console:{p.Key}={p.Value}"));
        var (app, errors) = ConsoleApp.Build([.. args]);
        Assert.True(app is not null, string.Join("\n", errors));
        await app.StartAsync();
        return new ConsoleHost(app) { Url = ConsoleApp.Address(app) };
    }

    /// <summary>
    /// The console as the city runs it, for the browser tests: over HTTPS (a self-signed
    /// certificate in <paramref name="folder"/>), reading <paramref name="database"/>, signing in
    /// with <paramref name="identity"/> (its redirect URI registered for <paramref name="port"/>),
    /// with <paramref name="more"/> settings on top.
    /// </summary>
    public static Task<ConsoleHost> StartSignedInAsync(TempFolder folder, int port, InfluxServer influx, string database, OidcProvider identity, IReadOnlyDictionary<string, string> more)
    {
        var (certificate, key) = SelfSigned(folder);
        var settings = new Dictionary<string, string>
        {
            ["Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Influx:Url"] = influx.Url.ToString(),
            ["Influx:Database"] = database,
            ["Influx:Timeout"] = "00:00:30",
            ["Oidc:Authority"] = identity.Issuer.ToString(),
            ["Oidc:ClientId"] = OidcProvider.ClientId,
            ["Oidc:ClientSecret"] = OidcProvider.ClientSecret,
            ["Oidc:RequireHttpsMetadata"] = "false",
            ["Https:CertificateFile"] = certificate,
            ["Https:KeyFile"] = key,
            ["Waste:AuditLog"] = folder.File("exports.jsonl"),
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return StartAsync(settings);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, as PEM files in <paramref name="folder"/>: the console serves HTTPS with it, so that its Secure cookies are real.</summary>
    public static (string Certificate, string Key) SelfSigned(TempFolder folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(folder.File("console.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(folder.File("console.key"), key.ExportPkcs8PrivateKeyPem());
        return (folder.File("console.crt"), folder.File("console.key"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
