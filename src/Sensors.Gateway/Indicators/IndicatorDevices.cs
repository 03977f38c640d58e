using System.Device.Gpio;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Hd44780;
using Sensors.Hardware.Devices.Tca9548a;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Devices.Ws2812;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Sites;

namespace Sensors.Gateway.Indicators;

/// <summary>
/// Opens a room's indicator as the site file describes it: three LEDs through .NET IoT's
/// <see cref="GpioController"/> (libgpiod on the Pi; emulated pins with Hardware:Emulate), an
/// LCD through the I2C buses the sensors use, or a WS2812B strip on an SPI device. The GPIO
/// controller is made the first time a light asks for it.
/// </summary>
public sealed class IndicatorDevices(IBusProvider buses, Func<GpioController> gpio) : IDisposable
{
    private readonly Lazy<GpioController> _gpio = new(gpio);

    /// <summary>This machine's GPIO, or with Hardware:Emulate pins in memory.</summary>
    public static IndicatorDevices For(IBusProvider buses, bool emulate) =>
        new(buses, () => emulate ? new GpioController(new EmulatedGpioDriver()) : new GpioController());

    /// <summary>A HardwareException when the device does not answer or a pin cannot be had, with what to check.</summary>
    public IIndicator Open(IndicatorSpec spec)
    {
        if (spec.Is(IndicatorKind.Lcd))
        {
            var address = SensorModels.ParseAddress(spec.Address) ?? CharacterLcdIndicator.DefaultAddress;
            return new CharacterLcdIndicator(MuxPaths.Open(buses, spec.Bus, address), spec.Bus, address);
        }

        if (spec.Is(IndicatorKind.Strip))
        {
            var spi = buses.OpenSpi(spec.Spi, Ws2812Strip.ClockFrequency);
            try
            {
                return new Ws2812Strip(spi, spec.Leds ?? 1, spec.Spi.Replace("/dev/", string.Empty, StringComparison.Ordinal));
            }
            catch
            {
                spi.Dispose();
                throw;
            }
        }

        try
        {
            return new GpioTrafficLight(_gpio.Value, spec.Green!.Value, spec.Orange!.Value, spec.Red!.Value, spec.Buzzer, spec.MuteButton);
        }
        catch (Exception error) when (error is IOException or InvalidOperationException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            throw new HardwareException(HardwareFault.BusMissing, $"GPIO {spec.Green}, {spec.Orange}, {spec.Red}{(spec.Buzzer is { } b ? $", {b}" : string.Empty)}: cannot be had ({error.Message}). Check that /dev/gpiochip0 exists, that libgpiod is installed (sudo apt install libgpiod2), that the service user is in the gpio group (sudo usermod -aG gpio sensors), and that no other program holds these pins.", error);
        }
    }

    public void Dispose()
    {
        if (_gpio.IsValueCreated)
        {
            _gpio.Value.Dispose();
        }
    }
}
