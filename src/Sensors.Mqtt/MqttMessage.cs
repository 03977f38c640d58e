using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>
/// A message received from the broker. With manual acknowledgement, hand it back to
/// <see cref="MqttClient.AcknowledgeAsync"/> once it is safely stored; until then the broker
/// keeps it and sends it again after a reconnect.
/// </summary>
public sealed class MqttMessage
{
    internal MqttMessage(PublishPacket packet, string topic, long connection)
    {
        Topic = topic;
        Payload = packet.Payload;
        Qos = packet.Qos;
        Retain = packet.Retain;
        Duplicate = packet.Duplicate;
        _packet = packet;
        PacketId = packet.PacketId;
        Connection = connection;
    }

    public string Topic { get; }
    public ReadOnlyMemory<byte> Payload { get; }
    public MqttQos Qos { get; }
    public bool Retain { get; }

    /// <summary>The broker may have sent this message before (DUP flag).</summary>
    public bool Duplicate { get; }

    private readonly PublishPacket _packet;

    /// <summary>The message's 5.0 properties (created when first asked for, if it had none).</summary>
    public MqttProperties Properties => _packet.Properties;

    /// <summary>
    /// 0, or the size in bytes of a PUBLISH over <see cref="MqttClientOptions.MaximumPacketSize"/>:
    /// its payload was skipped on the wire (<see cref="Payload"/> is empty). Acknowledge it like the others.
    /// </summary>
    public int OversizeBytes { get; internal init; }

    internal ushort PacketId { get; }

    /// <summary>The connection it came on: an acknowledgement is only valid there.</summary>
    internal long Connection { get; }

    internal int Acknowledged;
}
