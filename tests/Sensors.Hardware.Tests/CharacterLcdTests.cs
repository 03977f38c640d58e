using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Hd44780;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>A 16×2 LCD on a PCF8574 backpack as a classroom indicator: the .NET IoT binding draws, our HD44780 emulator decodes what the glass shows.</summary>
public sealed class CharacterLcdTests
{
    [Fact]
    public void TheBindingsDrawing_IsWhatTheGlassShows_PpmColourAndWordsWithoutAccents()
    {
        var glass = new Hd44780Emulator("i2c-1");
        using var lcd = new CharacterLcdIndicator(glass, "i2c-1", Hd44780Emulator.DefaultAddress);
        Assert.False(glass.BacklightOn); // dark until there is something to say

        lcd.Show(new IndicatorFrame(LightShown.Orange, 1249.6, "Air chargé", false));
        Assert.Equal(["1250 ppm  ORANGE", "Air charge      "], glass.Lines);
        Assert.True(glass.BacklightOn);

        lcd.Show(new IndicatorFrame(LightShown.Red, 2100, "Air très chargé", true));
        Assert.Equal(["2100 ppm   ROUGE", "Air tres charge "], glass.Lines);

        lcd.Show(new IndicatorFrame(LightShown.Grey, null, "Mesure trop ancienne (10:42)", false));
        Assert.Equal(["---- ppm    GRIS", "Mesure trop anci"], glass.Lines);

        lcd.Show(new IndicatorFrame(LightShown.Green, 612, "Air sain", false));
        Assert.Equal([" 612 ppm    VERT", "Air sain        "], glass.Lines);
    }

    [Fact]
    public void ADisplayLeftIn4BitMode_ByAnEarlierRun_IsDrawnRightByTheNextOne_AndAStoppedGatewayLeavesItDark()
    {
        var glass = new Hd44780Emulator("i2c-1");
        using (var first = new CharacterLcdIndicator(glass, "i2c-1", 0x27))
        {
            first.Show(new IndicatorFrame(LightShown.Red, 1900, "Air très chargé", true));
        }

        Assert.False(glass.BacklightOn);
        Assert.Equal([new string(' ', 16), new string(' ', 16)], glass.Lines);

        using var second = new CharacterLcdIndicator(glass, "i2c-1", 0x27); // the HD44780 is in 4-bit mode now
        second.Show(new IndicatorFrame(LightShown.Green, 480, "Air sain", false));
        Assert.Equal([" 480 ppm    VERT", "Air sain        "], glass.Lines);
        Assert.Contains(" 480 ppm    VERT|Air sain        ", glass.Screens);
    }

    [Fact]
    public async Task TheDoctorsBlink_FillsTheGlass_ThenShowsTheScreenBefore_AndAnUnpluggedDisplayIsAHardwareFault()
    {
        var glass = new Hd44780Emulator("i2c-1");
        using var lcd = new CharacterLcdIndicator(glass, "i2c-1", 0x27);
        lcd.Show(new IndicatorFrame(LightShown.Orange, 1300, "Air chargé", false));

        await lcd.BlinkAsync(new VirtualTime(DateTimeOffset.UnixEpoch), CancellationToken.None);

        Assert.Contains("Test indicateur |################", glass.Screens);
        Assert.Equal(["1300 ppm  ORANGE", "Air charge      "], glass.Lines);

        glass.Unplugged = true;
        var error = Assert.Throws<HardwareException>(() => lcd.Show(new IndicatorFrame(LightShown.Red, 1800, "Air très chargé", false)));
        Assert.Equal(HardwareFault.NoAnswer, error.Fault);
        Assert.Contains("i2c-1 0x27", error.Message, StringComparison.Ordinal);
    }
}
