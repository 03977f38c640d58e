using System.Text.RegularExpressions;
using Sensors.Core;

namespace Sensors.Gateway.Configuration;

/// <summary>
/// A school (or depot, or district) as firmware-config/sites/&lt;site&gt;.yaml describes it: its
/// rooms and the sensors in them. Keys are snake_case in the file.
/// </summary>
public sealed class SiteFile
{
    /// <summary>The site's identifier, used as the <c>site</c> tag: lower case, digits and dashes.</summary>
    public string Site { get; set; } = string.Empty;

    /// <summary>Its name as people say it ("École élémentaire Jules Ferry").</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>IANA time zone of the site: lesson hours are local.</summary>
    public string Timezone { get; set; } = "Europe/Paris";

    /// <summary>Altitude in metres, for the CO2 sensors' pressure compensation.</summary>
    public int AltitudeM { get; set; }

    public List<RoomSpec> Rooms { get; set; } = [];

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(Timezone);

    /// <summary>The sensors this gateway reads: those with a bus, with their room.</summary>
    public IEnumerable<(RoomSpec Room, SensorSpec Sensor)> WiredSensors() =>
        Rooms.SelectMany(room => room.Sensors.Where(sensor => !string.IsNullOrWhiteSpace(sensor.Bus)).Select(sensor => (room, sensor)));
}

public sealed class RoomSpec
{
    /// <summary>The <c>room</c> tag: lower case, digits and dashes, unique in the site.</summary>
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    /// <summary>Air volume in m³ (length × width × height).</summary>
    public double VolumeM3 { get; set; }

    /// <summary>Pupils in a usual lesson.</summary>
    public int Pupils { get; set; }

    public List<SensorSpec> Sensors { get; set; } = [];
}

public sealed class SensorSpec
{
    /// <summary>The <c>sensor_id</c> tag, unique in the site.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>SCD40, SCD41, SCD30, MH-Z19B or S8.</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Where it is wired: "i2c-1" for the I2C sensors, "/dev/ttyAMA0" or "/dev/ttyUSB0" for the serial ones; empty: not read by this gateway.</summary>
    public string Bus { get; set; } = string.Empty;

    /// <summary>I2C address ("0x62"); empty means the model's default (SCD4x 0x62, SCD30 0x61).</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Seconds between readings; empty means as often as the sensor measures.</summary>
    public int? IntervalS { get; set; }
}

/// <summary>Reads and checks a site file; every problem comes back as one line naming the file, the place and the fix.</summary>
public static partial class SiteFileLoader
{
    public static (SiteFile? Site, IReadOnlyList<string> Errors) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (null, [$"Site:File = '{path}': no such file. Point it at your site's YAML under firmware-config/sites/."]);
        }

        var (site, error) = ConfigYaml.Read<SiteFile>(path);
        if (error is not null)
        {
            return (null, [error]);
        }

        if (site is null)
        {
            return (null, [$"{path}: the file is empty; it should describe the site, its rooms and their sensors."]);
        }

        return (site, Check(site, path));
    }

    public static IReadOnlyList<string> Check(SiteFile site, string path)
    {
        var errors = new List<string>();
        if (!IsIdentifier(site.Site))
        {
            errors.Add($"{path}: site = '{site.Site}': expected an identifier of lower-case letters, digits and dashes, e.g. ecole-jules-ferry.");
        }

        try
        {
            _ = site.TimeZone;
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"{path}: timezone = '{site.Timezone}': not a time zone this machine knows; expected an IANA name such as Europe/Paris (install the tzdata package if it is missing).");
        }

        if (site.Rooms.Count == 0)
        {
            errors.Add($"{path}: rooms: the site has no room; list at least one.");
        }

        var buses = new Dictionary<string, string>(StringComparer.Ordinal);
        var roomIds = new HashSet<string>(StringComparer.Ordinal);
        var sensorIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (room, index) in site.Rooms.Select((r, i) => (r, i)))
        {
            var where = $"{path}: rooms[{index}]{(string.IsNullOrEmpty(room.Id) ? string.Empty : $" ({room.Id})")}";
            if (!IsIdentifier(room.Id))
            {
                errors.Add($"{where}: id = '{room.Id}': expected an identifier of lower-case letters, digits and dashes, e.g. cm2-b.");
            }
            else if (!roomIds.Add(room.Id))
            {
                errors.Add($"{where}: id '{room.Id}' is used by another room; each room needs its own.");
            }

            if (room.VolumeM3 is <= 0 or > 5000)
            {
                errors.Add($"{where}: volume_m3 = {room.VolumeM3}: expected the room's air volume in cubic metres, e.g. 180.");
            }

            if (room.Pupils is < 0 or > 200)
            {
                errors.Add($"{where}: pupils = {room.Pupils}: expected the number of pupils in a usual lesson, e.g. 26.");
            }

            foreach (var sensor in room.Sensors)
            {
                if (!IsIdentifier(sensor.Id))
                {
                    errors.Add($"{where}: sensor id = '{sensor.Id}': expected an identifier of lower-case letters, digits and dashes, e.g. scd41-cm2-b.");
                }
                else if (!sensorIds.Add(sensor.Id))
                {
                    errors.Add($"{where}: sensor id '{sensor.Id}' is used twice in the site.");
                }

                if (string.IsNullOrWhiteSpace(sensor.Model))
                {
                    errors.Add($"{where}: sensor '{sensor.Id}' has no model; expected SCD40, SCD41, SCD30, MH-Z19B or S8.");
                }
                else if (!string.IsNullOrWhiteSpace(sensor.Bus))
                {
                    CheckWiring(sensor, where, buses, errors);
                }
            }
        }

        return errors;
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

            slot = $"{sensor.Bus.Replace("/dev/", string.Empty, StringComparison.Ordinal)} 0x{address ?? Sensors.Hardware.Drivers.SensorModels.DefaultAddress(sensor.Model):x2}";
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

    private static bool IsIdentifier(string? text) => ConfigYaml.IsIdentifier(text);

    [GeneratedRegex("^(/dev/)?i2c-[0-9]+$")]
    private static partial Regex I2cBusPattern();
}
