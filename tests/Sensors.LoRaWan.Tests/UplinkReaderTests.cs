using System.Text;
using Sensors.Core;
using Sensors.LoRaWan.Registry;
using Sensors.Testing;

namespace Sensors.LoRaWan.Tests;

/// <summary>Uplinks through the example registry: the readings a user finds in InfluxDB.</summary>
public sealed class UplinkReaderTests
{
    private static readonly DateTimeOffset Heard = new(2026, 11, 24, 7, 31, 10, TimeSpan.Zero);
    private readonly UplinkReader _reader;

    public UplinkReaderTests()
    {
        var (registry, errors) = DeviceRegistryLoader.Load(RepoPaths.Of("firmware-config/registry/devices.yaml"), RepoPaths.Of("firmware-config/codecs"));
        Assert.Empty(errors);
        _reader = new UplinkReader(() => registry!);
    }

    private static Uplink Up(string devEui, uint fCnt, int fPort, string hex, string? decoded = null) => new(
        NetworkServer.ChirpStack, devEui, null, fCnt, fPort, Convert.FromHexString(hex),
        decoded is null ? null : System.Text.Json.JsonDocument.Parse(decoded).RootElement.Clone(),
        Heard, [new RadioReception("0016c001ff1a3b2c", -97, 7.5), new RadioReception("0016c001ff1a3b2d", -112, 0)], 7, 868_500_000, null);

    [Fact]
    public void BinFillSensor_GivesFillFromTheRegisteredDepth_AndOneLinkPerGateway()
    {
        // EM310-UDL: battery 100 %, distance 1200 mm (0x04B0), not tilted; the bin is 1500 mm deep.
        var result = _reader.Read(Up("24e124713b249730", 117, 85, "0175640382B004040000"));

        Assert.Equal(UplinkOutcome.Decoded, result.Outcome);
        var fill = Assert.Single(result.Readings, r => r.Measurement == "bin_fill");
        Assert.Equal("depot-nord", fill.Tag("site"));
        Assert.Equal("pav-verre-0012", fill.Tag("bin_id"));
        Assert.Equal("nord", fill.Tag("sector"));
        Assert.Equal("EM310-UDL", fill.Tag("device_model"));
        Assert.Equal(1200.0, fill.Field("distance_mm")!.Value.AsNumber);
        Assert.Equal(20.0, fill.Field("fill_pct")!.Value.AsNumber);
        Assert.Equal(Heard, fill.Timestamp);
        var links = result.Readings.Where(r => r.Measurement == "lorawan_link").ToList();
        Assert.Equal(["0016c001ff1a3b2c", "0016c001ff1a3b2d"], links.Select(l => l.Tag("gateway_id")));
        Assert.Equal(-97.0, links[0].Field("rssi_dbm")!.Value.AsNumber);
        Assert.Equal(117L, links[0].Field("f_cnt")!.Value.AsInteger);
        Assert.Equal(7L, links[0].Field("spreading_factor")!.Value.AsInteger);
    }

