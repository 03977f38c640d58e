using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Sensors.Mqtt.Packets;

/// <summary>
/// Packets to bytes and back, for MQTT 3.1.1 (OASIS standard, 2014) and 5.0 (OASIS standard,
/// 2019). Section numbers and conformance ids in comments are those of the 5.0 text unless
/// marked 3.1.1. Every malformed input ends in <see cref="MqttProtocolException"/>, never in
/// another exception and never in a read past the body.
/// </summary>
public static class MqttCodec
{
    /// <summary>Largest Remaining Length a four-byte Variable Byte Integer can carry (§1.5.5).</summary>
    public const int MaxRemainingLength = 268_435_455;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---------------------------------------------------------------- encoding

    /// <summary>Appends the packet's bytes: fixed header, Remaining Length, body.</summary>
    public static void Encode(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var body = new ArrayBufferWriter<byte>(64);
        var w = new Writer(body);
        var v5 = version == MqttProtocolVersion.V500;
        byte flags = 0;
        switch (packet)
        {
            case ConnectPacket p:
                w.String("MQTT");
                w.Byte((byte)version);
                var connectFlags = (byte)((p.Username is not null ? 0x80 : 0) | (p.Password is not null ? 0x40 : 0) | (p.CleanStart ? 0x02 : 0));
                if (p.Will is { } will)
                {
                    connectFlags |= (byte)(0x04 | ((byte)will.Qos << 3) | (will.Retain ? 0x20 : 0));
                }

                w.Byte(connectFlags);
                w.UInt16(p.KeepAliveSeconds);
                if (v5)
                {
                    w.Properties(p.Properties);
                }

                w.String(p.ClientId);
                if (p.Will is { } w2)
                {
                    if (v5)
                    {
                        w.Properties(w2.Properties);
                    }

                    w.String(w2.Topic);
                    w.Binary(w2.Payload.Span);
                }

                if (p.Username is not null)
                {
                    w.String(p.Username);
                }

                if (p.Password is { } password)
                {
                    w.Binary(password.Span);
                }

                break;

            case ConnAckPacket p:
                w.Byte(p.SessionPresent ? (byte)1 : (byte)0);
                w.Byte(p.ReasonCode);
                if (v5)
                {
                    w.Properties(p.Properties);
                }

                break;

            case PublishPacket p:
                flags = (byte)((p.Duplicate ? 0x08 : 0) | ((byte)p.Qos << 1) | (p.Retain ? 0x01 : 0));
                w.String(p.Topic);
                if (p.Qos != MqttQos.AtMostOnce)
                {
                    w.UInt16(p.PacketId);
                }

                if (v5)
                {
                    w.Properties(p.PropertiesOrNull);
                }

                w.Raw(p.Payload.Span);
                break;

            case AckPacket p:
                flags = p.AckType == MqttPacketType.PubRel ? (byte)0x02 : (byte)0;
                w.UInt16(p.PacketId);
                if (v5 && (p.ReasonCode != 0 || HasAny(p.PropertiesOrNull)))
                {
                    w.Byte(p.ReasonCode);
                    if (HasAny(p.PropertiesOrNull))
                    {
                        w.Properties(p.PropertiesOrNull);
                    }
                }

                break;

            case SubscribePacket p:
                flags = 0x02;
                w.IdAndProperties(p.PacketId, p.Properties, v5);

                foreach (var s in p.Subscriptions)
                {
                    w.String(s.Filter);
                    var options = (byte)s.Qos;
                    if (v5)
                    {
                        options |= (byte)((s.NoLocal ? 0x04 : 0) | (s.RetainAsPublished ? 0x08 : 0) | ((s.RetainHandling & 0x03) << 4));
                    }

                    w.Byte(options);
                }

                break;

            case SubAckPacket p:
                w.IdAndProperties(p.PacketId, p.Properties, v5);

                foreach (var code in p.ReasonCodes)
                {
                    w.Byte(code);
                }

                break;

            case UnsubscribePacket p:
                flags = 0x02;
                w.IdAndProperties(p.PacketId, p.Properties, v5);

                foreach (var filter in p.Filters)
                {
                    w.String(filter);
                }

                break;

            case UnsubAckPacket p:
                w.IdAndProperties(p.PacketId, p.Properties, v5);
                if (v5)
                {
                    foreach (var code in p.ReasonCodes)
                    {
                        w.Byte(code);
                    }
                }

                break;

            case PingReqPacket or PingRespPacket:
                break;

            case DisconnectPacket p:
                if (v5 && (p.ReasonCode != 0 || HasAny(p.Properties)))
                {
                    w.Byte(p.ReasonCode);
                    w.Properties(p.Properties);
                }

                break;

            case AuthPacket p:
                w.Byte(p.ReasonCode);
                w.Properties(p.Properties);
                break;

            default:
                throw new ArgumentException($"Cannot encode {packet.GetType().Name}.", nameof(packet));
        }

        if (body.WrittenCount > MaxRemainingLength)
        {
            throw new MqttProtocolException($"A {packet.Type} packet of {body.WrittenCount} bytes is over MQTT's limit.", MqttProtocolException.PacketTooLarge);
        }

        var header = output.GetSpan(5);
        header[0] = (byte)(((byte)packet.Type << 4) | flags);
        var length = 1 + WriteVarInt(header[1..], (uint)body.WrittenCount);
        output.Advance(length);
        output.Write(body.WrittenSpan);
    }

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(packet, version, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a Variable Byte Integer (§1.5.5) and returns its size (1–4 bytes).</summary>
    public static int WriteVarInt(Span<byte> destination, uint value)
    {
        var i = 0;
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            destination[i++] = value > 0 ? (byte)(digit | 0x80) : digit;
        }
        while (value > 0);
        return i;
    }

