using Microsoft.Playwright;

namespace Sensors.Testing;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright, for the tests of the pages people read (the
/// gateway's status page, the portal): launched the same way, every request outside this machine
/// refused and listed, screenshots in artifacts/screenshots/.
/// </summary>
public static class Browser
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static string Screenshots => Directory.CreateDirectory(RepoPaths.Of("artifacts/screenshots")).FullName;

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
    });

    /// <summary>A French desktop context in which a request to anywhere but 127.0.0.1 is refused and added to <paramref name="elsewhere"/>.</summary>
    /// <paramref name="ignoreHttpsErrors"/>: the operations console's tests serve HTTPS with a self-signed certificate.
    public static async Task<IBrowserContext> LocalContextAsync(IBrowser browser, List<string> elsewhere, Action? onRequest = null, bool bypassCsp = false, bool ignoreHttpsErrors = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, BypassCSP = bypassCsp, IgnoreHTTPSErrors = ignoreHttpsErrors });
        await context.RouteAsync("**/*", async route =>
        {
            onRequest?.Invoke();
            if (new Uri(route.Request.Url).Host is "127.0.0.1" or "localhost")
            {
                await route.ContinueAsync();
            }
            else
            {
                elsewhere.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        return context;
    }

    /// <summary>What a room's card says, and the colour of its traffic light as the browser paints it.</summary>
    public static async Task<(string Text, string Colour)> RoomAsync(IPage page, string room)
    {
        var card = page.Locator($"#room-{room}");
        return (await card.InnerTextAsync(), await card.Locator(".light").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
    }

    /// <summary>One rule axe-core found broken on a page: its id, how bad (minor, moderate, serious, critical), what it asks, and where.</summary>
    public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
    {
        public override string ToString() => $"{Impact} {Id}: {Help} ({string.Join(", ", Targets.Take(5))}{(Targets.Count > 5 ? ", …" : string.Empty)})";
    }

    /// <summary>
    /// Runs axe-core (tests/Sensors.Testing/axe, installed by scripts/test) on the page as it is, with
    /// every &lt;details&gt; opened first so that the folded tables are checked too. The page's
    /// context must bypass the pages' Content-Security-Policy (<see cref="LocalContextAsync"/> with
    /// bypassCsp), which forbids scripts. Each page's result is appended to artifacts/axe.txt.
    /// </summary>
    public static async Task<IReadOnlyList<AxeViolation>> AxeAsync(IPage page, string name)
    {
        var script = RepoPaths.Of("tests/Sensors.Testing/axe/node_modules/axe-core/axe.min.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"axe-core is not installed at {script}: run scripts/test, which installs it (npm install in tests/Sensors.Testing/axe)");
        }

        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = script });
        var found = await page.EvaluateAsync<System.Text.Json.JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .map(v => ({ id: v.id, impact: v.impact || 'minor', help: v.help, targets: v.nodes.map(n => n.target.join(' ')) }))
            """);
        var violations = found.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("id").GetString()!,
            v.GetProperty("impact").GetString()!,
            v.GetProperty("help").GetString()!,
            [.. v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!)])).ToList();
        var report = Path.Combine(Directory.CreateDirectory(RepoPaths.Of("artifacts")).FullName, "axe.txt");
        File.AppendAllText(report, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} {name} {page.Url}: {(violations.Count == 0 ? "no violation" : string.Join("; ", violations))}\n");
        return violations;
    }

    /// <summary>The violations a user with a screen reader or a keyboard would be stopped by.</summary>
    public static IReadOnlyList<AxeViolation> SeriousOrCritical(IReadOnlyList<AxeViolation> violations) =>
        [.. violations.Where(v => v.Impact is "serious" or "critical")];

    /// <summary>
    /// A full-page screenshot of a page that has finished: loaded, its fonts ready, and two frames
    /// painted since (Chromium answered "Unable to capture screenshot" once under load, for a page
    /// shot right after a viewport change and a navigation, before its compositor had a frame).
    /// Should Chromium still answer so, it is tried again once after the next two frames.
    /// </summary>
    public static async Task ShotAsync(IPage page, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.EvaluateAsync("() => document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                return;
            }
            catch (PlaywrightException error) when (attempt == 1 && error.Message.Contains("Unable to capture screenshot", StringComparison.Ordinal))
            {
            }
        }
    }

    /// <summary>True when the page is wider than the window (it would scroll sideways).</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
}
