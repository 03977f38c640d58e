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
public sealed class ConsoleCity : IAsyncLifetime
{
    public const string Database = "city";

    public static readonly IReadOnlyDictionary<string, (string Name, string[] Roles)> Users = new Dictionary<string, (string, string[])>
    {
        ["marie"] = ("Marie Curie (environnement)", ["environment"]),
        ["paul"] = ("Paul Poubelle (déchets)", ["waste"]),
        ["lucie"] = ("Lucie Lumière (éclairage)", ["lighting"]),
        ["ada"] = ("Ada (service informatique)", ["admin"]),
        ["invite"] = ("Invité sans rôle", []),
    };

    private readonly TempFolder _folder = new("console-city");

    public InfluxServer Influx { get; } = new();

    public OidcProvider Identity { get; private set; } = null!;

    public ConsoleHost Console { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public TimeSpan Seeded { get; private set; }

    public long Points { get; private set; }

    /// <summary>Heartbeats with missing, absurd and hostile fields: each must show as unknown (or as written, escaped), never break a page.</summary>
    public static readonly string[] HostileGatewayIds = ["gw-<script>alert(1)</script>", "gw-\"quoted\" & amp", "gw-vide", "gw-ünïcödé-école"];

    public async Task InitializeAsync()
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
        File.WriteAllText(_folder.File("devices.yaml"), registry);

        var port = FreePort.Next();
        Identity = new OidcProvider([$"https://127.0.0.1:{port}/signin-oidc"], Users);
        File.WriteAllText(_folder.File("client-secret"), OidcProvider.ClientSecret + "\n");
        Console = await ConsoleHost.StartSignedInAsync(_folder, port, Influx, Database, Identity, new Dictionary<string, string>
        {
            ["Oidc:ClientSecret"] = string.Empty,
            ["Oidc:ClientSecretFile"] = _folder.File("client-secret"), // the secret from a file, as deployed
            ["Registry"] = _folder.File("devices.yaml"),
            ["Every"] = "00:01:00",
            ["GatewayServices:gw-dechets"] = "waste",
            ["GatewayServices:gw-eclairage"] = "lighting",
        });
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Testing.Browser.LaunchAsync(Playwright);
    }

    /// <summary>A browser context (every request outside loopback refused, CSP bypassed for axe) signed in as <paramref name="login"/> through the provider's own form.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignInAsync(string login, List<string> elsewhere)
    {
        var context = await Testing.Browser.LocalContextAsync(Browser, elsewhere, bypassCsp: true, ignoreHttpsErrors: true);
        var page = await SignInAsync(context, Console.Url, Identity.Issuer, login);
        elsewhere.Clear(); // the provider's development sign-in page asks for a web font; the console's pages must ask for nothing outside
        return (context, page);
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

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Console.DisposeAsync();
        Identity.Dispose();
        Influx.Dispose();
        _folder.Dispose();
    }
}
