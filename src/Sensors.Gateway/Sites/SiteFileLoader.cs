using System.Text.RegularExpressions;
using Sensors.Core;
using Sensors.Sites;

namespace Sensors.Gateway.Sites;

/// <summary>
/// Reads and checks the gateway's site file: what every reader checks (<see cref="SiteFiles"/>),
/// plus the wiring of the sensors this gateway reads. Every problem is one line naming the file,
/// the place and the fix.
/// </summary>
public static partial class SiteFileLoader
{
    public static (SiteFile? Site, IReadOnlyList<string> Errors) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (null, [$"Site:File = '{path}': no such file. Point it at your site's YAML under firmware-config/sites/."]);
        }

        var (site, errors) = SiteFiles.Load(path);
        if (site is null)
        {
            return (null, errors);
        }

        var all = errors.ToList();
        var buses = new Dictionary<string, string>(StringComparer.Ordinal);
        var pins = new Dictionary<int, string>();
        foreach (var (room, index) in site.Rooms.Select((r, i) => (r, i)))
        {
            foreach (var sensor in room.Sensors.Where(s => !string.IsNullOrWhiteSpace(s.Model) && !string.IsNullOrWhiteSpace(s.Bus)))
            {
                CheckWiring(sensor, SiteFiles.Where(path, room, index), buses, all);
            }

            if (room.Indicator is { } indicator)
            {
                CheckIndicator(indicator, room, SiteFiles.Where(path, room, index), buses, pins, all);
            }
        }

        return (site, all);
    }

    /// <summary>The bus fits the model, the address parses, and no two sensors share a bus address or a port.</summary>
    private static void CheckWiring(SensorSpec sensor, string where, Dictionary<string, string> buses, List<string> errors)
    {
        if (!Sensors.Hardware.Drivers.SensorModels.IsKnown(sensor.Model))
        {
            errors.Add($"{where}: sensor '{sensor.Id}': model '{sensor.Model}' is not one we can read; expected {string.Join(", ", Sensors.Hardware.Drivers.SensorModels.Known)}.");
            return;
        }

        string slot;
        if (Sensors.Hardware.Drivers.SensorModels.IsI2c(sensor.Model))
        {
            if (!I2cBusPattern().IsMatch(sensor.Bus))
            {
                errors.Add($"{where}: sensor '{sensor.Id}': bus '{sensor.Bus}': the {sensor.Model} is an I2C sensor; expected an I2C bus such as i2c-1.");
                return;
            }

            var address = Sensors.Hardware.Drivers.SensorModels.ParseAddress(sensor.Address);
            if (address is null && !string.IsNullOrWhiteSpace(sensor.Address))
            {
                errors.Add($"{where}: sensor '{sensor.Id}': address '{sensor.Address}': expected an I2C address such as 0x62, or nothing for the model's default.");
                return;
            }

            var behind = string.Empty;
            if (!string.IsNullOrWhiteSpace(sensor.Mux) || sensor.Channel is not null)
            {
                if (Sensors.Hardware.Drivers.SensorModels.ParseAddress(sensor.Mux) is not (>= 0x70 and <= 0x77) || sensor.Channel is not (>= 0 and <= 7))
                {
                    errors.Add($"{where}: sensor '{sensor.Id}': mux '{sensor.Mux}', channel '{sensor.Channel}': a sensor behind a TCA9548A needs both its address (mux: 0x70 to 0x77, set by A0–A2) and its channel (channel: 0 to 7, the SDx/SCx pair it is wired to).");
                    return;
                }

                behind = $" behind the TCA9548A at {sensor.Mux.ToLowerInvariant()} channel {sensor.Channel}";
            }

            slot = $"{sensor.Bus.Replace("/dev/", string.Empty, StringComparison.Ordinal)} 0x{address ?? Sensors.Hardware.Drivers.SensorModels.DefaultAddress(sensor.Model):x2}{behind}";
        }
        else
        {
            if (!sensor.Bus.StartsWith("/dev/", StringComparison.Ordinal))
            {
                errors.Add($"{where}: sensor '{sensor.Id}': bus '{sensor.Bus}': the {sensor.Model} is a serial sensor; expected a port such as /dev/ttyAMA0 or /dev/ttyUSB0.");
                return;
            }

            slot = sensor.Bus;
        }

        if (buses.TryGetValue(slot, out var other))
        {
            errors.Add($"{where}: sensor '{sensor.Id}' is wired at {slot}, like sensor '{other}'; two sensors cannot share it (put one on another bus, or change its address).");
        }
        else
        {
            buses[slot] = sensor.Id;
        }

        if (sensor.IntervalS is < 2 or > 3600)
        {
            errors.Add($"{where}: sensor '{sensor.Id}': interval_s = {sensor.IntervalS}: expected 2 to 3600 seconds, or nothing for the sensor's own pace.");
        }
    }

    /// <summary>The kind is known, its pins are GPIO 0–27 and used once in the site, an LCD's bus and address are right and free, and the room has a CO2 sensor to show.</summary>
    private static void CheckIndicator(IndicatorSpec indicator, RoomSpec room, string where, Dictionary<string, string> buses, Dictionary<int, string> pins, List<string> errors)
    {
        var what = $"{where}: indicator";
        if (!room.Sensors.Any(s => Sensors.Hardware.Drivers.SensorModels.MeasuresCo2(s.Model)))
        {
            errors.Add($"{what}: the room has no CO2 sensor, so the light would have nothing to show; add its sensor, or remove the indicator.");
        }

        void Pin(string key, int? pin, bool required)
        {
            if (pin is null)
            {
                if (required)
                {
                    errors.Add($"{what}: {key} is missing: the GPIO (BCM) number of the {key} LED's pin, e.g. {key}: 17.");
                }

                return;
            }

            if (pin is < 0 or > 27)
            {
                errors.Add($"{what}: {key} = {pin}: expected a GPIO (BCM) number from 0 to 27, not the header's pin number (GPIO17 is pin 11).");
            }
            else if (pins.TryGetValue(pin.Value, out var other))
            {
                errors.Add($"{what}: {key} = {pin}: GPIO{pin} is already {other}; each pin drives one thing.");
            }
            else
            {
                pins[pin.Value] = $"the {key} of room {room.Id}";
            }
        }

        switch (indicator.Kind.Trim().ToLowerInvariant())
        {
            case IndicatorKind.Leds:
                Pin("green", indicator.Green, true);
                Pin("orange", indicator.Orange, true);
                Pin("red", indicator.Red, true);
                Pin("buzzer", indicator.Buzzer, false);
                Pin("mute_button", indicator.MuteButton, false);
                break;
            case IndicatorKind.Lcd:
                if (!I2cBusPattern().IsMatch(indicator.Bus))
                {
                    errors.Add($"{what}: bus '{indicator.Bus}': an LCD backpack is on I2C; expected a bus such as i2c-1.");
                    return;
                }

                var address = string.IsNullOrWhiteSpace(indicator.Address) ? Sensors.Hardware.Devices.Hd44780.CharacterLcdIndicator.DefaultAddress : Sensors.Hardware.Drivers.SensorModels.ParseAddress(indicator.Address);
                if (address is null)
                {
                    errors.Add($"{what}: address '{indicator.Address}': expected an I2C address such as 0x27 (PCF8574) or 0x3f (PCF8574A), or nothing for 0x27.");
                    return;
                }

                if (indicator.Buzzer is not null || indicator.MuteButton is not null || indicator.Green is not null)
                {
                    errors.Add($"{what}: an lcd has no LED, buzzer or mute button pins; for a light with a buzzer, use kind: leds.");
                }

                var slot = $"{indicator.Bus.Replace("/dev/", string.Empty, StringComparison.Ordinal)} 0x{address:x2}";
                if (buses.TryGetValue(slot, out var taken))
                {
                    errors.Add($"{what}: the LCD is at {slot}, like sensor '{taken}'; change the backpack's address (A0–A2) or the sensor's.");
                }
                else
                {
                    buses[slot] = $"the indicator of room {room.Id}";
                }

                break;
            case IndicatorKind.Strip:
                if (!Sensors.Hardware.Bus.SpiNames.TryParse(indicator.Spi, out var spiBus, out var chipSelect))
                {
                    errors.Add($"{what}: spi '{indicator.Spi}': expected the strip's SPI device, e.g. spidev0.0 (its data line on MOSI, GPIO10).");
                }
                else if (!buses.TryAdd($"spidev{spiBus}.{chipSelect}", $"the indicator of room {room.Id}"))
                {
                    errors.Add($"{what}: spi 'spidev{spiBus}.{chipSelect}' drives another strip ({buses[$"spidev{spiBus}.{chipSelect}"]}); chain the strips, or use another chip select.");
                }

                if (indicator.Leds is not (>= 1 and <= 300))
                {
                    errors.Add($"{what}: leds = {indicator.Leds}: expected how many LEDs the strip has, 1 to 300 (at a quarter of full brightness, 15 mA each from the 5 V supply).");
                }

                if (indicator.Buzzer is not null || indicator.MuteButton is not null || indicator.Green is not null)
                {
                    errors.Add($"{what}: a strip has no LED, buzzer or mute button pins; for a light with a buzzer, use kind: leds.");
                }

                break;
            default:
                errors.Add($"{what}: kind = '{indicator.Kind}': expected leds (three LEDs on GPIO, optional buzzer and mute button), lcd (a 16×2 LCD on an I2C backpack) or strip (WS2812B LEDs on SPI).");
                break;
        }
    }

    [GeneratedRegex("^(/dev/)?i2c-[0-9]+$")]
    private static partial Regex I2cBusPattern();
}
