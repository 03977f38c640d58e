using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Sensors.Simulation;

/// <summary>A message as a network server or a truck's onboard unit would publish it.</summary>
public sealed record FieldMessage(string Topic, string Payload);

/// <summary>A LoRaWAN device to simulate: its EUI and what it is (the registry's device type, and the bin's depth).</summary>
public sealed record FieldDevice(string DevEui, string Type, int? DepthMm = null);

/// <summary>
/// The city's field devices for the demo, as their messages: bins whose fill-level sensors
/// (Milesight EM310-UDL, Dragino LDDS75) report the waste rising and falling to zero when a truck
/// empties them; lamp posts (Milesight WS558, or a controller the network server decodes) on
/// from dusk to dawn, dimmed after midnight, counting energy; a LoRaWAN CO2 sensor (AM103) in
/// the canteen; trucks whose onboard units read the chips of household bins several times per
/// lift. Uplinks come wrapped as ChirpStack v4 publishes them, one lamp through The Things Stack
/// v3, with the real payload encodings, so the gateway reads them as it reads real ones. Seeded:
/// one seed gives one day.
/// </summary>
public sealed class FieldDevices
{
    private const string Application = "7d3b0c5e-5a0c-4f7e-9b7e-2c1e6f0a9d11";
    private readonly IReadOnlyList<FieldDevice> _devices;
    private readonly Random _random;
    private readonly Dictionary<string, double> _fill = [];
    private readonly Dictionary<string, double> _energyWh = [];
    private readonly Dictionary<string, uint> _fCnt = [];
    private readonly string[] _households;

    public FieldDevices(IReadOnlyList<FieldDevice> devices, int seed = 7)
    {
        _devices = devices;
        _random = new Random(seed);
        // Household bins' chips (ISO 18000-6C EPCs as a reader prints them): personal data, pseudonymised by the gateway.
        _households = [.. Enumerable.Range(0, 200).Select(i => $"E200001722110144{(0x1000 + i * 37):X4}{_random.Next(0x10000):X4}")];
        foreach (var device in devices)
        {
            _fill[device.DevEui] = _random.NextDouble() * 60;
            _energyWh[device.DevEui] = 100_000 + (_random.NextDouble() * 50_000);
        }
    }

    /// <summary>What the devices send in one tick of <paramref name="interval"/> ending at <paramref name="now"/>.</summary>
    public IReadOnlyList<FieldMessage> Tick(DateTimeOffset now, TimeSpan interval)
    {
        var messages = new List<FieldMessage>();
        var local = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        foreach (var device in _devices)
        {
            var fCnt = _fCnt[device.DevEui] = _fCnt.GetValueOrDefault(device.DevEui) + 1;
            switch (device.Type)
            {
                case "milesight-em310-udl":
                    messages.Add(ChirpStack(device.DevEui, fCnt, 85, Em310(device), now));
                    break;
                case "dragino-ldds75":
                    messages.Add(ChirpStack(device.DevEui, fCnt, 2, Ldds75(device), now));
                    break;
                case "milesight-ws558":
                    var (on, watts) = Lamp(local, interval, device);
                    var ws558 = Ws558(on, watts, _energyWh[device.DevEui]);
                    messages.Add(device.DevEui.EndsWith('2')
                        ? Tts(device.DevEui, fCnt, 85, ws558, now)
                        : ChirpStack(device.DevEui, fCnt, 85, ws558, now));
                    break;
                case "ns-decoded-lamp":
                    var (lit, power) = Lamp(local, interval, device);
                    var decoded = string.Create(CultureInfo.InvariantCulture, $$"""{"lamp":{"on":{{(lit ? "true" : "false")}},"dim":{{(lit ? (local.Hour is >= 0 and < 6 ? 40 : 100) : 0)}}},"power":{{power:0.0}},"energy_wh":{{_energyWh[device.DevEui]:0}},"fault":0}""");
                    messages.Add(ChirpStack(device.DevEui, fCnt, 10, [], now, decoded));
                    break;
                case "milesight-am103":
                    messages.Add(ChirpStack(device.DevEui, fCnt, 85, Am103(local), now));
                    break;
            }
        }

        // Trucks on their rounds, 6 h to 12 h: a lift every few ticks, each chip read 2 to 5 times.
        if (local.Hour is >= 6 and < 12)
        {
            foreach (var truck in new[] { "camion-07", "camion-12" })
            {
                if (_random.NextDouble() < 0.5)
                {
                    var chip = _households[_random.Next(_households.Length)];
                    var lat = truck == "camion-07" ? 48.865 + (_random.NextDouble() * 0.01) : 48.845 + (_random.NextDouble() * 0.01);
                    var weight = 5 + (_random.NextDouble() * 25);
                    var reads = _random.Next(2, 6);
                    for (var r = 0; r < reads; r++)
                    {
                        var at = now.AddSeconds(-reads + r);
                        messages.Add(new FieldMessage($"trucks/{truck}/pickups", string.Create(CultureInfo.InvariantCulture,
                            $$"""{"chip_id":"{{chip}}","time":"{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}","truck_id":"{{truck}}","lat":{{lat:0.00000}},"lon":{{2.335 + (_random.NextDouble() * 0.02):0.00000}},"weight_kg":{{weight:0.0}}}""")));
                    }
                }
            }
        }

        return messages;
    }

