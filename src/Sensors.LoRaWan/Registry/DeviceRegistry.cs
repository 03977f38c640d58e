using Sensors.Sites;
using System.Text.RegularExpressions;
using Sensors.Core;
using Sensors.LoRaWan.Codecs;

namespace Sensors.LoRaWan.Registry;

/// <summary>What a device is: a classroom sensor, a bin's fill-level sensor or a lamp controller; it decides the measurement.</summary>
public enum AssetKind
{
    Room,
    Bin,
    Lamp,
}

/// <summary>How a device type's payloads are read.</summary>
public abstract record DeviceCodec(string Name)
{
    /// <summary>A decoder compiled into the gateway, from the vendor's payload documentation.</summary>
    public sealed record BuiltIn(IPayloadDecoder Decoder) : DeviceCodec(Decoder.Name);

    /// <summary>The network server already decoded it (its own codec): map its object.</summary>
    public sealed record NetworkServer(FieldMapping Mapping) : DeviceCodec(NetworkServerName);

    /// <summary>A vendor's JavaScript codec from the codecs folder, run in the sandbox, its data mapped.</summary>
    public sealed record Script(JsCodec Codec, FieldMapping Mapping) : DeviceCodec(Codec.Name);

    public const string NetworkServerName = "network-server";
}

/// <summary>One registered device, resolved: its asset, its type's codec, where its values go.</summary>
public sealed record RegisteredDevice(string DevEui, DeviceSpec Spec, string TypeName, string Model, DeviceCodec Codec, AssetKind Asset, string Measurement);

/// <summary>
/// The device registry as loaded and checked: device EUI → what it is and how to read it, the
/// trucks and the sectors. Immutable: a reload builds a new one, swapped in whole.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Dictionary<string, RegisteredDevice> _devices;
    private readonly Dictionary<string, TruckSpec> _trucks;

    public DeviceRegistry(IEnumerable<RegisteredDevice> devices, IEnumerable<TruckSpec> trucks, IEnumerable<SectorSpec> sectors)
    {
        _devices = devices.ToDictionary(d => d.DevEui, StringComparer.Ordinal);
        _trucks = trucks.ToDictionary(t => t.TruckId, StringComparer.Ordinal);
        Sectors = [.. sectors];
    }

    public static DeviceRegistry Empty { get; } = new([], [], []);

    public int Count => _devices.Count;

    public IReadOnlyList<SectorSpec> Sectors { get; }

    public IEnumerable<RegisteredDevice> Devices => _devices.Values;

    /// <summary>The device with this EUI (16 lower-case hex digits), or null.</summary>
    public RegisteredDevice? Find(string devEui) => _devices.GetValueOrDefault(devEui);

    public TruckSpec? Truck(string truckId) => _trucks.GetValueOrDefault(truckId);

    /// <summary>"24-E1-24-12…" or "24E124…" → "24e124…"; null when it is not an EUI-64.</summary>
    public static string? NormaliseEui(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var eui = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        return eui.Length == 16 && eui.All(Uri.IsHexDigit) ? eui : null;
    }

    /// <summary>The measurement an asset's values go to.</summary>
    public static string MeasurementOf(AssetKind asset) => asset switch
    {
        AssetKind.Room => "air_quality",
        AssetKind.Bin => "bin_fill",
        _ => "lamp",
    };
}

/// <summary>
/// Reads firmware-config/registry/devices.yaml and the codecs it names; every problem comes back
/// as one line naming the file, the entry and the fix. JavaScript codecs are compiled here, so a
/// codec that does not compile is refused with the registry, not found at the first uplink.
/// </summary>
public static partial class DeviceRegistryLoader
{
    public static (DeviceRegistry? Registry, IReadOnlyList<string> Errors) Load(string path, string codecsDirectory)
    {
        if (!File.Exists(path))
        {
            return (null, [$"LoRaWan:Registry = '{path}': no such file. Point it at the device registry (firmware-config/registry/devices.yaml)."]);
        }

        var (file, error) = ConfigYaml.Read<RegistryFile>(path);
        if (error is not null)
        {
            return (null, [error]);
        }

        file ??= new RegistryFile();
        var errors = new List<string>();
        var codecs = new Dictionary<string, (DeviceTypeSpec Spec, DeviceCodec Codec)>(StringComparer.Ordinal);
        foreach (var (name, type) in file.DeviceTypes)
        {
            if (Resolve(path, codecsDirectory, name, type, errors) is { } codec)
            {
                codecs[name] = (type, codec);
            }
        }

        var devices = new List<RegisteredDevice>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (device, index) in file.Devices.Select((d, i) => (d, i)))
        {
            var where = $"{path}: devices[{index}]{(string.IsNullOrEmpty(device.DevEui) ? string.Empty : $" ({device.DevEui})")}";
            var eui = DeviceRegistry.NormaliseEui(device.DevEui);
            if (eui is null)
            {
                errors.Add($"{where}: dev_eui = '{device.DevEui}': expected the device EUI, 16 hex digits as printed on the device (24E124128C147204).");
                continue;
            }

            if (!seen.Add(eui))
            {
                errors.Add($"{where}: dev_eui {eui} is registered twice; a device is one asset.");
                continue;
            }

            var assets = new[] { (AssetKind.Room, device.Room), (AssetKind.Bin, device.BinId), (AssetKind.Lamp, device.LampId) }.Where(a => !string.IsNullOrEmpty(a.Item2)).ToList();
            if (assets.Count != 1)
            {
                errors.Add($"{where}: give exactly one of room, bin_id or lamp_id (what the device measures){(assets.Count > 1 ? $"; it has {assets.Count}" : string.Empty)}.");
                continue;
            }

            var (asset, assetId) = assets[0];
            foreach (var (key, value) in new[] { ("site", device.Site), ("room/bin_id/lamp_id", assetId), ("sector", device.Sector), ("street", device.Street), ("sensor_id", device.SensorId) })
            {
                if ((key == "site" || value is not null) && !ConfigYaml.IsIdentifier(value))
                {
                    errors.Add($"{where}: {key} = '{value}': expected an identifier of lower-case letters, digits and dashes, e.g. {(key == "site" ? "depot-nord" : "bac-0042")}.");
                }
            }

            if (device.DepthMm is { } depth && depth is < 100 or > 10_000)
            {
                errors.Add($"{where}: depth_mm = {depth}: expected the bin's depth from the sensor to the bottom in millimetres, e.g. 1200.");
            }

            if (!codecs.TryGetValue(device.Type, out var type))
            {
                if (!file.DeviceTypes.ContainsKey(device.Type))
                {
                    errors.Add($"{where}: type = '{device.Type}' is not under device_types; known: {string.Join(", ", file.DeviceTypes.Keys)}.");
                }

                continue;
            }

            var measurement = string.IsNullOrEmpty(type.Spec.Measurement) ? DeviceRegistry.MeasurementOf(asset) : type.Spec.Measurement;
            devices.Add(new RegisteredDevice(eui, device, device.Type, type.Spec.Model, type.Codec, asset, measurement));
        }

