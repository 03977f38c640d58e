using Microsoft.Playwright;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>
/// What every browser test of the console stands on: a real InfluxDB seeded by the test, npm's
/// oidc-provider with the test's users, the console over HTTPS signing in with it, and Debian's
/// Chromium. A subclass writes its data and says its users and settings.
/// </summary>
public abstract class SignedInWorld(string name, string database) : IAsyncLifetime
{
    protected TempFolder Folder { get; } = new(name);

    public string Database => database;

    public InfluxServer Influx { get; } = new();

    public OidcProvider Identity { get; private set; } = null!;

    public ConsoleHost Console { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>login → name and roles at the provider.</summary>
    protected abstract IReadOnlyDictionary<string, (string Name, string[] Roles)> Users { get; }

    /// <summary>Writes the data; returns the console's settings beyond the common ones.</summary>
    protected abstract IReadOnlyDictionary<string, string> Seed();

    public async Task InitializeAsync()
    {
        var settings = Seed();
        var port = FreePort.Next();
        Identity = new OidcProvider([$"https://127.0.0.1:{port}/signin-oidc"], Users);
        Console = await ConsoleHost.StartSignedInAsync(Folder, port, Influx, database, Identity, settings);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Testing.Browser.LaunchAsync(Playwright);
    }

    /// <summary>A browser context (every request outside loopback refused, CSP bypassed for axe) signed in as <paramref name="login"/> through the provider's own form.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignInAsync(string login, List<string> elsewhere)
    {
        var context = await Testing.Browser.LocalContextAsync(Browser, elsewhere, bypassCsp: true, ignoreHttpsErrors: true);
        var page = await ConsoleCity.SignInAsync(context, Console.Url, Identity.Issuer, login);
        elsewhere.Clear(); // the provider's development sign-in page asks for a web font; the console's pages must ask for nothing outside
        return (context, page);
    }

    /// <summary>The same, with an HttpClient carrying the session, for requests a browser would not make.</summary>
    public async Task<(IBrowserContext Context, IPage Page, HttpClient Client)> SignInAsync(string login)
    {
        var (context, page) = await SignInAsync(login, []);
        return (context, page, await ConsoleCity.ClientAsync(context, Console.Url));
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Console.DisposeAsync();
        Identity.Dispose();
        Influx.Dispose();
        Folder.Dispose();
    }
}