    public static int VarIntSize(uint value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;

    private static bool HasAny(MqttProperties? p) =>
        p is not null && (p.ReasonString is not null || p.UserPropertiesOrEmpty.Count > 0 || p.SessionExpiryInterval is not null || p.ServerReference is not null);

    // ---------------------------------------------------------------- decoding

    /// <summary>
    /// Decodes one packet from its first byte and its body (the bytes after Remaining Length).
    /// The packet keeps slices of <paramref name="body"/>: the caller gives each packet its own buffer.
    /// </summary>
    public static MqttPacket Decode(byte firstByte, ReadOnlyMemory<byte> body, MqttProtocolVersion version)
    {
        var type = (MqttPacketType)(firstByte >> 4);
        var flags = (byte)(firstByte & 0x0F);
        var v5 = version == MqttProtocolVersion.V500;
        var r = new Reader(body);

        // [MQTT-2.1.3-1]: reserved flag bits must be as listed in table 2-2.
        var expectedFlags = type is MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe ? 0x02 : 0x00;
        if (type != MqttPacketType.Publish && flags != expectedFlags)
        {
            throw new MqttProtocolException($"{Name(type)} with flags 0x{flags:X1}, expected 0x{expectedFlags:X1} [MQTT-2.1.3-1].");
        }

        MqttPacket packet = type switch
        {
            MqttPacketType.Connect => DecodeConnect(ref r),
            MqttPacketType.ConnAck => DecodeConnAck(ref r, v5),
            MqttPacketType.Publish => DecodePublish(ref r, flags, v5),
            MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp => DecodeAck(ref r, type, v5),
            MqttPacketType.Subscribe => DecodeSubscribe(ref r, v5),
            MqttPacketType.SubAck => DecodeSubAck(ref r, v5),
            MqttPacketType.Unsubscribe => DecodeUnsubscribe(ref r, v5),
            MqttPacketType.UnsubAck => DecodeUnsubAck(ref r, v5),
            MqttPacketType.PingReq => new PingReqPacket(),
            MqttPacketType.PingResp => new PingRespPacket(),
            MqttPacketType.Disconnect => DecodeDisconnect(ref r, v5),
            MqttPacketType.Auth when v5 => new AuthPacket(r.Remaining > 0 ? r.Byte() : (byte)0) { Properties = r.Remaining > 0 ? r.Properties() : new() },
            _ => throw new MqttProtocolException($"Packet type {(int)type} is not valid in MQTT {(v5 ? "5.0" : "3.1.1")} [MQTT-2.1.2]."),
        };

        if (r.Remaining != 0)
        {
            throw new MqttProtocolException($"{Name(type)} has {r.Remaining} bytes left over after its last field.");
        }

        return packet;
    }

    private static ConnectPacket DecodeConnect(ref Reader r)
    {
        var protocol = r.String();
        var level = r.Byte();
        if (protocol != "MQTT" || level is not (4 or 5))
        {
            throw new MqttProtocolException($"CONNECT for protocol '{protocol}' level {level}: only MQTT 3.1.1 (4) and 5.0 (5) are spoken here.", 0x84);
        }

        var version = (MqttProtocolVersion)level;
        var v5 = version == MqttProtocolVersion.V500;
        var flags = r.Byte();
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException("CONNECT with the reserved flag set [MQTT-3.1.2-3].");
        }

        var keepAlive = r.UInt16();
        var properties = v5 ? r.Properties() : new MqttProperties();
        var clientId = r.String();
        MqttWill? will = null;
        if ((flags & 0x04) != 0)
        {
            var willProperties = v5 ? r.Properties() : new MqttProperties();
            var qos = (flags >> 3) & 0x03;
            if (qos == 3)
            {
                throw new MqttProtocolException("CONNECT with Will QoS 3 [MQTT-3.1.2-12].");
            }

            will = new MqttWill(r.String(), r.Binary(), (MqttQos)qos, (flags & 0x20) != 0) { Properties = willProperties };
        }

        var username = (flags & 0x80) != 0 ? r.String() : null;
        ReadOnlyMemory<byte>? password = (flags & 0x40) != 0 ? r.Binary() : null;
        return new ConnectPacket(clientId, (flags & 0x02) != 0, keepAlive) { Version = version, Username = username, Password = password, Will = will, Properties = properties };
    }

