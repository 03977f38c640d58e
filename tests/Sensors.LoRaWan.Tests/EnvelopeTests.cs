using System.Text;
using Sensors.LoRaWan;

namespace Sensors.LoRaWan.Tests;

/// <summary>The envelopes as real network servers send them (protobuf JSON leaves defaults out).</summary>
public sealed class EnvelopeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private const string ChirpStackUp = """
        {"deduplicationId":"3ac7e3c4-4401-4b8d-9386-a5c902f9202d","time":"2026-11-24T07:31:10.250473+00:00",
         "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","tenantName":"Ville","applicationId":"17c82e96-be03-4f38-aef3-f83d48582d97",
           "applicationName":"dechets","deviceProfileId":"14855bf7-d10d-4aee-b618-ebfcb64dc7ad","deviceProfileName":"EM310-UDL","deviceName":"bac-0042",
           "devEui":"24e124713b423012","deviceClassEnabled":"CLASS_A","tags":{}},
         "devAddr":"00fc3d2a","adr":true,"dr":5,"fCnt":117,"fPort":85,"confirmed":false,"data":"AXVkA4IIBwQAAA==",
         "rxInfo":[{"gatewayId":"0016c001ff1a3b2c","uplinkId":4021,"nsTime":"2026-11-24T07:31:10.011Z","rssi":-97,"snr":7.5,"channel":2,"location":{},
           "context":"AAAAAA==","metadata":{"region_config_id":"eu868"},"crcStatus":"CRC_OK"},
           {"gatewayId":"0016c001ff1a3b2d","uplinkId":4022,"rssi":-112,"channel":2,"crcStatus":"CRC_OK"}],
         "txInfo":{"frequency":868500000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":7,"codeRate":"CR_4_5"}}}}
        """;

    private const string TtsUp = """
        {"end_device_ids":{"device_id":"lampadaire-17","application_ids":{"application_id":"eclairage"},"dev_eui":"24E124538C223622","dev_addr":"260B1234"},
         "correlation_ids":["as:up:01HZX"],"received_at":"2026-11-24T18:02:03.123456789Z",
         "uplink_message":{"session_key_id":"AYx","f_port":85,"f_cnt":2042,"frm_payload":"A3TkCASAFAAAAA==","decoded_payload":{"power":20},
           "rx_metadata":[{"gateway_ids":{"gateway_id":"mairie-toit","eui":"B827EBFFFE123456"},"time":"2026-11-24T18:02:03.0Z","rssi":-110,"channel_rssi":-110,"snr":-4.25}],
           "settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":9,"coding_rate":"4/5"}},"frequency":"867300000"},
           "received_at":"2026-11-24T18:02:03.100Z","consumed_airtime":"0.164864s"}}
        """;

    [Fact]
    public void ChirpStackUplink_IsReadWhole()
    {
        var up = Envelopes.ReadUplink("application/17c82e96-be03-4f38-aef3-f83d48582d97/device/24e124713b423012/event/up", Encoding.UTF8.GetBytes(ChirpStackUp), Now);

        Assert.Equal(NetworkServer.ChirpStack, up.Server);
        Assert.Equal("24e124713b423012", up.DevEui);
        Assert.Equal("bac-0042", up.DeviceName);
        Assert.Equal(117u, up.FCnt);
        Assert.Equal(85, up.FPort);
        Assert.Equal(Convert.FromBase64String("AXVkA4IIBwQAAA=="), up.Payload);
        Assert.Null(up.Decoded);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T07:31:10.250473+00:00"), up.ReceivedAt);
        Assert.Equal([new RadioReception("0016c001ff1a3b2c", -97, 7.5), new RadioReception("0016c001ff1a3b2d", -112, 0)], up.Receptions);
        Assert.Equal(7, up.SpreadingFactor);
        Assert.Equal(868_500_000, up.FrequencyHz);
        Assert.Equal("3ac7e3c4-4401-4b8d-9386-a5c902f9202d", up.DeduplicationId);
    }

    [Fact]
    public void TheThingsStackUplink_IsReadWhole_WithTheNetworkServersTime()
    {
        var up = Envelopes.ReadUplink("v3/eclairage@ville/devices/lampadaire-17/up", Encoding.UTF8.GetBytes(TtsUp), Now);

        Assert.Equal(NetworkServer.TheThingsStack, up.Server);
        Assert.Equal("24e124538c223622", up.DevEui);
        Assert.Equal(2042u, up.FCnt);
        Assert.Equal(85, up.FPort);
        Assert.Equal(20, up.Decoded!.Value.GetProperty("power").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T18:02:03.100Z"), up.ReceivedAt);
        Assert.Equal([new RadioReception("mairie-toit", -110, -4.25)], up.Receptions);
        Assert.Equal(9, up.SpreadingFactor);
        Assert.Equal(867_300_000, up.FrequencyHz);
    }

    [Fact]
    public void DefaultsLeftOut_AreDefaults_AndTheTopicSuppliesTheEui()
    {
        // fCnt 0 and no rxInfo, no time, no deviceInfo: what a first uplink from a bare profile looks like.
        var up = Envelopes.ReadUplink("application/1/device/0004a30b001c0530/event/up", """{"fPort":2,"data":"AQI="}"""u8, Now);

        Assert.Equal("0004a30b001c0530", up.DevEui);
        Assert.Equal(0u, up.FCnt);
        Assert.Equal(Now, up.ReceivedAt);
        Assert.Empty(up.Receptions);
    }

    [Theory]
    [InlineData("v3/app@t/devices/d/up", """{"end_device_ids":{"device_id":"d"},"uplink_message":{"f_port":1,"frm_payload":"AQ=="}}""", "the device EUI is missing (end_device_ids.dev_eui)")]
    [InlineData("v3/app@t/devices/d/up", """{"end_device_ids":{"dev_eui":"0004A30B001C0530"}}""", "no uplink_message")]
    [InlineData("application/1/device/0004a30b001c0530/event/up", """{"fPort":5}""", "sent neither data (the payload, base64) nor a decoded object on port 5")]
    [InlineData("application/1/device/0004a30b001c0530/event/up", """{"fPort":5,"data":"%%%"}""", "data of device 0004a30b001c0530 is not base64")]
    [InlineData("application/1/device/xyz/event/up", """{"fPort":5,"data":"AQ=="}""", "'xyz' is not a 16-hex-digit EUI-64")]
    [InlineData("application/1/device/0004a30b001c0530/event/up", """{"fPort":5,"data":""", "not JSON")]
    [InlineData("sensors/x", """{}""", "neither a ChirpStack v4")]
    public void BrokenEnvelope_SaysWhatIsMissing(string topic, string json, string expected)
    {
        var error = Assert.Throws<EnvelopeException>(() => Envelopes.ReadUplink(topic, Encoding.UTF8.GetBytes(json), Now));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChirpStackStatus_GivesTheBattery()
    {
        var status = Envelopes.ReadStatus("application/1/device/24e124713b423012/event/status", """{"deduplicationId":"x","time":"2026-11-24T07:00:00Z","deviceInfo":{"devEui":"24e124713b423012"},"margin":12,"batteryLevel":87.4}"""u8, Now);
        Assert.Equal(87.4, status.BatteryPct);
        Assert.Equal(12, status.MarginDb);

        var unknown = Envelopes.ReadStatus("application/1/device/24e124713b423012/event/status", """{"deviceInfo":{"devEui":"24e124713b423012"},"batteryLevelUnavailable":true,"externalPowerSource":true}"""u8, Now);
        Assert.Null(unknown.BatteryPct);
        Assert.True(unknown.ExternalPower);
    }
}
