using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Sensors.Operations.Alerts;
using Sensors.Testing;
using Xunit.Abstractions;

namespace Sensors.Operations.Tests;

/// <summary>
/// A real gateway stops reporting: the console sees it, a real Alertmanager (Debian's) with the
/// shipped configuration e-mails the environment service through an SMTP sink, and the resolved
/// e-mail follows when the gateway comes back. And an Alertmanager that does not answer.
/// </summary>
public sealed class AlertmanagerTests(ITestOutputHelper output) : IDisposable
{
    private readonly InfluxServer _influx = new();
    private readonly SmtpSink _smtp = new();
    private readonly TempFolder _folder = new("alerts");

    /// <summary>deploy/central/alertmanager/alertmanager.yml as shipped, pointed at the sink, with waits of a second instead of minutes.</summary>
    private string ShippedConfig()
    {
        var config = File.ReadAllText(RepoPaths.Of("deploy/central/alertmanager/alertmanager.yml"));
        config = Regex.Replace(config, "smtp_smarthost: .*", $"smtp_smarthost: '127.0.0.1:{_smtp.Port}'");
        config = Regex.Replace(config, "smtp_require_tls: .*", "smtp_require_tls: false");
        config = Regex.Replace(config, "  smtp_auth_.*\n", string.Empty);
        config = Regex.Replace(config, "group_wait: .*", "group_wait: 1s");
        config = Regex.Replace(config, "group_interval: .*", "group_interval: 1s");
        return config.Replace("/etc/prometheus/alertmanager_templates/sensors.tmpl", RepoPaths.Of("deploy/central/alertmanager/sensors.tmpl"), StringComparison.Ordinal);
    }

    private Dictionary<string, string> ConsoleSettings(Uri alertmanager) => new()
    {
        ["Influx:Url"] = _influx.Url.ToString(),
        ["Influx:Database"] = "fleet",
        ["Oidc:Authority"] = "http://127.0.0.1:9",
        ["Oidc:RequireHttpsMetadata"] = "false",
        ["Alertmanager:Url"] = alertmanager.ToString(),
        ["Every"] = "00:00:01",
        ["BaseUrl"] = "https://console.ville.example",
        ["Registry"] = _folder.File("none.yaml"),
    };

