using System.Text;
using Microsoft.Playwright;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>
/// The status page of the real gateway in real headless Chromium (Debian's, driven by Playwright):
/// three classrooms at 600, 1000 and 1800 ppm arrive over a real Mosquitto, and each shows the
/// colour and the words a teacher should see. Screenshots go to artifacts/screenshots/.
/// </summary>
public sealed class StatusPageBrowserTests : IDisposable
{
    private readonly MosquittoServer _broker = new();
    private readonly TempFolder _folder = new("status-page");

    [Fact]
    public async Task Classrooms_At600_1000_1800ppm_ShowGreenOrangeRed_WithTheRightWords()
    {
        var site = _folder.File("ecole.yaml");
        File.WriteAllText(site, """
            site: ecole-test
            name: École du Test
            timezone: Europe/Paris
            rooms:
              - { id: cp, name: CP, volume_m3: 160, pupils: 22, sensors: [{ id: scd41-cp, model: SCD41 }], indicator: { kind: leds, green: 17, orange: 27, red: 22, buzzer: 23 } }
              - { id: ce1, name: CE1, volume_m3: 170, pupils: 24, sensors: [{ id: scd30-ce1, model: SCD30 }] }
              - { id: cm2, name: CM2, volume_m3: 180, pupils: 26, sensors: [{ id: s8-cm2, model: S8 }], indicator: { kind: lcd, bus: i2c-1 } }
            """);
        using var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-ecole-test")
            .Site(site)
            .Mqtt(_broker, new
            {
                Topic = "ecole-test/+/air",
                Measurement = "air_quality",
                Tags = new Dictionary<string, string> { ["site"] = "ecole-test", ["room"] = "{topic:1}", ["sensor_id"] = "$.id", ["sensor_model"] = "$.model" },
                Fields = new Dictionary<string, string> { ["co2_ppm"] = "$.co2", ["temperature_c"] = "$.t", ["humidity_pct"] = "$.rh" },
            })
            .With("Hardware", new { Emulate = true }) // the classroom indicators, emulated: the page says what they show
            .Build(), new Dictionary<string, string> { ["SENSORS_Hardware__Enabled"] = "true" }).Start();
        gateway.Process.WaitForOutput("subscribed to", TimeSpan.FromSeconds(30));

        await using (var sensor = new MqttClient(new MqttClientOptions { Port = _broker.Port, ClientId = "classroom-sensors" }))
        {
            await sensor.ConnectAsync();
            foreach (var (room, id, model, ppm) in new[] { ("cp", "scd41-cp", "SCD41", 600), ("ce1", "scd30-ce1", "SCD30", 1000), ("cm2", "s8-cm2", "S8", 1800) })
            {
                await sensor.PublishAsync($"ecole-test/{room}/air", Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\",\"model\":\"{model}\",\"co2\":{ppm},\"t\":21.4,\"rh\":48}}"), MqttQos.AtLeastOnce);
            }

            await sensor.DisconnectAsync();
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var elsewhere = new List<string>();
        var context = await Browser.LocalContextAsync(browser, elsewhere, bypassCsp: true); // for axe-core's script, below
        var page = await context.NewPageAsync();

        // The readings reach the journal, then the page, within a moment.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await page.GotoAsync(gateway.HttpUrl.ToString());
        }
        while ((await page.Locator("li.room[data-light=\"red\"]").CountAsync() == 0 || await page.Locator("#room-cm2 [data-indicator=\"red\"]").CountAsync() == 0)
            && DateTime.UtcNow < deadline && await Pause());

        await AssertRoomAsync(page, "cp", "rgb(26, 127, 55)", "600 ppm", "Air sain", "Tout va bien");
        await AssertRoomAsync(page, "ce1", "rgb(179, 89, 0)", "1000 ppm", "Air chargé", "Ouvrez les fenêtres quelques minutes");
        await AssertRoomAsync(page, "cm2", "rgb(180, 35, 24)", "1800 ppm", "Air très chargé", "Ouvrez les fenêtres maintenant");
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("Open the windows now", await page.Locator("#room-cm2").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("gw-ecole-test", await page.Locator("footer").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(elsewhere);

        // What the lights in the rooms show, where they have one (a room without says nothing of it).
        Assert.StartsWith("Voyant de la classe : vert, 600 ppm, « Air sain »", await page.Locator("#room-cp .indicator").InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("Voyant de la classe : rouge, 1800 ppm, « Air très chargé »", await page.Locator("#room-cm2 .indicator").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#room-ce1 .indicator").CountAsync());

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, "status-page.png"), FullPage = true });
        await page.SetViewportSizeAsync(360, 740); // an old phone
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, "status-page-phone.png"), FullPage = true });
        Assert.False(await Browser.ScrollsSidewaysAsync(page), "the page must not scroll sideways on a 360 px phone");

        // Accessibility, as axe-core measures it in the browser: nothing serious or critical, on a desktop and on a phone.
        foreach (var width in new[] { 360, 1280 })
        {
            await page.SetViewportSizeAsync(width, 800);
            await page.GotoAsync(gateway.HttpUrl.ToString());
            var serious = Browser.SeriousOrCritical(await Browser.AxeAsync(page, $"status page {width} px"));
            Assert.True(serious.Count == 0, $"axe-core at {width} px:\n" + string.Join('\n', serious));
        }

        // The classroom screen's address reloads itself; the page people read does not.
        Assert.Equal(0, await page.Locator("meta[http-equiv=refresh]").CountAsync());
        await page.GotoAsync(new Uri(gateway.HttpUrl, "/ecran").ToString());
        Assert.Equal("30", await page.Locator("meta[http-equiv=refresh]").GetAttributeAsync("content"));
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(300);
        return true;
    }

    private static async Task AssertRoomAsync(IPage page, string room, string colour, params string[] words)
    {
        var (text, painted) = await Browser.RoomAsync(page, room);
        foreach (var word in words)
        {
            Assert.Contains(word, text, StringComparison.Ordinal);
        }

        Assert.Equal(colour, painted);
    }

    public void Dispose()
    {
        _broker.Dispose();
        _folder.Dispose();
    }
}
