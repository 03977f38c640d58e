using Microsoft.Extensions.Logging.Abstractions;
using Sensors.Gateway.Sources.LoRaWan;
using Sensors.LoRaWan.Pickups;
using Sensors.LoRaWan.Registry;
using Sensors.Simulation;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.LoRaWan;

/// <summary>The demo's field devices speak the real envelopes and payloads: the gateway's readers take every message of a simulated day.</summary>
public sealed class FieldSimulationTests
{
    [Fact]
    public void ASimulatedDay_IsReadWhole_ByTheGatewaysReaders()
    {
        var (registry, errors) = DeviceRegistryLoader.Load(RepoPaths.Of("firmware-config/registry/devices.yaml"), RepoPaths.Of("firmware-config/codecs"));
        Assert.Empty(errors);
        var provider = new RegistryProvider(registry, null, null, NullLogger<RegistryProvider>.Instance);
        var lorawan = new LoRaWanMessageReader(provider, NullLogger<LoRaWanMessageReader>.Instance);
        var pickups = new PickupMessageReader(new PickupReader(new ChipPseudonymiser(new byte[32]), new LiftWindow(TimeSpan.FromMinutes(1)), () => provider.Current));
        var field = new FieldDevices([.. registry!.Devices.Select(d => new FieldDevice(d.DevEui, d.TypeName, d.Spec.DepthMm))]);

        var readings = new List<Sensors.Core.Reading>();
        var reads = 0;
        var start = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
        for (var minute = 0; minute < 24 * 60; minute++)
        {
            foreach (var message in field.Tick(start.AddMinutes(minute), TimeSpan.FromMinutes(1)))
            {
                if (message.Topic.StartsWith("trucks/", StringComparison.Ordinal))
                {
                    reads++;
                    readings.AddRange(pickups.Read(message.Topic, System.Text.Encoding.UTF8.GetBytes(message.Payload), start));
                }
                else
                {
                    readings.AddRange(lorawan.FromMqtt(message.Topic, System.Text.Encoding.UTF8.GetBytes(message.Payload), start));
                }
            }
        }

        Assert.Equal(24 * 60 * registry.Count, lorawan.Reader.Decoded);
        Assert.Equal(0, lorawan.Reader.Frames.Lost);
        var fills = readings.Where(r => r.Measurement == "bin_fill").Select(r => r.Field("fill_pct")!.Value.AsNumber!.Value).ToList();
        Assert.Equal(3 * 24 * 60, fills.Count);
        Assert.InRange(fills.Max(), 80, 100);
        Assert.InRange(fills.Min(), 0, 5);
        var lamps = readings.Where(r => r.Measurement == "lamp" && r.Tag("lamp_id") == "lp-gare-001").ToList();
        Assert.Contains(lamps, l => l.Field("on")!.Value.AsBoolean);
        Assert.Contains(lamps, l => !l.Field("on")!.Value.AsBoolean);
        // Every read gives its lift's point (a repeated read the same one again): count distinct points.
        var pickedUp = readings.Where(r => r.Measurement == "bin_pickup").Select(r => r.ToString()).Distinct().Count();
        Assert.Equal(pickups.Reader.Pickups, pickedUp);
        Assert.InRange(pickedUp, 100, reads / 2);
        Assert.Contains(readings, r => r.Measurement == "air_quality" && r.Tag("room") == "refectoire" && r.Field("co2_ppm")!.Value.AsNumber > 1000);
    }
}
