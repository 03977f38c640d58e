using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sensors.Testing;

namespace Sensors.Portal.Tests;

/// <summary>
/// A failure that is the portal's own (here its clock throws, as a bug would) is answered 500
/// with the portal's error page in French and English, never a bare 500 or a stack trace, on
/// pages and downloads alike; the portal goes on answering what does not need it.
/// </summary>
public sealed class ErrorPageTests
{
    [Fact]
    public async Task APortalFault_Is500WithTheErrorPage_AndTheRestStillAnswers()
    {
        using var folder = new TempFolder("portal-fault");
        Directory.CreateDirectory(folder.File("sites"));
        var config = folder.File("portal.json");
        File.WriteAllText(config, $$"""{ "Portal": { "Port": 0, "Sites": "{{folder.File("sites")}}", "CacheFor": "00:00:00", "Rollups": { "Enabled": false }, "Influx": { "Url": "http://127.0.0.1:9" } } }""");
        var (app, errors) = PortalApp.Build(["--config", config], services => services.AddSingleton<TimeProvider>(new BrokenClock()));
        await using var started = app ?? throw new InvalidOperationException(string.Join('\n', errors));
        await started.StartAsync();
        using var http = new HttpClient { BaseAddress = PortalApp.Address(started) };
        foreach (var path in new[] { "/dechets", "/eclairage", "/ecoles", "/donnees/qualite-air-classes-horaire.csv", "/donnees/collectes-dechets-secteur-jour.json?du=2026-01-01&au=2026-01-31" })
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            Assert.Contains("Erreur du portail", body, StringComparison.Ordinal);
            Assert.Contains("error in the portal", body, StringComparison.Ordinal);
            Assert.DoesNotContain("at Sensors.", body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/donnees")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await started.StopAsync();
    }

    [Fact]
    public void WrongDownloadAndRollupSettings_AreEachSaidInOneLine_NamingTheKey()
    {
        using var folder = new TempFolder("portal-settings");
        var config = folder.File("portal.json");
        File.WriteAllText(config, """
            { "Portal": {
                "Downloads": { "CacheMaxBytes": 10, "SettledAfterDays": 0, "CacheFromDays": 9999 },
                "Rollups": { "Every": "00:00:01", "RecheckEvery": "2.00:00:00", "RecheckDays": 1, "BackfillDays": 99999, "PasswordFile": "/nulle/part/secret" } } }
            """);
        var (app, errors) = PortalApp.Build(["--config", config]);
        Assert.Null(app);
        foreach (var key in new[] { "Downloads:CacheMaxBytes = 10", "Downloads:SettledAfterDays = 0", "Downloads:CacheFromDays = 9999", "Rollups:Every = 00:00:01", "Rollups:RecheckEvery = 2.00:00:00", "Rollups:RecheckDays = 1", "Rollups:BackfillDays = 99999", "Rollups:PasswordFile = '/nulle/part/secret': no such file" })
        {
            Assert.Single(errors, e => e.Contains("Portal:" + key, StringComparison.Ordinal));
        }

        // A value of the wrong type is said too, not thrown.
        File.WriteAllText(config, """{ "Portal": { "Rollups": { "Every": "cinq minutes" }, "Downloads": { "CacheMaxBytes": "beaucoup" } } }""");
        var (none, typeErrors) = PortalApp.Build(["--config", config]);
        Assert.Null(none);
        Assert.Contains(typeErrors, e => e.StartsWith("Portal settings:", StringComparison.Ordinal));
    }

    private sealed class BrokenClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException("the clock is broken (a test's fault)");
    }
}
