namespace Sensors.Mqtt;

/// <summary>
/// The peer broke the protocol: a malformed packet (5.0 reason code 0x81), a protocol error
/// (0x82), or a packet larger than allowed (0x95). The connection is closed and started again.
/// </summary>
public sealed class MqttProtocolException(string message, byte reasonCode = MqttProtocolException.MalformedPacket) : Exception(message)
{
    public const byte MalformedPacket = 0x81;
    public const byte ProtocolError = 0x82;
    public const byte PacketTooLarge = 0x95;
    public const byte TopicAliasInvalid = 0x94;

    public byte ReasonCode { get; } = reasonCode;
}