    /// <summary>Fill rises a little each tick; now and then a truck empties the bin.</summary>
    private int DistanceMm(FieldDevice device)
    {
        var fill = _fill[device.DevEui] + (_random.NextDouble() * 1.5);
        if (fill > 95 || _random.NextDouble() < 0.01)
        {
            fill = _random.NextDouble() * 3;
        }

        _fill[device.DevEui] = fill;
        var depth = device.DepthMm ?? 1500;
        return (int)Math.Round(depth * (1 - (fill / 100)));
    }

    private byte[] Em310(FieldDevice device)
    {
        var payload = new byte[] { 0x01, 0x75, 0, 0x03, 0x82, 0, 0, 0x04, 0x00, 0 };
        payload[2] = (byte)_random.Next(80, 100);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(5), (ushort)DistanceMm(device));
        return payload;
    }

    private byte[] Ldds75(FieldDevice device)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)_random.Next(3300, 3600));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)Math.Max(280, DistanceMm(device)));
        BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(5), (short)_random.Next(40, 160));
        payload[7] = 1;
        return payload;
    }

    /// <summary>On from 17:30 to 7:30 (November in Paris), dimmed to 40 % from midnight to 6 h; energy counted.</summary>
    private (bool On, double Watts) Lamp(DateTimeOffset local, TimeSpan interval, FieldDevice device)
    {
        var minutes = local.Hour * 60 + local.Minute;
        var on = minutes >= (17 * 60) + 30 || minutes < (7 * 60) + 30;
        var watts = !on ? 0.4 : (local.Hour < 6 ? 28 : 70) + (_random.NextDouble() * 2);
        _energyWh[device.DevEui] += watts * interval.TotalHours;
        return (on, watts);
    }

    private static byte[] Ws558(bool on, double watts, double energyWh)
    {
        var payload = new byte[] { 0x03, 0x74, 0, 0, 0x04, 0x80, 0, 0, 0, 0, 0x05, 0x81, 96, 0x06, 0x83, 0, 0, 0, 0, 0x08, 0x31, 0x01, 0 };
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), 2304);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(6), (uint)Math.Round(watts));
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(15), (uint)Math.Round(energyWh));
        payload[22] = on ? (byte)1 : (byte)0;
        return payload;
    }

    private byte[] Am103(DateTimeOffset local)
    {
        // The canteen fills at lunch (11:30 to 13:30).
        var lunch = local.Hour * 60 + local.Minute is >= 690 and < 810 && local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday or DayOfWeek.Wednesday);
        var co2 = (lunch ? 1100 + _random.Next(400) : 450 + _random.Next(80));
        var payload = new byte[] { 0x01, 0x75, 92, 0x03, 0x67, 0, 0, 0x04, 0x68, 0, 0x07, 0x7D, 0, 0 };
        BinaryPrimitives.WriteInt16LittleEndian(payload.AsSpan(5), (short)(lunch ? 215 : 195));
        payload[9] = (byte)(lunch ? 104 : 90);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(12), (ushort)co2);
        return payload;
    }

    private FieldMessage ChirpStack(string devEui, uint fCnt, int fPort, byte[] payload, DateTimeOffset now, string? decoded = null)
    {
        var rssi = -85 - _random.Next(30);
        var snr = Math.Round(9 - (_random.NextDouble() * 14), 1);
        var json = new StringBuilder(512);
        json.Append(CultureInfo.InvariantCulture, $$"""{"deduplicationId":"{{Guid.NewGuid()}}","time":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}",""")
            .Append(CultureInfo.InvariantCulture, $$"""
                "deviceInfo":{"tenantName":"Ville","applicationId":"{{Application}}","applicationName":"capteurs","devEui":"{{devEui}}"},
                """)
            .Append(CultureInfo.InvariantCulture, $"\"fCnt\":{fCnt},\"fPort\":{fPort},");
        if (payload.Length > 0)
        {
            json.Append(CultureInfo.InvariantCulture, $"\"data\":\"{Convert.ToBase64String(payload)}\",");
        }

        if (decoded is not null)
        {
            json.Append("\"object\":").Append(decoded).Append(',');
        }

        json.Append(CultureInfo.InvariantCulture, $$"""
            "rxInfo":[{"gatewayId":"b827ebfffe6c2a01","rssi":{{rssi}},"snr":{{snr}},"crcStatus":"CRC_OK"}],"txInfo":{"frequency":868100000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":9} } } }
            """);
        return new FieldMessage($"application/{Application}/device/{devEui}/event/up", json.ToString());
    }

    private FieldMessage Tts(string devEui, uint fCnt, int fPort, byte[] payload, DateTimeOffset now)
    {
        var json = string.Create(CultureInfo.InvariantCulture, $$"""
            {"end_device_ids":{"device_id":"lp-{{devEui[^4..]}}","application_ids":{"application_id":"eclairage"},"dev_eui":"{{devEui.ToUpperInvariant()}}"},"received_at":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}","uplink_message":{"f_port":{{fPort}},"f_cnt":{{fCnt}},"frm_payload":"{{Convert.ToBase64String(payload)}}","rx_metadata":[{"gateway_ids":{"gateway_id":"mairie-toit"},"rssi":{{-90 - _random.Next(25)}},"snr":{{Math.Round(5 - (_random.NextDouble() * 10), 1)}}}],"settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":10} },"frequency":"867300000"},"received_at":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}"} }
            """);
        return new FieldMessage($"v3/eclairage@ville/devices/lp-{devEui[^4..]}/up", json);
    }
}