        var trucks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var truck in file.Trucks)
        {
            if (!ConfigYaml.IsIdentifier(truck.TruckId) || !trucks.Add(truck.TruckId))
            {
                errors.Add($"{path}: trucks: truck_id = '{truck.TruckId}': expected a unique identifier of lower-case letters, digits and dashes, e.g. camion-07.");
            }
        }

        foreach (var sector in file.Sectors)
        {
            if (!ConfigYaml.IsIdentifier(sector.Id))
            {
                errors.Add($"{path}: sectors: id = '{sector.Id}': expected an identifier of lower-case letters, digits and dashes, e.g. nord.");
            }

            if (sector.Box is not [var south, var west, var north, var east] || south >= north || west >= east || south < -90 || north > 90 || west < -180 || east > 180)
            {
                errors.Add($"{path}: sectors: {sector.Id}: box = [{string.Join(", ", sector.Box)}]: expected [south, west, north, east] in degrees, e.g. [48.85, 2.30, 48.87, 2.33].");
            }
        }

        return errors.Count > 0 ? (null, errors) : (new DeviceRegistry(devices, file.Trucks, file.Sectors), errors);
    }

    private static DeviceCodec? Resolve(string path, string codecsDirectory, string name, DeviceTypeSpec type, List<string> errors)
    {
        var where = $"{path}: device_types: {name}";
        if (string.IsNullOrWhiteSpace(type.Model))
        {
            errors.Add($"{where}: model is empty; give the maker's model name, e.g. EM310-UDL (it becomes the device_model tag).");
        }

        if (!string.IsNullOrEmpty(type.Measurement) && !ConfigYaml.IsIdentifier(type.Measurement.Replace('_', '-')))
        {
            errors.Add($"{where}: measurement = '{type.Measurement}': expected a name such as bin_fill.");
        }

        var (mapping, problems) = FieldMapping.Parse(type.Fields);
        errors.AddRange(problems.Select(p => $"{where}: fields: {p}."));
        if (type.Codec == DeviceCodec.NetworkServerName)
        {
            return new DeviceCodec.NetworkServer(mapping);
        }

        if (type.Codec.EndsWith(".js", StringComparison.Ordinal))
        {
            if (!JsFileName().IsMatch(type.Codec))
            {
                errors.Add($"{where}: codec = '{type.Codec}': a JavaScript codec is a file name in {codecsDirectory}, without folders.");
                return null;
            }

            var file = Path.Combine(codecsDirectory, type.Codec);
            if (!File.Exists(file))
            {
                errors.Add($"{where}: codec = '{type.Codec}': no such file in {codecsDirectory}. Drop the vendor's codec there.");
                return null;
            }

            try
            {
                return new DeviceCodec.Script(JsCodec.Load(type.Codec, File.ReadAllText(file)), mapping);
            }
            catch (PayloadException error)
            {
                errors.Add($"{where}: {error.Message}");
                return null;
            }
        }

        if (type.Fields.Count > 0)
        {
            errors.Add($"{where}: fields is for network-server and JavaScript codecs; the built-in {type.Codec} already names its fields.");
        }

        if (BuiltInDecoders.Find(type.Codec) is { } decoder)
        {
            return new DeviceCodec.BuiltIn(decoder);
        }

        errors.Add($"{where}: codec = '{type.Codec}': expected a built-in decoder ({string.Join(", ", BuiltInDecoders.All.Select(d => d.Name))}), network-server, or a .js file in {codecsDirectory}.");
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\.js$")]
    private static partial Regex JsFileName();
}
