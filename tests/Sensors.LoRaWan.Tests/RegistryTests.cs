using Sensors.LoRaWan.Registry;
using Sensors.Testing;

namespace Sensors.LoRaWan.Tests;

/// <summary>The device registry as a technician writes it: the example loads, and each mistake is one line with the fix.</summary>
public sealed class RegistryTests
{
    [Fact]
    public void ExampleRegistry_Loads_WithItsCodecs()
    {
        var (registry, errors) = DeviceRegistryLoader.Load(RepoPaths.Of("firmware-config/registry/devices.yaml"), RepoPaths.Of("firmware-config/codecs"));

        Assert.Empty(errors);
        Assert.NotNull(registry);
        var bin = registry.Find("24e124713b249730")!;
        Assert.Equal(AssetKind.Bin, bin.Asset);
        Assert.Equal("bin_fill", bin.Measurement);
        Assert.IsType<DeviceCodec.BuiltIn>(bin.Codec);
        Assert.IsType<DeviceCodec.Script>(registry.Find("a840414f61838e52")!.Codec);
        Assert.IsType<DeviceCodec.NetworkServer>(registry.Find("70b3d5e75e00a101")!.Codec);
        Assert.Equal("air_quality", registry.Find("24e124710b423527")!.Measurement);
        Assert.Equal("nord", registry.Truck("camion-07")!.Sector);
    }

    [Fact]
    public void Mistakes_AreEachNamed_WithTheFix()
    {
        using var folder = new TempFolder();
        var codecs = Directory.CreateDirectory(Path.Combine(folder.Path, "codecs")).FullName;
        File.WriteAllText(Path.Combine(codecs, "broken.js"), "function decodeUplink(input) { return {data: {}; }");
        var path = Path.Combine(folder.Path, "devices.yaml");
        File.WriteAllText(path, """
            device_types:
              good:
                model: EM310-UDL
                codec: milesight-em310-udl
              nocodec:
                model: X
                codec: acme-9000
              broken:
                model: Y
                codec: broken.js
              missing:
                model: Z
                codec: nowhere.js
              badmap:
                model: W
                codec: network-server
                fields:
                  Power: $.power
                  energy_kwh: $.e * kilo
            devices:
              - dev_eui: 24E124713B24973
                type: good
                site: depot
                bin_id: b-1
              - dev_eui: 24E124713B249730
                type: good
                site: depot
                bin_id: b-1
                lamp_id: l-1
              - dev_eui: 24E124713B249731
                type: unheard-of
                site: depot
                lamp_id: l-2
              - dev_eui: 24-E1-24-71-3B-24-97-32
                type: good
                site: Depot Nord
                bin_id: b-3
                depth_mm: 20
            sectors:
              - id: nord
                box: [48.88, 2.33, 48.86, 2.36]
            """);

        var (registry, errors) = DeviceRegistryLoader.Load(path, codecs);

        Assert.Null(registry);
        Assert.Contains(errors, e => e.Contains("nocodec") && e.Contains("acme-9000") && e.Contains("milesight-em310-udl"));
        Assert.Contains(errors, e => e.Contains("broken") && e.Contains("does not compile") && e.Contains("line 1"));
        Assert.Contains(errors, e => e.Contains("nowhere.js") && e.Contains("no such file"));
        Assert.Contains(errors, e => e.Contains("'Power'") && e.Contains("lower-case"));
        Assert.Contains(errors, e => e.Contains("energy_kwh") && e.Contains("after '*' a number"));
        Assert.Contains(errors, e => e.Contains("24E124713B24973'") && e.Contains("16 hex digits"));
        Assert.Contains(errors, e => e.Contains("exactly one of room, bin_id or lamp_id"));
        Assert.Contains(errors, e => e.Contains("unheard-of") && e.Contains("not under device_types"));
        Assert.Contains(errors, e => e.Contains("site = 'Depot Nord'"));
        Assert.Contains(errors, e => e.Contains("depth_mm = 20"));
        Assert.Contains(errors, e => e.Contains("box = [48.88, 2.33, 48.86, 2.36]"));
        Assert.All(errors, e => Assert.StartsWith(path, e));
    }

    [Fact]
    public void UnknownKey_IsNamed_WithTheKnownOnes()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "devices.yaml");
        File.WriteAllText(path, "devices:\n  - dev_eui: 24E124713B249730\n    typ: good\n");

        var (_, errors) = DeviceRegistryLoader.Load(path, folder.Path);

        var error = Assert.Single(errors);
        Assert.Contains($"{path}:3:", error);
        Assert.Contains("unknown key 'typ'", error);
        Assert.Contains("dev_eui", error);
    }
}