    [Fact]
    public void ClassroomSensor_HistoryFrames_KeepTheDevicesTime()
    {
        // AM103 history frame (20 CE): time 0x6742E1A0, 22.5 °C, 45 %, 1250 ppm.
        var result = _reader.Read(Up("24e124710b423527", 9, 85, "20CEA0E14267E1005AE204"));

        var room = Assert.Single(result.Readings, r => r.Measurement == "air_quality");
        Assert.Equal("refectoire", room.Tag("room"));
        Assert.Equal("am103-refectoire", room.Tag("sensor_id"));
        Assert.Equal("AM103", room.Tag("sensor_model"));
        Assert.Equal(1250.0, room.Field("co2_ppm")!.Value.AsNumber);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0x6742E1A0), room.Timestamp);
    }

    [Fact]
    public void NetworkServerObject_IsMapped_ByTheDeviceType()
    {
        var result = _reader.Read(Up("70b3d5e75e00a101", 3, 10, string.Empty, """{"lamp":{"on":true,"dim":60},"power":48.5,"energy_wh":12500,"fault":0}"""));

        var lamp = Assert.Single(result.Readings, r => r.Measurement == "lamp");
        Assert.Equal("place-de-la-republique", lamp.Tag("street"));
        Assert.True(lamp.Field("on")!.Value.AsBoolean);
        Assert.Equal(60.0, lamp.Field("dim_pct")!.Value.AsNumber);
        Assert.Equal(12.5, lamp.Field("energy_kwh")!.Value.AsNumber);
        Assert.Equal(0.0, lamp.Field("fault_code")!.Value.AsNumber);
    }

    [Fact]
    public void JavaScriptCodec_ResultIsMapped()
    {
        var result = _reader.Read(Up("a840414f61838e52", 40, 2, "0CE405DC0000D501"));

        var fill = Assert.Single(result.Readings, r => r.Measurement == "bin_fill");
        Assert.Equal(1500.0, fill.Field("distance_mm")!.Value.AsNumber);
        Assert.Equal(16.7, fill.Field("fill_pct")!.Value.AsNumber);
        Assert.Equal(3.3, fill.Field("battery_v")!.Value.AsNumber);
        Assert.Equal("LDDS75", fill.Tag("device_model"));
    }

    [Fact]
    public void FrameWithoutADistance_GivesNoFill()
    {
        // LDDS75 at 261 mm: below the probe's range, the codec leaves the distance out; EM310-UDL battery only.
        var shortRange = _reader.Read(Up("a840414f61838e52", 41, 2, "0B45010500000001"));
        var batteryOnly = _reader.Read(Up("24e124713b249731", 3, 85, "017564"));

        Assert.Null(Assert.Single(shortRange.Readings, r => r.Measurement == "bin_fill").Field("fill_pct"));
        Assert.Null(Assert.Single(batteryOnly.Readings, r => r.Measurement == "bin_fill").Field("fill_pct"));
    }

    [Fact]
    public void SameUplinkTwice_CountsOnce_GivesTheSamePointsAgain_AndGapsAreLost()
    {
        var first = _reader.Read(Up("24e124468c120001", 10, 85, "0374E608"));
        var again = _reader.Read(Up("24e124468c120001", 10, 85, "0374E608"));

        Assert.Equal(UplinkOutcome.Decoded, first.Outcome);
        Assert.Equal(UplinkOutcome.Duplicate, again.Outcome);
        Assert.NotEmpty(again.Readings);
        Assert.Equal(first.Readings.Select(r => r.ToString()), again.Readings.Select(r => r.ToString()));
        Assert.Equal(UplinkOutcome.Decoded, _reader.Read(Up("24e124468c120001", 14, 85, "0374E608")).Outcome);

        Assert.Equal(3, _reader.Frames.LostBy("24e124468c120001"));
        Assert.Equal(1, _reader.Frames.Duplicates);
    }

    [Fact]
    public void UnknownDevice_IsCounted_AndFlaggedOnlyTheFirstTime()
    {
        var first = _reader.Read(Up("0000000000000001", 1, 85, "0175640382B004040000"));
        var second = _reader.Read(Up("0000000000000001", 2, 85, "0175640382B004040000"));

        Assert.Equal(UplinkOutcome.UnknownDevice, first.Outcome);
        Assert.True(first.FirstTimeUnknown);
        Assert.False(second.FirstTimeUnknown);
        Assert.Equal(2, _reader.UnknownUplinks);
    }

    [Fact]
    public void UnreadablePayload_SaysDevicePortAndHex()
    {
        var error = Assert.Throws<UplinkException>(() => _reader.Read(Up("24e124713b249730", 5, 85, "0175649999")));

        Assert.Contains("24e124713b249730", error.Message);
        Assert.Contains("fPort 85", error.Message);
        Assert.Contains("0175649999", error.Message);
        Assert.Contains("unknown channel 0x99", error.Message);
        Assert.Equal(1, _reader.Unreadable);
    }

    [Fact]
    public void NetworkServerType_WithoutDecodedObject_SaysWhereToSetTheCodec()
    {
        var error = Assert.Throws<UplinkException>(() => _reader.Read(Up("70b3d5e75e00a101", 8, 10, "01")));

        Assert.Contains("device profile", error.Message);
    }

    [Fact]
    public void StatusEvent_OfARegisteredDevice_GivesItsBattery()
    {
        var status = Envelopes.ReadStatus(
            "application/x/device/24e124713b249730/event/status",
            Encoding.UTF8.GetBytes("""{"time":"2026-11-24T07:00:00Z","deviceInfo":{"devEui":"24e124713b249730"},"margin":7,"batteryLevel":87.5}"""),
            Heard);

        var reading = Assert.Single(_reader.Read(status));
        Assert.Equal("lorawan_link", reading.Measurement);
        Assert.Equal(87.5, reading.Field("battery_pct")!.Value.AsNumber);
        Assert.Equal(7L, reading.Field("margin_db")!.Value.AsInteger);
    }
}
