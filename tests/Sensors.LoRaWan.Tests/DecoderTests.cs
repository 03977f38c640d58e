using Sensors.Core;
using Sensors.LoRaWan.Codecs;

namespace Sensors.LoRaWan.Tests;

/// <summary>The vendors' published example payloads, decoded to the documented values.</summary>
public sealed class DecoderTests
{
    private static Dictionary<string, FieldValue> Fields(DecodedPoint point) => point.Fields.ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public void Am103_VendorExample()
    {
        // Milesight's example: 017564 03671801 04686D 077DC501 → battery 100, temperature 28, humidity 54.5, co2 453.
        var point = Assert.Single(new MilesightAm103Decoder().Decode(85, Convert.FromHexString("01756403671801046 86D077DC501".Replace(" ", ""))));
        var fields = Fields(point);
        Assert.Null(point.At);
        Assert.Equal(100.0, fields["battery_pct"].AsFloat);
        Assert.Equal(28.0, fields["temperature_c"].AsFloat);
        Assert.Equal(54.5, fields["humidity_pct"].AsFloat);
        Assert.Equal(453.0, fields["co2_ppm"].AsFloat);
    }

    [Fact]
    public void Am103_HistoryFrame_KeepsTheDevicesOwnTime()
    {
        // 20 CE, timestamp 2026-11-24T06:00:00Z (0x6922F560 little-endian), 21.5 °C, 45 %, 812 ppm.
        var at = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);
        var bytes = new List<byte> { 0x20, 0xCE };
        bytes.AddRange(BitConverter.GetBytes((uint)at.ToUnixTimeSeconds()));
        bytes.AddRange(BitConverter.GetBytes((short)215));
        bytes.Add(90);
        bytes.AddRange(BitConverter.GetBytes((ushort)812));
        var point = Assert.Single(new MilesightAm103Decoder().Decode(85, bytes.ToArray()));
        Assert.Equal(at, point.At);
        Assert.Equal(812.0, Fields(point)["co2_ppm"].AsFloat);
        Assert.Equal(21.5, Fields(point)["temperature_c"].AsFloat);
    }

    [Fact]
    public void Em310Udl_VendorExample()
    {
        // 01755C 03824408 040001 → battery 92, distance 2116 mm, position tilt.
        var fields = Fields(Assert.Single(new MilesightEm310UdlDecoder().Decode(85, Convert.FromHexString("01755C03824408040001"))));
        Assert.Equal(92.0, fields["battery_pct"].AsFloat);
        Assert.Equal(2116.0, fields["distance_mm"].AsFloat);
        Assert.True(fields["tilted"].AsBoolean);
    }

    [Fact]
    public void Ws558_VendorExample()
    {
        // 08310001 058164 07C90200 0374B208 068301000000 048001000000 → 222.6 V, 1 W, 100 %, 2 mA, 1 Wh, switch 1 on.
        var fields = Fields(Assert.Single(new MilesightWs558Decoder().Decode(85, Convert.FromHexString("08310001058164" + "07C90200" + "0374B208" + "068301000000" + "048001000000"))));
        Assert.Equal(222.6, fields["voltage_v"].AsFloat, 6);
        Assert.Equal(1.0, fields["power_w"].AsFloat);
        Assert.Equal(100.0, fields["power_factor_pct"].AsFloat);
        Assert.Equal(2.0, fields["current_ma"].AsFloat);
        Assert.Equal(0.001, fields["energy_kwh"].AsFloat, 9);
        Assert.True(fields["on"].AsBoolean);
    }

    [Fact]
    public void AttributeChannels_AreSkipped()
    {
        // FF 0B FF (device status) FF 16 + 8-byte serial, then the battery.
        var fields = Fields(Assert.Single(new MilesightEm310UdlDecoder().Decode(85, Convert.FromHexString("FF0BFFFF166136D19043710000017550"))));
        Assert.Equal(80.0, fields["battery_pct"].AsFloat);
    }

    [Theory]
    [InlineData("0175", "channel 0x01 type 0x75 at byte 0: a 1-byte value is cut short")]
    [InlineData("FF16AABB", "channel 0xff type 0x16 needs 8 bytes at byte 2")]
    [InlineData("AB1200", "unknown channel 0xab type 0x12 at byte 0")]
    [InlineData("01", "a channel header is cut at byte 0")]
    public void BrokenPayload_SaysWhereAndWhat(string hex, string expected)
    {
        var error = Assert.Throws<PayloadException>(() => new MilesightEm310UdlDecoder().Decode(85, Convert.FromHexString(hex)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
