namespace Sensors.Sites;

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

    /// <summary>
    /// Lesson hours per day ("monday: 08:30-12:00, 13:30-16:30"); left out, a French primary
    /// school's week (<see cref="LessonHours.Default"/>). The portal shades them on the curves and
    /// counts only them in the confinement index.
    /// </summary>
    public Dictionary<string, string>? Lessons { get; set; }

    /// <summary>The parsed <see cref="Lessons"/> (parsed once); valid once <see cref="SiteFiles.Check"/> found no problem.</summary>
    public LessonHours LessonHours => _lessonHours ??= Lessons is null ? LessonHours.Default : LessonHours.Parse(Lessons, Site).Hours ?? LessonHours.Default;

    private LessonHours? _lessonHours;

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

    /// <summary>The light in the room, driven by the gateway from its CO2 sensor; none when left out.</summary>
    public IndicatorSpec? Indicator { get; set; }
}

/// <summary>The kinds of classroom indicator a site file names.</summary>
public static class IndicatorKind
{
    /// <summary>Three LEDs on GPIO, an optional buzzer and mute button.</summary>
    public const string Leds = "leds";

    /// <summary>A 16×2 character LCD on an I2C backpack.</summary>
    public const string Lcd = "lcd";

    /// <summary>WS2812B LEDs on SPI.</summary>
    public const string Strip = "strip";
}

/// <summary>
/// A classroom indicator: three LEDs on GPIO (<c>kind: leds</c>, with an optional buzzer and mute
/// button), a 16×2 character LCD on an I2C backpack (<c>kind: lcd</c>), or a strip of WS2812B LEDs
/// on SPI (<c>kind: strip</c>). Pins are BCM GPIO numbers.
/// </summary>
public sealed class IndicatorSpec
{
    /// <summary>leds, lcd or strip (<see cref="IndicatorKind"/>).</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>Whether <see cref="Kind"/> is <paramref name="kind"/> (whatever its case and spaces).</summary>
    public bool Is(string kind) => string.Equals(Kind.Trim(), kind, StringComparison.OrdinalIgnoreCase);

    public int? Green { get; set; }

    public int? Orange { get; set; }

    public int? Red { get; set; }

    /// <summary>A buzzer's pin: it sounds at red during lesson hours, until muted.</summary>
    public int? Buzzer { get; set; }

    /// <summary>A push button to GND that silences the buzzer until the air is back under red.</summary>
    public int? MuteButton { get; set; }

    /// <summary>The LCD's I2C bus ("i2c-1").</summary>
    public string Bus { get; set; } = string.Empty;

    /// <summary>The LCD backpack's address; empty: 0x27 (PCF8574; a PCF8574A answers at 0x3f).</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>The strip's SPI device ("spidev0.0": MOSI is GPIO10).</summary>
    public string Spi { get; set; } = string.Empty;

    /// <summary>How many LEDs the strip has.</summary>
    public int? Leds { get; set; }
}

public sealed class SensorSpec
{
    /// <summary>The <c>sensor_id</c> tag, unique in the site.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>A CO2 sensor (SCD40, SCD41, SCD30, MH-Z19B, S8) or a climate one (SHT40/41/45, SHT30/31/35, BME280).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Where it is wired: "i2c-1" for the I2C sensors, "/dev/ttyAMA0" or "/dev/ttyUSB0" for the serial ones; empty: not read by this gateway.</summary>
    public string Bus { get; set; } = string.Empty;

    /// <summary>I2C address ("0x62"); empty means the model's default (SCD4x 0x62, SCD30 0x61, SHT4x and SHT3x 0x44, BME280 0x76).</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Seconds between readings; empty means as often as the sensor measures.</summary>
    public int? IntervalS { get; set; }

    /// <summary>The TCA9548A multiplexer the sensor is behind ("0x70"); empty: the sensor is on the bus itself.</summary>
    public string Mux { get; set; } = string.Empty;

    /// <summary>The multiplexer's channel (0–7) the sensor is wired to.</summary>
    public int? Channel { get; set; }
}


/// <summary>
/// Reads and checks a site file for what every reader of it needs (identifiers, time zone, rooms,
/// lesson hours); the gateway adds its own check of the sensors' wiring. Every problem is one line
/// naming the file, the place and the fix.
/// </summary>
public static class SiteFiles
{
    public static (SiteFile? Site, IReadOnlyList<string> Errors) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (null, [$"{path}: no such file. Point it at the site's YAML under firmware-config/sites/."]);
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

    /// <summary>Every site file of a folder (*.yaml), in name order, with the problems of each.</summary>
    public static (IReadOnlyList<SiteFile> Sites, IReadOnlyList<string> Errors) LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return ([], [$"{folder}: no such folder; expected the folder of site files, e.g. firmware-config/sites."]);
        }

        var sites = new List<SiteFile>();
        var errors = new List<string>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var (site, problems) = Load(path);
            errors.AddRange(problems);
            if (site is not null && problems.Count == 0)
            {
                if (sites.Any(s => s.Site == site.Site))
                {
                    errors.Add($"{path}: site '{site.Site}' is described by another file too; keep one file per site.");
                    continue;
                }

                sites.Add(site);
            }
        }

        return (sites, errors);
    }

    public static IReadOnlyList<string> Check(SiteFile site, string path)
    {
        var errors = new List<string>();
        if (!ConfigYaml.IsIdentifier(site.Site))
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

        if (site.Lessons is not null)
        {
            errors.AddRange(LessonHours.Parse(site.Lessons, path).Errors);
        }

        if (site.Rooms.Count == 0)
        {
            errors.Add($"{path}: rooms: the site has no room; list at least one.");
        }

        var roomIds = new HashSet<string>(StringComparer.Ordinal);
        var sensorIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (room, index) in site.Rooms.Select((r, i) => (r, i)))
        {
            var where = Where(path, room, index);
            if (!ConfigYaml.IsIdentifier(room.Id))
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
                if (!ConfigYaml.IsIdentifier(sensor.Id))
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
            }
        }

        return errors;
    }

    /// <summary>"path: rooms[2] (cm2-b)": where a room's problem is.</summary>
    public static string Where(string path, RoomSpec room, int index) =>
        $"{path}: rooms[{index}]{(string.IsNullOrEmpty(room.Id) ? string.Empty : $" ({room.Id})")}";
}
