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
    public static async Task<IBrowserContext> LocalContextAsync(IBrowser browser, List<string> elsewhere, Action? onRequest = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
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

    /// <summary>True when the page is wider than the window (it would scroll sideways).</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
}