    private static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}");
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AGatewayThatStopsReporting_IsMailedToItsService_AndResolvedWhenItComesBack()
    {
        _influx.CreateDatabase("fleet");
        using var alertmanager = new AlertmanagerServer(ShippedConfig());
        await using var console = await ConsoleHost.StartAsync(ConsoleSettings(alertmanager.Url));
        var settings = new GatewaySettingsBuilder("gw-ecole-test")
            .Influx(_influx, "fleet")
            .With("Pipeline", new { FlushInterval = "00:00:00.200" })
            .With("Gateway", new { ReportInterval = "00:00:01" })
            .Build();
        var gateway = new GatewayProcess(settings).Start();
        var sender = console.Services.GetRequiredService<AlertSender>();
        try
        {
            await EventuallyAsync(() => _influx.Count("fleet", "gateway", "uptime_s"), n => n >= 3, TimeSpan.FromSeconds(60), "the gateway's heartbeats in InfluxDB");
            await EventuallyAsync(() => sender.Status, s => s.LastSent is not null || s.Firing == 0, TimeSpan.FromSeconds(10), "the console's first evaluation");
            Assert.DoesNotContain(sender.Firing, a => a.Labels["device"] == "gw-ecole-test");

            gateway.Kill();
            var stopped = Stopwatch.StartNew();
            await EventuallyAsync(() => sender.Firing, f => f.Any(a => a.Labels["rule"] == "gateway_not_reporting" && a.Labels["device"] == "gw-ecole-test"), TimeSpan.FromSeconds(30), "the console firing gateway_not_reporting");
            var detected = stopped.Elapsed;
            var mail = await EventuallyAsync(() => _smtp.Messages().FirstOrDefault(m => m.Contains("gw-ecole-test", StringComparison.Ordinal)), m => m is not null, TimeSpan.FromSeconds(60), "the alert's e-mail");
            var mailed = stopped.Elapsed;
            output.WriteLine($"Gateway reporting every 1 s, not reporting after 3: detected {detected.TotalSeconds:0.0} s after it stopped, e-mail in the sink after {mailed.TotalSeconds:0.0} s.");

            Assert.Contains("To: environnement-capteurs@ville.example", mail, StringComparison.Ordinal);
            Assert.Contains("ALERTE", mail, StringComparison.Ordinal);
            Assert.Contains("gateway_not_reporting", mail, StringComparison.Ordinal);
            Assert.Contains("Passerelle muette", mail, StringComparison.Ordinal);
            Assert.Contains("https://console.ville.example/passerelles/gw-ecole-test", mail, StringComparison.Ordinal);
            Assert.Contains("Gateway not reporting", mail, StringComparison.Ordinal);

            gateway.Dispose();
            gateway = new GatewayProcess(settings).Start();
            var resolved = await EventuallyAsync(() => _smtp.Messages().FirstOrDefault(m => m.Contains("gw-ecole-test", StringComparison.Ordinal) && m.Contains("[RÉSOLU", StringComparison.Ordinal)), m => m is not null, TimeSpan.FromSeconds(90), "the resolved e-mail");
            Assert.Contains("environnement-capteurs@ville.example", resolved, StringComparison.Ordinal);
            Assert.DoesNotContain(sender.Firing, a => a.Labels["device"] == "gw-ecole-test");
        }
        finally
        {
            gateway.Dispose();
        }
    }

    [Fact]
    public async Task AnAlertmanagerThatDoesNotAnswer_IsRetried_AndTheConsoleSaysSo_ThenTheAlertsArrive()
    {
        _influx.CreateDatabase("fleet");
        var port = FreePort.Next();
        FleetData.Write(_influx, [
            $"gateway,gateway_id=gw-silencieuse report_interval_s=60i,version=\"1.0\" {FleetData.S(DateTimeOffset.UtcNow.AddHours(-1))}",
            $"gateway,gateway_id=gw-dechets-silencieuse report_interval_s=60i,version=\"1.0\" {FleetData.S(DateTimeOffset.UtcNow.AddHours(-1))}",
        ]);
        var settings = ConsoleSettings(new Uri($"http://127.0.0.1:{port}/"));
        settings["GatewayServices:gw-dechets"] = "waste";
        await using var console = await ConsoleHost.StartAsync(settings);
        var sender = console.Services.GetRequiredService<AlertSender>();
        var failing = await EventuallyAsync(() => sender.Status, s => s.FailingSince is not null, TimeSpan.FromSeconds(20), "the console saying Alertmanager fails");
        Assert.Contains("127.0.0.1", failing.LastError, StringComparison.Ordinal);
        Assert.Equal(2, failing.Firing);

        using var alertmanager = new AlertmanagerServer(ShippedConfig(), port);
        await EventuallyAsync(() => sender.Status, s => s.FailingSince is null && s.LastSent is not null, TimeSpan.FromSeconds(40), "the alert delivered once Alertmanager answers (backoff of 5, 10, 20 s)");
        var mail = await EventuallyAsync(() => _smtp.Messages().FirstOrDefault(m => m.Contains("gw-silencieuse", StringComparison.Ordinal)), m => m is not null, TimeSpan.FromSeconds(30), "the alert's e-mail");
        Assert.Contains("gateway_not_reporting", mail, StringComparison.Ordinal);
        Assert.Contains("To: environnement-capteurs@ville.example", mail, StringComparison.Ordinal);

        // Each service's alerts to its own address (the shipped routes).
        var waste = await EventuallyAsync(() => _smtp.Messages().FirstOrDefault(m => m.Contains("gw-dechets-silencieuse", StringComparison.Ordinal)), m => m is not null, TimeSpan.FromSeconds(30), "the waste service's e-mail");
        Assert.Contains("To: dechets-capteurs@ville.example", waste, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-dechets-silencieuse", mail, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _influx.Dispose();
        _smtp.Dispose();
        _folder.Dispose();
    }
}
