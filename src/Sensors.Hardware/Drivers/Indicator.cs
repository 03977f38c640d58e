using Sensors.Hardware.Devices.TrafficLight;

namespace Sensors.Hardware.Drivers;

/// <summary>
/// What a classroom indicator is told to show: the colour, the CO2 for a display, a few words
/// (French, the room's language) and whether the buzzer sounds. The gateway decides it (one
/// rule for every kind of indicator); the device only shows it.
/// </summary>
public sealed record IndicatorFrame(LightShown Light, double? Ppm, string Words, bool Buzzer);

/// <summary>
/// A classroom indicator: three LEDs on GPIO (<see cref="GpioTrafficLight"/>) or a character LCD
/// (<see cref="Devices.Hd44780.CharacterLcdIndicator"/>). It starts dark, and goes dark when
/// disposed: a stopped gateway leaves no light that could be mistaken for a reading.
/// </summary>
public interface IIndicator : IDisposable
{
    /// <summary>What and where: "three LEDs on GPIO 17, 27, 22, buzzer GPIO 23", "LCD 16×2 at i2c-1 0x27".</summary>
    string Describe { get; }

    void Show(IndicatorFrame frame);

    /// <summary>For `sensors doctor`: a short test an installer can see (and hear), then what was shown before.</summary>
    Task BlinkAsync(TimeProvider time, CancellationToken cancellationToken);

    /// <summary>True while the indicator's mute button is held down (false when it has none).</summary>
    bool MutePressed { get; }
}