    private static ConnAckPacket DecodeConnAck(ref Reader r, bool v5)
    {
        var acknowledgeFlags = r.Byte();
        if ((acknowledgeFlags & 0xFE) != 0)
        {
            throw new MqttProtocolException($"CONNACK with reserved acknowledge flags 0x{acknowledgeFlags:X2} [MQTT-3.2.2-1].");
        }

        var code = r.Byte();
        return new ConnAckPacket((acknowledgeFlags & 0x01) != 0, code) { Properties = v5 && r.Remaining > 0 ? r.Properties() : new() };
    }

    /// <summary>
    /// The head of a PUBLISH too large to keep (<see cref="MqttFrameReader"/> skipped the rest):
    /// topic, packet id and, when they fit in <paramref name="head"/>, its properties; no payload.
    /// </summary>
    public static PublishPacket DecodePublishHead(byte firstByte, ReadOnlyMemory<byte> head, MqttProtocolVersion version)
    {
        var flags = (byte)(firstByte & 0x0F);
        var v5 = version == MqttProtocolVersion.V500;
        var r = new Reader(head);
        var qos = (flags >> 1) & 0x03;
        var topic = r.String();
        ushort packetId = qos is 1 or 2 ? r.UInt16() : (ushort)0;
        var properties = new MqttProperties();
        if (v5)
        {
            var start = r;
            if (r.VarInt() <= r.Remaining)
            {
                r = start;
                properties = r.Properties();
            }
        }

        return new PublishPacket(topic, ReadOnlyMemory<byte>.Empty, (MqttQos)Math.Min(qos, 2), (flags & 0x01) != 0)
        {
            PacketId = packetId,
            Duplicate = (flags & 0x08) != 0,
            Properties = properties,
        };
    }

