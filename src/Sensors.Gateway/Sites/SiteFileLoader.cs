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
        foreach (var (room, index) in site.Rooms.Select((r, i) => (r, i)))
        {
            foreach (var sensor in room.Sensors.Where(s => !string.IsNullOrWhiteSpace(s.Model) && !string.IsNullOrWhiteSpace(s.Bus)))
            {
                CheckWiring(sensor, SiteFiles.Where(path, room, index), buses, all);
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

    [GeneratedRegex("^(/dev/)?i2c-[0-9]+$")]
    private static partial Regex I2cBusPattern();
}
