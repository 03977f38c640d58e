using System.Diagnostics;
using System.Net;
using Microsoft.Playwright;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>
/// A city's fleet (<see cref="FleetScale.City"/>: 100 gateways, 3,000 sensors, 5,000 devices) in a
/// real InfluxDB, with a few hostile heartbeats beside it; a real OpenID provider (npm's
/// oidc-provider) with the services' users; the console over HTTPS; Debian's Chromium.
/// </summary>
public sealed class ConsoleCity() : SignedInWorld("console-city", "city")
{
    protected override IReadOnlyDictionary<string, (string Name, string[] Roles)> Users { get; } = new Dictionary<string, (string, string[])>
    {
        ["marie"] = ("Marie Curie (environnement)", ["environment"]),
        ["paul"] = ("Paul Poubelle (déchets)", ["waste"]),
        ["lucie"] = ("Lucie Lumière (éclairage)", ["lighting"]),
        ["ada"] = ("Ada (service informatique)", ["admin"]),
        ["invite"] = ("Invité sans rôle", []),
    };

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public TimeSpan Seeded { get; private set; }

    public long Points { get; private set; }

    /// <summary>Heartbeats with missing, absurd and hostile fields: each must show as unknown (or as written, escaped), never break a page.</summary>
    public static readonly string[] HostileGatewayIds = ["gw-<script>alert(1)</script>", "gw-\"quoted\" & amp", "gw-vide", "gw-ünïcödé-école"];

    protected override IReadOnlyDictionary<string, string> Seed()
    {
        var watch = Stopwatch.StartNew();
        var (registry, points) = FleetScale.Write(Influx, Database, Now, FleetSize.City);
        FleetData.Write(Influx, Database, [
            $"gateway,gateway_id=gw-<script>alert(1)</script> version=\"<b>1</b>\",config_hash=\"\",report_interval_s=-60i,journal_points=-1i {FleetData.S(Now.AddSeconds(-5))}",
            $"gateway,gateway_id=gw-\"quoted\"\\ &\\ amp soc_temperature_c=1e300,written_bytes_per_day=9223372036854775807i,whatever=\"ignored\" {FleetData.S(Now.AddSeconds(-5))}",
            $"gateway,gateway_id=gw-vide uptime_s=0i {FleetData.S(Now.AddSeconds(-5))}",
            $"gateway,gateway_id=gw-ünïcödé-école clock_synced=false,sources_stuck=2i,sources_stuck_detail=\"mqtt: broker refused (5)\" {FleetData.S(Now.AddSeconds(-5))}",
        ]);
        Points = points + 4;
        Seeded = watch.Elapsed;
        File.WriteAllText(Folder.File("devices.yaml"), registry);
        File.WriteAllText(Folder.File("client-secret"), OidcProvider.ClientSecret + "\n");
        return new Dictionary<string, string>
        {
            ["Oidc:ClientSecret"] = string.Empty,
            ["Oidc:ClientSecretFile"] = Folder.File("client-secret"), // the secret from a file, as deployed
            ["Registry"] = Folder.File("devices.yaml"),
            ["Every"] = "00:01:00",
            ["GatewayServices:gw-dechets"] = "waste",
            ["GatewayServices:gw-eclairage"] = "lighting",
        };
    }

    /// <summary>Opens the console, is sent to the provider, signs in there as <paramref name="login"/> (any password), consents, and lands back on the console.</summary>
    public static async Task<IPage> SignInAsync(IBrowserContext context, Uri console, Uri issuer, string login)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(console.ToString());
        Assert.StartsWith(issuer.ToString().TrimEnd('/'), page.Url, StringComparison.Ordinal); // sent to the provider to sign in
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForLoadStateAsync();
        if (page.Url.StartsWith(issuer.ToString().TrimEnd('/'), StringComparison.Ordinal))
        {
            await page.ClickAsync("button[type=submit]"); // the provider's consent: Continue
        }

        await page.WaitForURLAsync(url => url.StartsWith(console.ToString(), StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>An HttpClient that carries a browser context's cookies (the session), to time pages and send requests a browser would not.</summary>
    public static async Task<HttpClient> ClientAsync(IBrowserContext context, Uri url)
    {
        var cookies = new CookieContainer();
        foreach (var cookie in await context.CookiesAsync([url.ToString()]))
        {
            cookies.Add(url, new System.Net.Cookie(cookie.Name, cookie.Value, "/"));
        }

        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        return new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }
}