    private static PublishPacket DecodePublish(ref Reader r, byte flags, bool v5)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3)
        {
            throw new MqttProtocolException("PUBLISH with QoS 3 [MQTT-3.3.1-4].");
        }

        var topic = r.String();
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new MqttProtocolException($"PUBLISH to '{topic}': a topic name must not hold wildcards [MQTT-3.3.2-2].");
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = r.UInt16();
            if (packetId == 0)
            {
                throw new MqttProtocolException("PUBLISH with packet identifier 0 [MQTT-2.2.1-3].");
            }
        }

        var properties = v5 ? r.PropertiesOrNull() : null;
        return new PublishPacket(topic, r.Rest(), (MqttQos)qos, (flags & 0x01) != 0)
        {
            PacketId = packetId,
            Duplicate = (flags & 0x08) != 0,
            PropertiesOrNull = properties,
        };
    }

    private static AckPacket DecodeAck(ref Reader r, MqttPacketType type, bool v5)
    {
        var id = r.UInt16();
        byte code = 0;
        MqttProperties? properties = null;
        if (v5 && r.Remaining > 0)
        {
            code = r.Byte();
            if (r.Remaining > 0)
            {
                properties = r.PropertiesOrNull();
            }
        }

        return new AckPacket(type, id, code) { PropertiesOrNull = properties };
    }

    private static SubscribePacket DecodeSubscribe(ref Reader r, bool v5)
    {
        var id = r.UInt16();
        var properties = v5 ? r.Properties() : new MqttProperties();
        var subscriptions = new List<MqttSubscription>();
        while (r.Remaining > 0)
        {
            var filter = r.String();
            var options = r.Byte();
            if ((options & (v5 ? 0xC0 : 0xFC)) != 0 || (options & 0x03) == 3)
            {
                throw new MqttProtocolException($"SUBSCRIBE options 0x{options:X2} use reserved bits [MQTT-3.8.3-5].");
            }

            subscriptions.Add(new MqttSubscription(filter, (MqttQos)(options & 0x03))
            {
                NoLocal = (options & 0x04) != 0,
                RetainAsPublished = (options & 0x08) != 0,
                RetainHandling = (byte)((options >> 4) & 0x03),
            });
        }

        if (subscriptions.Count == 0)
        {
            throw new MqttProtocolException("SUBSCRIBE with no topic filter [MQTT-3.8.3-2].", MqttProtocolException.ProtocolError);
        }

        return new SubscribePacket(id, subscriptions) { Properties = properties };
    }

    private static SubAckPacket DecodeSubAck(ref Reader r, bool v5)
    {
        var id = r.UInt16();
        var properties = v5 ? r.Properties() : new MqttProperties();
        var codes = r.Rest().ToArray();
        return new SubAckPacket(id, codes) { Properties = properties };
    }

    private static UnsubscribePacket DecodeUnsubscribe(ref Reader r, bool v5)
    {
        var id = r.UInt16();
        var properties = v5 ? r.Properties() : new MqttProperties();
        var filters = new List<string>();
        while (r.Remaining > 0)
        {
            filters.Add(r.String());
        }

        return new UnsubscribePacket(id, filters) { Properties = properties };
    }

    private static UnsubAckPacket DecodeUnsubAck(ref Reader r, bool v5)
    {
        var id = r.UInt16();
        if (!v5)
        {
            return new UnsubAckPacket(id, []);
        }

        var properties = r.Properties();
        return new UnsubAckPacket(id, r.Rest().ToArray()) { Properties = properties };
    }

    private static DisconnectPacket DecodeDisconnect(ref Reader r, bool v5)
    {
        if (!v5 || r.Remaining == 0)
        {
            return new DisconnectPacket();
        }

        var code = r.Byte();
        return new DisconnectPacket(code) { Properties = r.Remaining > 0 ? r.Properties() : new() };
    }

    private static string Name(MqttPacketType type) => type.ToString().ToUpperInvariant();

    // ---------------------------------------------------------------- primitives

    private readonly ref struct Writer(IBufferWriter<byte> output)
    {
        private readonly IBufferWriter<byte> _output = output;

        public void Byte(byte value)
        {
            _output.GetSpan(1)[0] = value;
            _output.Advance(1);
        }

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(2), value);
            _output.Advance(2);
        }

        public void UInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
            _output.Advance(4);
        }

        public void VarInt(uint value) => _output.Advance(WriteVarInt(_output.GetSpan(4), value));

        /// <summary>UTF-8 Encoded String (§1.5.4): two-byte length, then the bytes; no U+0000.</summary>
        public void String(string value)
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{value.Replace("\0", "\\0", StringComparison.Ordinal)}' holds U+0000, which MQTT strings must not [MQTT-1.5.4-2].");
            }

            var count = StrictUtf8.GetByteCount(value);
            if (count > ushort.MaxValue)
            {
                throw new ArgumentException($"A string of {count} bytes is over MQTT's 65535.");
            }

            UInt16((ushort)count);
            StrictUtf8.GetBytes(value, _output.GetSpan(count));
            _output.Advance(count);
        }

        public void Binary(ReadOnlySpan<byte> value)
        {
            if (value.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Binary data of {value.Length} bytes is over MQTT's 65535.");
            }

            UInt16((ushort)value.Length);
            Raw(value);
        }

        public void Raw(ReadOnlySpan<byte> value) => _output.Write(value);

        /// <summary>Packet identifier, then (5.0) the properties: SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (§3.8.2–3.11.2).</summary>
        public void IdAndProperties(ushort packetId, MqttProperties properties, bool v5)
        {
            UInt16(packetId);
            if (v5)
            {
                Properties(properties);
            }
        }

        public void Properties(MqttProperties? p)
        {
            if (p is null)
            {
                VarInt(0); // none: no scratch buffer
                return;
            }

            var buffer = new ArrayBufferWriter<byte>(32);
            var w = new Writer(buffer);
            w.OptionalByte(PropertyId.PayloadFormatIndicator, p.PayloadFormatIndicator);
            w.OptionalUInt32(PropertyId.MessageExpiryInterval, p.MessageExpiryInterval);
            w.OptionalString(PropertyId.ContentType, p.ContentType);
            w.OptionalString(PropertyId.ResponseTopic, p.ResponseTopic);
            w.OptionalBinary(PropertyId.CorrelationData, p.CorrelationData);
            foreach (var id in p.SubscriptionIdentifiersOrEmpty)
            {
                w.Byte(PropertyId.SubscriptionIdentifier);
                w.VarInt(id);
            }

            w.OptionalUInt32(PropertyId.SessionExpiryInterval, p.SessionExpiryInterval);
            w.OptionalString(PropertyId.AssignedClientIdentifier, p.AssignedClientIdentifier);
            w.OptionalUInt16(PropertyId.ServerKeepAlive, p.ServerKeepAlive);
            w.OptionalString(PropertyId.AuthenticationMethod, p.AuthenticationMethod);
            w.OptionalBinary(PropertyId.AuthenticationData, p.AuthenticationData);
            w.OptionalByte(PropertyId.RequestProblemInformation, p.RequestProblemInformation);
            w.OptionalUInt32(PropertyId.WillDelayInterval, p.WillDelayInterval);
            w.OptionalByte(PropertyId.RequestResponseInformation, p.RequestResponseInformation);
            w.OptionalString(PropertyId.ResponseInformation, p.ResponseInformation);
            w.OptionalString(PropertyId.ServerReference, p.ServerReference);
            w.OptionalString(PropertyId.ReasonString, p.ReasonString);
            w.OptionalUInt16(PropertyId.ReceiveMaximum, p.ReceiveMaximum);
            w.OptionalUInt16(PropertyId.TopicAliasMaximum, p.TopicAliasMaximum);
            w.OptionalUInt16(PropertyId.TopicAlias, p.TopicAlias);
            w.OptionalByte(PropertyId.MaximumQos, p.MaximumQos);
            w.OptionalByte(PropertyId.RetainAvailable, p.RetainAvailable);
            foreach (var (key, value) in p.UserPropertiesOrEmpty)
            {
                w.Byte(PropertyId.UserProperty);
                w.String(key);
                w.String(value);
            }

            w.OptionalUInt32(PropertyId.MaximumPacketSize, p.MaximumPacketSize);
            w.OptionalByte(PropertyId.WildcardSubscriptionAvailable, p.WildcardSubscriptionAvailable);
            w.OptionalByte(PropertyId.SubscriptionIdentifierAvailable, p.SubscriptionIdentifierAvailable);
            w.OptionalByte(PropertyId.SharedSubscriptionAvailable, p.SharedSubscriptionAvailable);
            VarInt((uint)buffer.WrittenCount);
            Raw(buffer.WrittenSpan);
        }

        private void OptionalByte(byte id, byte? value)
        {
            if (value is { } v)
            {
                Byte(id);
                Byte(v);
            }
        }

        private void OptionalUInt16(byte id, ushort? value)
        {
            if (value is { } v)
            {
                Byte(id);
                UInt16(v);
            }
        }

        private void OptionalUInt32(byte id, uint? value)
        {
            if (value is { } v)
            {
                Byte(id);
                UInt32(v);
            }
        }

        private void OptionalString(byte id, string? value)
        {
            if (value is not null)
            {
                Byte(id);
                String(value);
            }
        }

        private void OptionalBinary(byte id, ReadOnlyMemory<byte>? value)
        {
            if (value is { } v)
            {
                Byte(id);
                Binary(v.Span);
            }
        }
    }

    private ref struct Reader(ReadOnlyMemory<byte> body)
    {
        private readonly ReadOnlyMemory<byte> _body = body;
        private int _position;

        public readonly int Remaining => _body.Length - _position;

        public byte Byte()
        {
            Need(1, "a byte");
            return _body.Span[_position++];
        }

        public ushort UInt16()
        {
            Need(2, "a two-byte integer");
            var value = BinaryPrimitives.ReadUInt16BigEndian(_body.Span[_position..]);
            _position += 2;
            return value;
        }

        public uint UInt32()
        {
            Need(4, "a four-byte integer");
            var value = BinaryPrimitives.ReadUInt32BigEndian(_body.Span[_position..]);
            _position += 4;
            return value;
        }

        public uint VarInt()
        {
            uint value = 0;
            for (var i = 0; i < 4; i++)
            {
                var digit = Byte();
                value |= (uint)(digit & 0x7F) << (7 * i);
                if ((digit & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new MqttProtocolException("A Variable Byte Integer longer than four bytes [MQTT-1.5.5-1].");
        }

        public string String()
        {
            var length = UInt16();
            Need(length, $"a string of {length} bytes");
            var bytes = _body.Span.Slice(_position, length);
            _position += length;
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new MqttProtocolException("A string that is not well-formed UTF-8 [MQTT-1.5.4-1].");
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                throw new MqttProtocolException("A string holding U+0000 [MQTT-1.5.4-2].");
            }

            return text;
        }

        public ReadOnlyMemory<byte> Binary()
        {
            var length = UInt16();
            Need(length, $"binary data of {length} bytes");
            var value = _body.Slice(_position, length);
            _position += length;
            return value;
        }

        public ReadOnlyMemory<byte> Rest()
        {
            var rest = _body[_position..];
            _position = _body.Length;
            return rest;
        }

        /// <summary>The properties, or null when the block is empty (no object for a packet that has none).</summary>
        public MqttProperties? PropertiesOrNull()
        {
            if (_position < _body.Length && _body.Span[_position] == 0)
            {
                _position++;
                return null;
            }

            return Properties();
        }

        public MqttProperties Properties()
        {
            var length = VarInt();
            Need((int)Math.Min(length, int.MaxValue), $"properties of {length} bytes");
            var end = _position + (int)length;
            var p = new MqttProperties();
            if (length == 0)
            {
                return p;
            }

            var seen = new HashSet<byte>();
            while (_position < end)
            {
                var id = (byte)VarInt();
                if (id is not (PropertyId.UserProperty or PropertyId.SubscriptionIdentifier) && !seen.Add(id))
                {
                    throw new MqttProtocolException($"Property 0x{id:X2} appears twice.", MqttProtocolException.ProtocolError);
                }

                switch (id)
                {
                    case PropertyId.PayloadFormatIndicator: p.PayloadFormatIndicator = Byte(); break;
                    case PropertyId.MessageExpiryInterval: p.MessageExpiryInterval = UInt32(); break;
                    case PropertyId.ContentType: p.ContentType = String(); break;
                    case PropertyId.ResponseTopic: p.ResponseTopic = String(); break;
                    case PropertyId.CorrelationData: p.CorrelationData = Binary(); break;
                    case PropertyId.SubscriptionIdentifier: p.SubscriptionIdentifiers.Add(VarInt()); break;
                    case PropertyId.SessionExpiryInterval: p.SessionExpiryInterval = UInt32(); break;
                    case PropertyId.AssignedClientIdentifier: p.AssignedClientIdentifier = String(); break;
                    case PropertyId.ServerKeepAlive: p.ServerKeepAlive = UInt16(); break;
                    case PropertyId.AuthenticationMethod: p.AuthenticationMethod = String(); break;
                    case PropertyId.AuthenticationData: p.AuthenticationData = Binary(); break;
                    case PropertyId.RequestProblemInformation: p.RequestProblemInformation = Byte(); break;
                    case PropertyId.WillDelayInterval: p.WillDelayInterval = UInt32(); break;
                    case PropertyId.RequestResponseInformation: p.RequestResponseInformation = Byte(); break;
                    case PropertyId.ResponseInformation: p.ResponseInformation = String(); break;
                    case PropertyId.ServerReference: p.ServerReference = String(); break;
                    case PropertyId.ReasonString: p.ReasonString = String(); break;
                    case PropertyId.ReceiveMaximum: p.ReceiveMaximum = UInt16(); break;
                    case PropertyId.TopicAliasMaximum: p.TopicAliasMaximum = UInt16(); break;
                    case PropertyId.TopicAlias: p.TopicAlias = UInt16(); break;
                    case PropertyId.MaximumQos: p.MaximumQos = Byte(); break;
                    case PropertyId.RetainAvailable: p.RetainAvailable = Byte(); break;
                    case PropertyId.UserProperty: p.UserProperties.Add(new(String(), String())); break;
                    case PropertyId.MaximumPacketSize: p.MaximumPacketSize = UInt32(); break;
                    case PropertyId.WildcardSubscriptionAvailable: p.WildcardSubscriptionAvailable = Byte(); break;
                    case PropertyId.SubscriptionIdentifierAvailable: p.SubscriptionIdentifierAvailable = Byte(); break;
                    case PropertyId.SharedSubscriptionAvailable: p.SharedSubscriptionAvailable = Byte(); break;
                    default: throw new MqttProtocolException($"Unknown property identifier 0x{id:X2} [MQTT-2.2.2].");
                }

                if (_position > end)
                {
                    throw new MqttProtocolException("A property runs past the end of its property list.");
                }
            }

            return p;
        }

        private readonly void Need(int count, string what)
        {
            if (count > Remaining)
            {
                throw new MqttProtocolException($"Packet ends before {what} ({Remaining} bytes left, {count} needed).");
            }
        }
    }
}
