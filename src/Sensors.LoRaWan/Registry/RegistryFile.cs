namespace Sensors.LoRaWan.Registry;

/// <summary>
/// firmware-config/registry/devices.yaml as written: the device types (which codec reads a model,
/// and how its values map to our fields), the devices (EUI → asset), the trucks' onboard units
/// and the collection sectors. Keys are snake_case in the file.
/// </summary>
public sealed class RegistryFile
{
    public Dictionary<string, DeviceTypeSpec> DeviceTypes { get; set; } = [];

    public List<DeviceSpec> Devices { get; set; } = [];

    public List<TruckSpec> Trucks { get; set; } = [];

    public List<SectorSpec> Sectors { get; set; } = [];
}

public sealed class DeviceTypeSpec
{
    /// <summary>The <c>sensor_model</c> / <c>device_model</c> tag ("AM103", "EM310-UDL").</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>A built-in decoder ("milesight-am103"), <c>network-server</c> (the server's decoded object), or a file under codecs/ ("acme-bin.js").</summary>
    public string Codec { get; set; } = string.Empty;

    /// <summary>Where the values go; empty means what the asset says (room → air_quality, bin_id → bin_fill, lamp_id → lamp).</summary>
    public string Measurement { get; set; } = string.Empty;

    /// <summary>For <c>network-server</c> and JavaScript codecs: our field → "$.path" in the decoded object, optionally "* factor".</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>How often a device of this type sends, in seconds (<c>uplink_every_s</c>): the operations console calls it silent after three missed uplinks. Unset: silent after 24 h.</summary>
    public int? UplinkEveryS { get; set; }

    /// <summary>For lamp controllers: the lamp's rated power at 100 % (<c>rated_power_w</c>); the console flags a lamp drawing far from it for its dimming level.</summary>
    public double? RatedPowerW { get; set; }

    /// <summary>The console's "battery low" for this type, in % (<c>battery_low_pct</c>) or volts (<c>battery_low_v</c>: a lithium-thionyl cell at 3.3 V, two AA at 2.4 V); unset: the console's own thresholds.</summary>
    public double? BatteryLowPct { get; set; }

    public double? BatteryLowV { get; set; }
}

public sealed class DeviceSpec
{
    /// <summary>The LoRaWAN device EUI, 16 hex digits (dashes and colons allowed).</summary>
    public string DevEui { get; set; } = string.Empty;

    /// <summary>A key of <c>device_types</c>.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The <c>site</c> tag: school, depot or district.</summary>
    public string Site { get; set; } = string.Empty;

    /// <summary>A classroom (air_quality).</summary>
    public string? Room { get; set; }

    /// <summary>A bin or container (bin_fill).</summary>
    public string? BinId { get; set; }

    /// <summary>A lamp post (lamp).</summary>
    public string? LampId { get; set; }

    /// <summary>A bin's collection sector (the <c>sector</c> tag the portal aggregates by).</summary>
    public string? Sector { get; set; }

    /// <summary>A lamp's street (the <c>street</c> tag the portal aggregates by).</summary>
    public string? Street { get; set; }

    /// <summary>A classroom sensor's <c>sensor_id</c>; empty means the device EUI.</summary>
    public string? SensorId { get; set; }

    /// <summary>A bin's depth: from the fill-level sensor to the bottom, in mm; the fill % is computed from it.</summary>
    public int? DepthMm { get; set; }
}

/// <summary>A truck's onboard RFID unit.</summary>
public sealed class TruckSpec
{
    public string TruckId { get; set; } = string.Empty;

    /// <summary>The sector of its round, when a pickup's position falls in no sector.</summary>
    public string? Sector { get; set; }
}

/// <summary>A collection sector, as a box of latitude and longitude: [south, west, north, east].</summary>
public sealed class SectorSpec
{
    public string Id { get; set; } = string.Empty;

    public List<double> Box { get; set; } = [];

    public bool Contains(double latitude, double longitude) =>
        Box.Count == 4 && latitude >= Box[0] && latitude <= Box[2] && longitude >= Box[1] && longitude <= Box[3];
}
