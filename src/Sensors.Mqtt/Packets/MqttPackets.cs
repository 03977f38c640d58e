namespace Sensors.Mqtt.Packets;

/// <summary>MQTT 3.1.1 (protocol level 4) or 5.0 (level 5).</summary>
public enum MqttProtocolVersion : byte
{
    V311 = 4,
    V500 = 5,
}

public enum MqttQos : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

/// <summary>Control packet types, the high nibble of the fixed header (MQTT 5.0 §2.1.2).</summary>
public enum MqttPacketType : byte
{
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    Auth = 15,
}

/// <summary>A control packet. Plain data: the codec turns it into bytes and back.</summary>
public abstract record MqttPacket(MqttPacketType Type);

public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtLeastOnce, bool Retain = false)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record ConnectPacket(string ClientId, bool CleanStart, ushort KeepAliveSeconds) : MqttPacket(MqttPacketType.Connect)
{
    public MqttProtocolVersion Version { get; init; } = MqttProtocolVersion.V500;
    public string? Username { get; init; }
    public ReadOnlyMemory<byte>? Password { get; init; }
    public MqttWill? Will { get; init; }
    public MqttProperties Properties { get; init; } = new();
}

public sealed record ConnAckPacket(bool SessionPresent, byte ReasonCode) : MqttPacket(MqttPacketType.ConnAck)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record PublishPacket(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtMostOnce, bool Retain = false) : MqttPacket(MqttPacketType.Publish)
{
    public ushort PacketId { get; init; }
    public bool Duplicate { get; init; }
    private MqttProperties? _properties;

    /// <summary>Created when first asked for: a packet that has none (most PUBLISH and acknowledgements) costs none.</summary>
    public MqttProperties Properties { get => _properties ??= new(); init => _properties = value; }

    /// <summary>The properties if any were set or read, without creating them.</summary>
    internal MqttProperties? PropertiesOrNull { get => _properties; init => _properties = value; }
}

/// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP: a packet identifier and, in 5.0, a reason code.</summary>
public sealed record AckPacket(MqttPacketType AckType, ushort PacketId, byte ReasonCode = 0) : MqttPacket(AckType)
{
    private MqttProperties? _properties;

    /// <summary>Created when first asked for: a packet that has none (most PUBLISH and acknowledgements) costs none.</summary>
    public MqttProperties Properties { get => _properties ??= new(); init => _properties = value; }

    /// <summary>The properties if any were set or read, without creating them.</summary>
    internal MqttProperties? PropertiesOrNull { get => _properties; init => _properties = value; }
}

/// <summary>A subscription request with its 5.0 options (§3.8.3.1).</summary>
public sealed record MqttSubscription(string Filter, MqttQos Qos = MqttQos.AtLeastOnce)
{
    public bool NoLocal { get; init; }
    public bool RetainAsPublished { get; init; }

    /// <summary>0: send retained messages at subscribe; 1: only for a new subscription; 2: never.</summary>
    public byte RetainHandling { get; init; }
}

public sealed record SubscribePacket(ushort PacketId, IReadOnlyList<MqttSubscription> Subscriptions) : MqttPacket(MqttPacketType.Subscribe)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record SubAckPacket(ushort PacketId, IReadOnlyList<byte> ReasonCodes) : MqttPacket(MqttPacketType.SubAck)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> Filters) : MqttPacket(MqttPacketType.Unsubscribe)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record UnsubAckPacket(ushort PacketId, IReadOnlyList<byte> ReasonCodes) : MqttPacket(MqttPacketType.UnsubAck)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record PingReqPacket() : MqttPacket(MqttPacketType.PingReq);

public sealed record PingRespPacket() : MqttPacket(MqttPacketType.PingResp);

public sealed record DisconnectPacket(byte ReasonCode = 0) : MqttPacket(MqttPacketType.Disconnect)
{
    public MqttProperties Properties { get; init; } = new();
}

public sealed record AuthPacket(byte ReasonCode = 0) : MqttPacket(MqttPacketType.Auth)
{
    public MqttProperties Properties { get; init; } = new();
}
