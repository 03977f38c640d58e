using System.Device.Gpio;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>A classroom traffic light of three LEDs and a buzzer, on .NET IoT's GpioController over emulated pins.</summary>
public sealed class GpioTrafficLightTests
{
    private const int Green = 17, Orange = 27, Red = 22, Buzzer = 23;

    [Fact]
    public void OneLedAtATime_TheBuzzerOnlyWhenAsked_AndDarkAtStartAndWhenStopped()
    {
        var pins = new EmulatedGpioDriver();
        var gpio = new GpioController(pins);
        var light = new GpioTrafficLight(gpio, Green, Orange, Red, Buzzer);
        Assert.All(new[] { Green, Orange, Red, Buzzer }, p => Assert.Equal(PinValue.Low, pins.Level(p))); // dark, not green, before the first reading

        light.Show(LightShown.Green, buzzer: false);
        Assert.Equal((PinValue.High, PinValue.Low, PinValue.Low, PinValue.Low), (pins.Level(Green), pins.Level(Orange), pins.Level(Red), pins.Level(Buzzer)));

        light.Show(LightShown.Red, buzzer: true);
        Assert.Equal((PinValue.Low, PinValue.Low, PinValue.High, PinValue.High), (pins.Level(Green), pins.Level(Orange), pins.Level(Red), pins.Level(Buzzer)));

        light.Show(LightShown.Off, buzzer: false); // a stale reading
        Assert.All(new[] { Green, Orange, Red, Buzzer }, p => Assert.Equal(PinValue.Low, pins.Level(p)));

        light.Show(LightShown.Orange, buzzer: false);
        light.Dispose();
        Assert.Equal(PinValue.Low, pins.Level(Orange));
        Assert.False(pins.IsOpen(Orange));
    }

    [Fact]
    public async Task TheDoctorsBlink_LightsEachColourInTurn_ChirpsOnce_ThenShowsWhatItShowedBefore()
    {
        var pins = new EmulatedGpioDriver();
        var light = new GpioTrafficLight(new GpioController(pins), Green, Orange, Red, Buzzer);
        light.Show(LightShown.Orange, buzzer: false);
        pins.Writes.Clear();

        await light.BlinkAsync(TimeSpan.FromMilliseconds(300), new VirtualTime(DateTimeOffset.UnixEpoch), CancellationToken.None);

        var lit = pins.Writes.Where(w => w.Value == PinValue.High).Select(w => w.Pin).ToList();
        Assert.Equal([Green, Orange, Red, Buzzer, Orange], lit);
        Assert.Equal(LightShown.Orange, light.Shown);
        Assert.False(light.Buzzing);
    }

    [Fact]
    public void APinTheHeaderDoesNotHave_IsRefused_AndHoldsNoOtherPin()
    {
        var pins = new EmulatedGpioDriver();
        var gpio = new GpioController(pins);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new GpioTrafficLight(gpio, Green, Orange, 40));
        Assert.False(pins.IsOpen(Green)); // the pins opened before the wrong one are let go
        Assert.False(pins.IsOpen(Orange));
    }

    [Fact]
    public void TheMuteButton_ReadsPressedWhenHeldToGround_AGreyFrameLightsNothing_AndItsPinIsLetGo()
    {
        var pins = new EmulatedGpioDriver();
        var light = new GpioTrafficLight(new GpioController(pins), Green, Orange, Red, Buzzer, muteButton: 24);
        Assert.False(light.MutePressed); // the pull-up holds it high
        pins.Drive(24, PinValue.Low);
        Assert.True(light.MutePressed);
        pins.Drive(24, PinValue.High);
        Assert.False(light.MutePressed);

        light.Show(new Sensors.Hardware.Drivers.IndicatorFrame(LightShown.Grey, null, "Pas de mesure", Buzzer: true));
        Assert.All(new[] { Green, Orange, Red }, p => Assert.Equal(PinValue.Low, pins.Level(p)));
        Assert.Contains("mute button GPIO 24", light.Describe, StringComparison.Ordinal);

        light.Dispose();
        Assert.False(pins.IsOpen(24));
    }
}
