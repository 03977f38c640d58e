using System.Buffers.Binary;
using Sensors.Core;

namespace Sensors.LoRaWan.Codecs;

/// <summary>One set of values a payload carried, at the device's own time when it says one (history frames), else the uplink's.</summary>
public sealed record DecodedPoint(DateTimeOffset? At, IReadOnlyList<Field> Fields);

/// <summary>A payload that a codec cannot read: what is wrong, in words.</summary>
public sealed class PayloadException(string message) : Exception(message);

/// <summary>A codec: payload bytes of one port in, values in our field names (units in the names) out.</summary>
public interface IPayloadDecoder
{
    /// <summary>The name a device type refers to in the registry ("milesight-am103").</summary>
    string Name { get; }

    /// <summary>Where its format comes from, for the README and the closing notes.</summary>
    string Source { get; }

    IReadOnlyList<DecodedPoint> Decode(int fPort, ReadOnlySpan<byte> payload);
}

/// <summary>
/// Milesight's channel format (every Milesight LoRaWAN sensor): a sequence of
/// <c>channel id (1 byte), channel type (1 byte), data</c>, little-endian. The 0xFF attribute
/// channels (versions, serial number, reset, status) are skipped by their documented lengths; an
/// unknown channel stops the decoding with its place, since its length is unknown.
/// </summary>
public abstract class MilesightDecoder : IPayloadDecoder
{
    public abstract string Name { get; }

    public abstract string Source { get; }

    public IReadOnlyList<DecodedPoint> Decode(int fPort, ReadOnlySpan<byte> payload)
    {
        var now = new List<Field>();
        var history = new List<DecodedPoint>();
        var i = 0;
        while (i < payload.Length)
        {
            if (i + 2 > payload.Length)
            {
                throw new PayloadException($"{Name}: a channel header is cut at byte {i} of {payload.Length}.");
            }

            var (channel, type) = (payload[i], payload[i + 1]);
            i += 2;
            int length;
            try
            {
                length = channel == 0xFF ? AttributeLength(type) : Read(channel, type, payload[i..], now, history);
            }
            catch (PayloadException error)
            {
                throw new PayloadException($"{Name}: channel 0x{channel:x2} type 0x{type:x2} at byte {i - 2}: {error.Message}");
            }

            if (length < 0)
            {
                throw new PayloadException($"{Name}: unknown channel 0x{channel:x2} type 0x{type:x2} at byte {i - 2}; is this payload from another model?");
            }

            if (i + length > payload.Length)
            {
                throw new PayloadException($"{Name}: channel 0x{channel:x2} type 0x{type:x2} needs {length} bytes at byte {i}, the payload ends at {payload.Length}.");
            }

            i += length;
        }

        var points = new List<DecodedPoint>(history.Count + 1);
        if (now.Count > 0)
        {
            points.Add(new DecodedPoint(null, now));
        }

        points.AddRange(history);
        return points;
    }

    /// <summary>Reads one telemetry channel into <paramref name="fields"/> (or a history point); returns its data length, or -1 if unknown.</summary>
    protected abstract int Read(byte channel, byte type, ReadOnlySpan<byte> data, List<Field> fields, List<DecodedPoint> history);

    private static int AttributeLength(byte type) => type switch
    {
        0x01 or 0x0F or 0xFE or 0x0B => 1, // IPSO version, LoRaWAN class, reset event, device status
        0x09 or 0x0A or 0xFF => 2, // hardware, firmware, TSL version
        0x16 => 8, // serial number
        _ => -1,
    };

    protected static short Int16(ReadOnlySpan<byte> data) => data.Length >= 2 ? BinaryPrimitives.ReadInt16LittleEndian(data) : throw new PayloadException("a 2-byte value is cut short.");

    protected static ushort UInt16(ReadOnlySpan<byte> data) => data.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(data) : throw new PayloadException("a 2-byte value is cut short.");

    protected static uint UInt32(ReadOnlySpan<byte> data) => data.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(data) : throw new PayloadException("a 4-byte value is cut short.");

    protected static byte UInt8(ReadOnlySpan<byte> data) => data.Length >= 1 ? data[0] : throw new PayloadException("a 1-byte value is cut short.");
}

