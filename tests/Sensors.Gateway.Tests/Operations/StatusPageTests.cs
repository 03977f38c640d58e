using Sensors.Hardware.Devices.TrafficLight;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Sensors.Core;
using Sensors.Pipeline;
using Sensors.Gateway.Status;
using Sensors.Hardware.Polling;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>The page as HTML; what a browser shows of it is in StatusPageBrowserTests.</summary>
public sealed class StatusPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 15, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static GatewayState State() => new("gw-ecole", TimeSpan.FromHours(5), 0, null, ("reçoit les mesures", "receives the readings"), true, ("connecté", "connected"), true, true, 0, 0);

    private static RoomView View(string room, double ppm, DateTimeOffset? at = null) =>
        new("ecole", room, $"scd41-{room}", "SCD41", at ?? Now.AddSeconds(-20), ppm, 21.5, 45, null, [(Now.AddMinutes(-30), ppm - 100), (Now.AddMinutes(-1), ppm)]);

    private static string Render(params StatusRoom[] rooms) => StatusPage.Render(new StatusModel("École Jules Ferry", rooms, State(), Co2Levels.Default, Now, Paris));

    private static string Card(string html, string room) => Regex.Match(html, $"<li class=\"room\" id=\"room-{room}\".*?</li>", RegexOptions.Singleline).Value;

    [Theory]
    [InlineData(600, "green", "Air sain", "Tout va bien")]
    [InlineData(1000, "orange", "Air chargé", "Ouvrez les fenêtres")]
    [InlineData(1800, "red", "Air très chargé", "Ouvrez les fenêtres maintenant")]
    public void Room_ShowsItsLight_WordsAndAdvice_InFrenchThenEnglish(double ppm, string light, string label, string advice)
    {
        var card = Card(Render(new StatusRoom("cm1-a", "CM1 A", View("cm1-a", ppm))), "cm1-a");

        Assert.Contains($"data-light=\"{light}\"", card, StringComparison.Ordinal);
        Assert.Contains(label, card, StringComparison.Ordinal);
        Assert.Contains(advice, card, StringComparison.Ordinal);
        Assert.Contains($"{ppm:0} <abbr", card, StringComparison.Ordinal);
        Assert.Contains("lang=\"en\"", card, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRoomsIndicator_IsSaid_ItsColourBuzzerAndMute_OrWhyItShowsNothing()
    {
        IndicatorState Indicator(LightShown light, double? ppm, bool buzzer = false, bool muted = false, string? problem = null) =>
            new("ecole", "cm1-a", "three LEDs on GPIO 17, 27, 22", light, ppm, "Air très chargé", "Very stale air", buzzer, muted, problem);
        string Line(IndicatorState indicator) =>
            Regex.Match(Card(Render(new StatusRoom("cm1-a", "CM1 A", View("cm1-a", 1800), Indicator: indicator)), "cm1-a"), "<p class=\"indicator\".*?</p>", RegexOptions.Singleline).Value;

        Assert.Contains("data-indicator=\"red\">Voyant de la classe : rouge, 1800 ppm, « Air très chargé » · alarme sonore en cours", Line(Indicator(LightShown.Red, 1800, buzzer: true)), StringComparison.Ordinal);
        Assert.Contains("· alarme coupée par le bouton", Line(Indicator(LightShown.Red, 1800, muted: true)), StringComparison.Ordinal);
        Assert.Contains("Voyant de la classe : gris (pas de mesure récente) <span", Line(Indicator(LightShown.Grey, null)), StringComparison.Ordinal);
        var broken = Line(Indicator(LightShown.Off, null, problem: "i2c-1 0x27: no answer (NACK)"));
        Assert.Contains("en panne, la passerelle réessaie", broken, StringComparison.Ordinal);
        Assert.Contains("i2c-1 0x27: no answer (NACK)", broken, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"indicator\"", Card(Render(new StatusRoom("cm1-a", "CM1 A", View("cm1-a", 1800))), "cm1-a"), StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_AreConfigurable()
    {
        var html = StatusPage.Render(new StatusModel("École", [new StatusRoom("a", "A", View("a", 700))], State(), new Co2Levels(600, 1000), Now, Paris));
        Assert.Contains("data-light=\"orange\"", Card(html, "a"), StringComparison.Ordinal);
    }

    [Fact]
    public void SilentSensor_IsShownAsNoRecentReading_NotAsGreen()
    {
        var html = Render(new StatusRoom("ce1", "CE1", View("ce1", 500, Now.AddHours(-2))), new StatusRoom("ce2", "CE2", null));

        Assert.Contains("data-light=\"none\"", Card(html, "ce1"), StringComparison.Ordinal);
        Assert.Contains("Vérifiez que le capteur est branché", Card(html, "ce1"), StringComparison.Ordinal);
        Assert.Contains("n'a encore rien envoyé", Card(html, "ce2"), StringComparison.Ordinal);
    }

    [Fact]
    public void WarmingUpSensor_SaysWhenItsFirstReadingComes_NotThatItIsUnplugged_AndAFailedOneSaysItDoesNotAnswer()
    {
        var html = Render(
            new StatusRoom("ce2", "CE2", null, new SensorState(SensorHealth.WarmingUp, "warming up", Now.AddMinutes(3))),
            new StatusRoom("cm1", "CM1", View("cm1", 800, Now.AddMinutes(-40)), new SensorState(SensorHealth.WarmingUp, "warming up", Now.AddSeconds(-5))),
            new StatusRoom("cm2", "CM2", View("cm2", 800, Now.AddMinutes(-40)), new SensorState(SensorHealth.Failed, "no answer")));

        var warming = Card(html, "ce2");
        Assert.Contains("data-light=\"none\"", warming, StringComparison.Ordinal);
        Assert.Contains("Capteur en préchauffage, première mesure vers 11 h 18.", warming, StringComparison.Ordinal); // 10:15 UTC + 3 min, in Paris
        Assert.Contains("Sensor warming up, first reading around 11:18.", warming, StringComparison.Ordinal);
        Assert.DoesNotContain("branché", warming, StringComparison.Ordinal);
        Assert.Contains("Capteur en préchauffage, première mesure dans un instant.", Card(html, "cm1"), StringComparison.Ordinal);
        Assert.Contains("Dernière mesure à 24/11 10:35. Le capteur ne répond pas ; la passerelle réessaie. Vérifiez qu'il est branché.", Card(html, "cm2"), StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_AfterARestart_SpansTheMinutesTheBoardHolds_NotAnHourWithALineSqueezedRight()
    {
        var view = View("cp", 700) with { LastHour = Enumerable.Range(0, 10).Select(m => (Now.AddMinutes(m - 10), 600.0 + (m * 20))).ToList() };
        var card = Card(Render(new StatusRoom("cp", "CP", view)), "cp");
        Assert.Contains("Depuis 11:05 : de 600 à 780 ppm.", card, StringComparison.Ordinal);
        // The line starts a third of the way in (15 minutes shown, 10 of them with readings), not five sixths.
        var x = double.Parse(Regex.Match(card, "d=\"M([0-9.]+),").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(x, 90, 110);

        var hour = View("cp", 700) with { LastHour = Enumerable.Range(0, 60).Select(m => (Now.AddMinutes(m - 60), 700.0)).ToList() };
        Assert.Contains("Dernière heure : de 700 à 700 ppm.", Card(Render(new StatusRoom("cp", "CP", hour)), "cp"), StringComparison.Ordinal);
    }

    [Fact]
    public void Page_StaysStillForReaders_WithARefreshLink_AndTheClassroomScreenReloadsItself()
    {
        var page = Render(new StatusRoom("cp", "CP", View("cp", 600)));
        Assert.DoesNotContain("http-equiv=\"refresh\"", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/\">Actualiser</a>", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/ecran\">", page, StringComparison.Ordinal);

        var screen = StatusPage.Render(new StatusModel("École", [new StatusRoom("cp", "CP", View("cp", 600))], State(), Co2Levels.Default, Now, Paris, RefreshSeconds: 30));
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"30\">", screen, StringComparison.Ordinal);
        Assert.Contains("se met à jour toutes les 30 s", screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_HasATextAlternative()
    {
        var card = Card(Render(new StatusRoom("cm2", "CM2", View("cm2", 1250))), "cm2");
        Assert.Matches("<svg[^>]*role=\"img\"[^>]*aria-labelledby=\"cap-cm2\"", card);
        Assert.Contains("de 1150 à 1250 ppm", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_LoadsNothingFromElsewhere_AndStaysSmallForThirtyRooms()
    {
        var rooms = Enumerable.Range(1, 30).Select(i => new StatusRoom($"salle-{i}", $"Salle {i}", View($"salle-{i}", 400 + (i * 50)) with
        {
            LastHour = Enumerable.Range(0, 60).Select(m => (Now.AddMinutes(m - 60), 400.0 + (m * 10))).ToList(),
        })).ToArray();
        var html = Render(rooms);

        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(html), 1, 100 * 1024);
    }

    [Fact]
    public void RoomBoard_KeepsOneMeanPerMinute_ForTheLastHourOnly()
    {
        var time = new FakeTimeProvider(Now);
        var board = new RoomBoard(time);
        Reading At(DateTimeOffset at, double ppm) => new("air_quality", [new Tag("site", "ecole"), new Tag("room", "cp")], [new Field("co2_ppm", ppm)], at);

        board.Observe(At(Now.AddHours(-2), 2000)); // too old for the chart
        board.Observe(At(Now.AddMinutes(-10).AddSeconds(-40), 600));
        board.Observe(At(Now.AddMinutes(-10).AddSeconds(-20), 700));
        board.Observe(At(Now.AddSeconds(-5), 900));
        board.Observe(new Reading("bin_fill", [new Tag("room", "cp")], [new Field("fill_pct", 50.0)], Now)); // not air

        var view = Assert.Single(board.Snapshot());
        Assert.Equal(900, view.Co2Ppm);
        Assert.Equal([650.0, 900.0], view.LastHour.Select(p => p.Co2Ppm));
    }
}
