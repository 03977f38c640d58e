using System.Drawing;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Devices.Ws2812;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>A WS2812B strip as a classroom indicator: the .NET IoT binding (Iot.Device.Ws28xx) writes the SPI stream, our emulator decodes it as the LEDs do.</summary>
public sealed class Ws2812Tests
{
    [Fact]
    public void TheBindingsStream_DecodesToTheColourOnEveryLed_AtAQuarterOfFullBrightness()
    {
        var leds = new Ws2812Emulator(8);
        var buses = new EmulatedBuses().AddSpi("spidev0.0", leds);
        using var strip = new Ws2812Strip(buses.OpenSpi("spidev0.0", Ws2812Strip.ClockFrequency), 8, "spidev0.0");
        Assert.All(leds.Pixels, p => Assert.Equal(Color.FromArgb(0, 0, 0).ToArgb(), p.ToArgb())); // dark at start

        strip.Show(new IndicatorFrame(LightShown.Orange, 1250, "Air chargé", false));
        Assert.All(leds.Pixels, p => Assert.Equal((63, 27, 0), (p.R, p.G, p.B)));

        strip.Show(new IndicatorFrame(LightShown.Grey, null, "Pas de mesure", false));
        Assert.All(leds.Pixels, p => Assert.Equal((16, 16, 16), (p.R, p.G, p.B))); // a dim white: no reading to trust, never green

        strip.Show(new IndicatorFrame(LightShown.Grey, null, "Mesure trop ancienne (10:42)", false));
        var frames = leds.Frames.Count;
        strip.Show(new IndicatorFrame(LightShown.Green, 600, "Air sain", false));
        strip.Show(new IndicatorFrame(LightShown.Green, 640, "Air sain", false)); // the same colour: nothing sent
        Assert.Equal(frames + 1, leds.Frames.Count);
        Assert.All(leds.Pixels, p => Assert.Equal((0, 63, 0), (p.R, p.G, p.B)));
        Assert.Equal(0, leds.Garbled);

        strip.Dispose();
        Assert.All(leds.Pixels, p => Assert.Equal((0, 0, 0), (p.R, p.G, p.B)));
    }

    [Fact]
    public void TheEmulator_ReadsGRBMostSignificantBitFirst_AndRefusesWhatIsNotTheProtocol()
    {
        // One LED, R = 0x80, G = 0x01, B = 0xFF: G first, each bit as 100 (0) or 110 (1).
        static string Bits(int value) => string.Concat(Enumerable.Range(0, 8).Select(i => ((value >> (7 - i)) & 1) == 1 ? "110" : "100"));
        var stream = Bits(0x01) + Bits(0x80) + Bits(0xFF) + new string('0', 240);
        var bytes = Enumerable.Range(0, stream.Length / 8).Select(i => Convert.ToByte(stream.Substring(i * 8, 8), 2)).ToArray();
        var leds = new Ws2812Emulator(2);
        leds.ConnectionSettings.ClockFrequency = 2_400_000;

        leds.Write(bytes);
        Assert.Equal((0x80, 0x01, 0xFF), (leds.Pixels[0].R, leds.Pixels[0].G, leds.Pixels[0].B));
        Assert.Equal((0, 0, 0), (leds.Pixels[1].R, leds.Pixels[1].G, leds.Pixels[1].B)); // one LED's worth: the second keeps its colour

        leds.Write([0b1111_1111, 0, 0]); // 111: not a WS2812 bit
        leds.ConnectionSettings.ClockFrequency = 8_000_000; // 0.375 µs per LED bit: too fast for its timing
        leds.Write(bytes);
        Assert.Equal(2, leds.Garbled);
        Assert.Single(leds.Frames);
    }

    [Fact]
    public async Task TheDoctorsBlink_ShowsEachColour_ThenWhatWasShown_AndAnUnpluggedStripIsAHardwareFault()
    {
        var leds = new Ws2812Emulator(4);
        leds.ConnectionSettings.ClockFrequency = Ws2812Strip.ClockFrequency;
        using var strip = new Ws2812Strip(leds, 4, "spidev0.0");
        strip.Show(new IndicatorFrame(LightShown.Red, 1800, "Air très chargé", true));

        await strip.BlinkAsync(new VirtualTime(DateTimeOffset.UnixEpoch), CancellationToken.None);

        var colours = leds.Frames.Select(f => (f[0].R, f[0].G, f[0].B)).ToList();
        Assert.Equal([(0, 0, 0), (63, 0, 0), (0, 63, 0), (63, 27, 0), (63, 0, 0), (63, 0, 0)], colours);

        leds.Unplugged = true;
        var error = Assert.Throws<HardwareException>(() => strip.Show(new IndicatorFrame(LightShown.Green, 500, "Air sain", false)));
        Assert.Contains("strip of 4 WS2812B LEDs on spidev0.0: cannot write", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBindingAlone_LeavesTheClockAtNetIotsDefault_WhichTheLedsReadAsNoise_SoTheStripRefusesIt()
    {
        var leds = new Ws2812Emulator(3);
        var binding = new Iot.Device.Ws28xx.Ws2812b(leds, 3);
        binding.Image.SetPixel(0, 0, Color.Red);
        binding.Update();
        Assert.Equal(500_000, leds.ConnectionSettings.ClockFrequency);
        Assert.Equal(1, leds.Garbled);
        Assert.Empty(leds.Frames);

        Assert.Throws<ArgumentException>(() => new Ws2812Strip(new Ws2812Emulator(3), 3, "spidev0.0"));
    }

    [Fact]
    public void AMissingSpiDevice_SaysHowToEnableSpi()
    {
        var error = Assert.Throws<HardwareException>(() => new EmulatedBuses().OpenSpi("spidev0.0", Ws2812Strip.ClockFrequency));
        Assert.Contains("/dev/spidev0.0 does not exist: SPI is not enabled", error.Message, StringComparison.Ordinal);
        Assert.True(SpiNames.TryParse("/dev/spidev1.2", out var bus, out var cs) && (bus, cs) == (1, 2));
        Assert.False(SpiNames.TryParse("i2c-1", out _, out _));
    }
}
