using System.Device.Spi;
using System.Drawing;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Ws2812;

/// <summary>
/// A strip of WS2812B LEDs on SPI MOSI (GPIO10 on a Pi, through a 3.3 → 5 V level shifter) as a
/// classroom indicator, drawn by the .NET IoT binding (Iot.Device.Ws28xx's Ws2812b). Every LED
/// shows the colour, at a quarter of full brightness (a classroom, not a stage, and a quarter of
/// the current: 60 mA per LED at full white); grey is a dim white that says "no reading to
/// trust", off is dark. It has no buzzer and no button. The SPI device must run at
/// <see cref="ClockFrequency"/>: the binding (4.2.0) no longer sets it, and at .NET IoT's default
/// of 500 kHz each LED bit lasts 6 µs, which a WS2812B reads as noise (found by our emulator).
/// </summary>
public sealed class Ws2812Strip : IIndicator
{
    /// <summary>A quarter of full brightness.</summary>
    public const double Brightness = 0.25;

    /// <summary>2.4 MHz: three SPI bits make one 1.25 µs WS2812B bit.</summary>
    public const int ClockFrequency = 2_400_000;

    private readonly SpiDevice _spi;
    private readonly Iot.Device.Ws28xx.Ws2812b _strip;
    private readonly int _leds;
    private readonly string _describe;
    private LightShown _shown = LightShown.Off;

    public Ws2812Strip(SpiDevice spi, int leds, string device)
    {
        if (spi.ConnectionSettings.ClockFrequency != ClockFrequency)
        {
            throw new ArgumentException($"A WS2812B strip needs its SPI device at {ClockFrequency} Hz, not {spi.ConnectionSettings.ClockFrequency}.", nameof(spi));
        }

        (_spi, _leds) = (spi, leds);
        _describe = $"strip of {leds} WS2812B LEDs on {device}";
        _strip = new Iot.Device.Ws28xx.Ws2812b(spi, leds);
        Draw(LightShown.Off);
    }

    public string Describe => _describe;

    public bool MutePressed => false;

    /// <summary>The colour each LED is given for a light.</summary>
    public static Color ColourOf(LightShown light)
    {
        var (r, g, b) = light switch
        {
            LightShown.Green => (0, 255, 0),
            LightShown.Orange => (255, 110, 0),
            LightShown.Red => (255, 0, 0),
            LightShown.Grey => (64, 64, 64),
            _ => (0, 0, 0),
        };
        return Color.FromArgb((int)(r * Brightness), (int)(g * Brightness), (int)(b * Brightness));
    }

    public void Show(IndicatorFrame frame)
    {
        if (frame.Light != _shown)
        {
            Draw(frame.Light);
        }
    }

    /// <summary>For `sensors doctor`: green, orange, red in turn, then what was shown before.</summary>
    public async Task BlinkAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var before = _shown;
        foreach (var light in new[] { LightShown.Green, LightShown.Orange, LightShown.Red })
        {
            Draw(light);
            await Task.Delay(TimeSpan.FromMilliseconds(400), time, cancellationToken).ConfigureAwait(false);
        }

        Draw(before);
    }

    public void Dispose()
    {
        try
        {
            Draw(LightShown.Off);
        }
        catch (HardwareException)
        {
            // unplugged: nothing left to darken
        }

        _spi.Dispose();
    }

    private void Draw(LightShown light)
    {
        var colour = ColourOf(light);
        try
        {
            for (var i = 0; i < _leds; i++)
            {
                _strip.Image.SetPixel(i, 0, colour);
            }

            _strip.Update();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{_describe}: cannot write ({error.Message}). Check that SPI is enabled (sudo raspi-config → Interface Options → SPI) and that the service user is in the spi group.", error);
        }

        _shown = light;
    }
}
