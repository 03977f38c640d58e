using System.Device.Gpio;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.TrafficLight;

/// <summary>What a classroom indicator shows: nothing, grey (no reading to trust: a light shows nothing, a display says so), or one colour.</summary>
public enum LightShown
{
    Off,
    Grey,
    Green,
    Orange,
    Red,
}

/// <summary>
/// A classroom traffic light of three LEDs (and an optional buzzer) on GPIO pins, through .NET
/// IoT's <see cref="GpioController"/> (libgpiod on the Pi; an emulated driver in tests and the
/// demo). One LED lit at a time; off when there is no reading to trust, never green by default.
/// Pins are outputs, low at start and when disposed (a stopped gateway leaves the room dark,
/// not green). An optional mute button is an input with the Pi's pull-up, wired to GND: pressed
/// reads low.
/// </summary>
public sealed class GpioTrafficLight : IIndicator
{
    private readonly GpioController _gpio;
    private readonly int _green, _orange, _red;
    private readonly int? _buzzer, _muteButton;

    public GpioTrafficLight(GpioController gpio, int green, int orange, int red, int? buzzer = null, int? muteButton = null)
    {
        (_gpio, _green, _orange, _red, _buzzer, _muteButton) = (gpio, green, orange, red, buzzer, muteButton);
        var opened = new List<int>();
        try
        {
            foreach (var pin in Pins)
            {
                _gpio.OpenPin(pin, PinMode.Output, PinValue.Low);
                opened.Add(pin);
            }

            if (_muteButton is { } button)
            {
                _gpio.OpenPin(button, PinMode.InputPullUp);
                opened.Add(button);
            }
        }
        catch
        {
            opened.ForEach(_gpio.ClosePin); // a wrong pin in the site file leaves no other pin held
            throw;
        }
    }

    public LightShown Shown { get; private set; } = LightShown.Off;

    public bool Buzzing { get; private set; }

    public string Describe => $"three LEDs on GPIO {_green}, {_orange}, {_red} (green, orange, red){(_buzzer is { } b ? $", buzzer GPIO {b}" : string.Empty)}{(_muteButton is { } m ? $", mute button GPIO {m}" : string.Empty)}";

    public bool MutePressed => _muteButton is { } pin && _gpio.Read(pin) == PinValue.Low;

    /// <summary>The frame's colour (grey lights nothing: three LEDs cannot say "no reading" otherwise) and its buzzer.</summary>
    public void Show(IndicatorFrame frame) => Show(frame.Light, frame.Buzzer);

    public Task BlinkAsync(TimeProvider time, CancellationToken cancellationToken) => BlinkAsync(TimeSpan.FromMilliseconds(400), time, cancellationToken);

    private IEnumerable<int> Pins => _buzzer is { } b ? [_green, _orange, _red, b] : [_green, _orange, _red];

    /// <summary>Lights <paramref name="light"/> alone, and the buzzer when <paramref name="buzzer"/> (and there is one).</summary>
    public void Show(LightShown light, bool buzzer)
    {
        _gpio.Write(_green, light == LightShown.Green ? PinValue.High : PinValue.Low);
        _gpio.Write(_orange, light == LightShown.Orange ? PinValue.High : PinValue.Low);
        _gpio.Write(_red, light == LightShown.Red ? PinValue.High : PinValue.Low);
        if (_buzzer is { } pin)
        {
            _gpio.Write(pin, buzzer ? PinValue.High : PinValue.Low);
        }

        (Shown, Buzzing) = (light, buzzer && _buzzer is not null);
    }

    /// <summary>For `sensors doctor`: green, orange, red in turn for <paramref name="each"/>, a short chirp of the buzzer, then what was shown before.</summary>
    public async Task BlinkAsync(TimeSpan each, TimeProvider time, CancellationToken cancellationToken)
    {
        var (before, buzzing) = (Shown, Buzzing);
        foreach (var light in new[] { LightShown.Green, LightShown.Orange, LightShown.Red })
        {
            Show(light, buzzer: false);
            await Task.Delay(each, time, cancellationToken).ConfigureAwait(false);
        }

        if (_buzzer is not null)
        {
            Show(LightShown.Off, buzzer: true);
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        Show(before, buzzing);
    }

    public void Dispose()
    {
        Show(LightShown.Off, buzzer: false);
        foreach (var pin in _muteButton is { } button ? Pins.Append(button) : Pins)
        {
            _gpio.ClosePin(pin);
        }
    }
}