/// <summary>Milesight AM103 (classroom CO2, temperature, humidity): <c>air_quality</c> fields, and history frames at the device's own time.</summary>
public sealed class MilesightAm103Decoder : MilesightDecoder
{
    public override string Name => "milesight-am103";

    public override string Source => "Milesight-IoT/SensorDecoders am-series/am103/README.md (channels 01 75, 03 67, 04 68, 07 7D, history 20 CE)";

    protected override int Read(byte channel, byte type, ReadOnlySpan<byte> data, List<Field> fields, List<DecodedPoint> history)
    {
        switch ((channel, type))
        {
            case (0x01, 0x75):
                fields.Add(new Field("battery_pct", (double)UInt8(data)));
                return 1;
            case (0x03, 0x67):
                fields.Add(new Field("temperature_c", Int16(data) / 10.0));
                return 2;
            case (0x04, 0x68):
                fields.Add(new Field("humidity_pct", UInt8(data) / 2.0));
                return 1;
            case (0x07, 0x7D):
                fields.Add(new Field("co2_ppm", (double)UInt16(data)));
                return 2;
            case (0x20, 0xCE):
                history.Add(new DecodedPoint(
                    DateTimeOffset.FromUnixTimeSeconds(UInt32(data)),
                    [new Field("temperature_c", Int16(data[4..]) / 10.0), new Field("humidity_pct", UInt8(data[6..]) / 2.0), new Field("co2_ppm", (double)UInt16(data[7..]))]));
                return 9;
            default:
                return -1;
        }
    }
}

/// <summary>Milesight EM310-UDL (ultrasonic fill level of a bin): distance to the waste, battery, tilt.</summary>
public sealed class MilesightEm310UdlDecoder : MilesightDecoder
{
    public override string Name => "milesight-em310-udl";

    public override string Source => "Milesight-IoT/SensorDecoders em-series/em310-udl/README.md (channels 01 75, 03 82, 04 00)";

    protected override int Read(byte channel, byte type, ReadOnlySpan<byte> data, List<Field> fields, List<DecodedPoint> history)
    {
        switch ((channel, type))
        {
            case (0x01, 0x75):
                fields.Add(new Field("battery_pct", (double)UInt8(data)));
                return 1;
            case (0x03, 0x82):
                fields.Add(new Field("distance_mm", (double)UInt16(data)));
                return 2;
            case (0x04, 0x00):
                fields.Add(new Field("tilted", UInt8(data) == 1));
                return 1;
            default:
                return -1;
        }
    }
}

/// <summary>Milesight WS558 (smart light controller): voltage, power, power factor, energy, current, the first switch as the lamp's state.</summary>
public sealed class MilesightWs558Decoder : MilesightDecoder
{
    public override string Name => "milesight-ws558";

    public override string Source => "Milesight-IoT/SensorDecoders ws-series/ws558/README.md (channels 03 74, 04 80, 05 81, 06 83, 07 C9, 08 31)";

    protected override int Read(byte channel, byte type, ReadOnlySpan<byte> data, List<Field> fields, List<DecodedPoint> history)
    {
        switch ((channel, type))
        {
            case (0x03, 0x74):
                fields.Add(new Field("voltage_v", UInt16(data) / 10.0));
                return 2;
            case (0x04, 0x80):
                fields.Add(new Field("power_w", (double)UInt32(data)));
                return 4;
            case (0x05, 0x81):
                fields.Add(new Field("power_factor_pct", (double)UInt8(data)));
                return 1;
            case (0x06, 0x83):
                fields.Add(new Field("energy_kwh", UInt32(data) / 1000.0));
                return 4;
            case (0x07, 0xC9):
                fields.Add(new Field("current_ma", (double)UInt16(data)));
                return 2;
            case (0x08, 0x31):
                // Two bytes: which switches changed, then their states; bit 0 is switch 1, the lamp.
                var state = data.Length >= 2 ? data[1] : throw new PayloadException("the switch channel is cut short.");
                fields.Add(new Field("on", (state & 1) == 1));
                return 2;
            default:
                return -1;
        }
    }
}

/// <summary>The built-in decoders by name.</summary>
public static class BuiltInDecoders
{
    public static readonly IReadOnlyList<IPayloadDecoder> All = [new MilesightAm103Decoder(), new MilesightEm310UdlDecoder(), new MilesightWs558Decoder()];

    public static IPayloadDecoder? Find(string name) => All.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
