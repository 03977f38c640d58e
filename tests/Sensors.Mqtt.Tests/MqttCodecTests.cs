using System.Buffers;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt.Tests;

public class MqttCodecTests
{
    private static string Hex(MqttPacket packet, MqttProtocolVersion version) => Convert.ToHexString(MqttCodec.Encode(packet, version));

    private static MqttPacket RoundTrip(MqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = MqttCodec.Encode(packet, version);
        var headerSize = 1;
        while ((bytes[headerSize] & 0x80) != 0)
        {
            headerSize++;
        }

        return MqttCodec.Decode(bytes[0], bytes.AsMemory(headerSize + 1), version);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(16_383u, "FF7F")]
    [InlineData(16_384u, "808001")]
    [InlineData(2_097_151u, "FFFF7F")]
    [InlineData(2_097_152u, "80808001")]
    [InlineData(268_435_455u, "FFFFFF7F")]
    public void VariableByteInteger_MatchesTheSpecTable(uint value, string hex)
    {
        // MQTT 5.0 §1.5.5, table 1-1: the bounds of one to four bytes.
        var buffer = new byte[4];
        var size = MqttCodec.WriteVarInt(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, size));
        Assert.Equal(size, MqttCodec.VarIntSize(value));
    }

    [Fact]
    public void Connect311_GoldenBytes() =>
        Assert.Equal("100D00044D5154540402003C000161", Hex(new ConnectPacket("a", CleanStart: true, 60) { Version = MqttProtocolVersion.V311 }, MqttProtocolVersion.V311));

    [Fact]
    public void Connect500_WithSessionExpiry_GoldenBytes()
    {
        var connect = new ConnectPacket("a", CleanStart: false, 60) { Version = MqttProtocolVersion.V500 };
        connect.Properties.SessionExpiryInterval = 300;
        // properties: length 5, id 0x11, 0x0000012C
        Assert.Equal("101300044D5154540500003C0511000001 2C000161".Replace(" ", string.Empty, StringComparison.Ordinal), Hex(connect, MqttProtocolVersion.V500));
    }

    [Fact]
    public void PublishQos1_GoldenBytes_BothVersions()
    {
        var publish = new PublishPacket("a/b", "hi"u8.ToArray(), MqttQos.AtLeastOnce) { PacketId = 10 };
        Assert.Equal("3209000361" + "2F62000A6869", Hex(publish, MqttProtocolVersion.V311));
        Assert.Equal("320A000361" + "2F62000A006869", Hex(publish, MqttProtocolVersion.V500));
    }

    [Fact]
    public void Subscribe311_GoldenBytes() =>
        Assert.Equal("82080001000361" + "2F2301", Hex(new SubscribePacket(1, [new MqttSubscription("a/#", MqttQos.AtLeastOnce)]), MqttProtocolVersion.V311));

    [Fact]
    public void PingAndDisconnect_GoldenBytes()
    {
        Assert.Equal("C000", Hex(new PingReqPacket(), MqttProtocolVersion.V311));
        Assert.Equal("E000", Hex(new DisconnectPacket(), MqttProtocolVersion.V500));
        Assert.Equal("E0020400", Hex(new DisconnectPacket(0x04), MqttProtocolVersion.V500));
        Assert.Equal("62020007", Hex(new AckPacket(MqttPacketType.PubRel, 7), MqttProtocolVersion.V500)); // PUBREL flags 0010 [MQTT-3.6.1-1]
    }

    public static TheoryData<MqttPacket> Packets() => [.. AllPackets()];

    private static List<MqttPacket> AllPackets()
    {
        var withProperties = new PublishPacket("sensors/ecole/cm2-b", "{\"co2\":812}"u8.ToArray(), MqttQos.ExactlyOnce, Retain: true) { PacketId = 65535, Duplicate = true };
        withProperties.Properties.ContentType = "application/json";
        withProperties.Properties.MessageExpiryInterval = 3600;
        withProperties.Properties.UserProperties.Add(new("site", "école"));
        withProperties.Properties.SubscriptionIdentifiers.Add(268_435_455);
        var connect = new ConnectPacket("gw-1", false, 30)
        {
            Username = "gateway",
            Password = "s3cret"u8.ToArray(),
            Will = new MqttWill("gateways/gw-1/status", "offline"u8.ToArray(), MqttQos.AtLeastOnce, Retain: true),
        };
        connect.Properties.ReceiveMaximum = 100;
        var connAck = new ConnAckPacket(true, 0);
        connAck.Properties.ServerKeepAlive = 20;
        connAck.Properties.AssignedClientIdentifier = "auto-1";
        return
        [
            connect,
            connAck,
            withProperties,
            new PublishPacket("t", ReadOnlyMemory<byte>.Empty),
            new AckPacket(MqttPacketType.PubAck, 1),
            new AckPacket(MqttPacketType.PubRec, 2),
            new AckPacket(MqttPacketType.PubRel, 3),
            new AckPacket(MqttPacketType.PubComp, 4),
            new SubscribePacket(5, [new MqttSubscription("$share/gw/bins/#", MqttQos.ExactlyOnce), new MqttSubscription("lamps/+/up")]),
            new SubAckPacket(5, [2, 1]),
            new UnsubscribePacket(6, ["a", "b/#"]),
            new PingReqPacket(),
            new PingRespPacket(),
            new DisconnectPacket(),
        ];
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void RoundTrip_311_KeepsEveryField(MqttPacket packet)
    {
        if (packet is ConnectPacket connect)
        {
            packet = connect with { Version = MqttProtocolVersion.V311, Properties = new() };
        }

        var decoded = RoundTrip(packet, MqttProtocolVersion.V311);
        Assert.Equal(MqttCodec.Encode(packet, MqttProtocolVersion.V311), MqttCodec.Encode(decoded, MqttProtocolVersion.V311));
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void RoundTrip_500_KeepsEveryFieldAndProperty(MqttPacket packet)
    {
        var decoded = RoundTrip(packet, MqttProtocolVersion.V500);
        Assert.Equal(MqttCodec.Encode(packet, MqttProtocolVersion.V500), MqttCodec.Encode(decoded, MqttProtocolVersion.V500));
        if (packet is PublishPacket { Properties.ContentType: not null } publish)
        {
            var back = (PublishPacket)decoded;
            Assert.Equal("application/json", back.Properties.ContentType);
            Assert.Equal("école", back.Properties.UserProperties.Single().Value);
            Assert.Equal(268_435_455u, back.Properties.SubscriptionIdentifiers.Single());
            Assert.True(back.Duplicate && back.Retain && back.Qos == MqttQos.ExactlyOnce && back.PacketId == 65535);
            Assert.Equal(publish.Payload.ToArray(), back.Payload.ToArray());
        }
    }

    [Theory]
    [InlineData("3F0300016100", "QoS 3")]                 // PUBLISH QoS 3 [MQTT-3.3.1-4]
    [InlineData("600200 01", "flags")]                     // PUBREL with flags 0000 [MQTT-2.1.3-1]
    [InlineData("8005000100 0161", "flags")]               // SUBSCRIBE with flags 0000
    [InlineData("30050003C3 2861", "UTF-8")]               // topic with an invalid UTF-8 sequence
    [InlineData("3004000261 00", "U+0000")]                // topic "a\0"
    [InlineData("30040002612B", "wildcards")]              // PUBLISH to "a+"
    [InlineData("300400056162", "ends before")]            // topic length past the body
    [InlineData("3206000161000000", "packet identifier 0")]
    [InlineData("3006000161027F00", "Unknown property")]    // v5: property id 0x7F
    public void MalformedPackets_AreRefusedWithAReason(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        var version = reason == "Unknown property" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        var body = bytes.AsMemory(2);
        var error = Assert.Throws<MqttProtocolException>(() => MqttCodec.Decode(bytes[0], body, version));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DuplicateSingleProperty_IsAProtocolError()
    {
        // CONNACK v5 with Server Keep Alive twice.
        var bytes = Convert.FromHexString("2000" + "0000" + "06" + "13000A" + "13000B");
        var error = Assert.Throws<MqttProtocolException>(() => MqttCodec.Decode(0x20, bytes.AsMemory(2), MqttProtocolVersion.V500));
        Assert.Equal(MqttProtocolException.ProtocolError, error.ReasonCode);
    }

    [Fact]
    public void Fuzz_RandomAndMutatedPackets_OnlyEverRaiseProtocolErrors()
    {
        var random = new Random(20261124);
        var seeds = AllPackets();
        var decoded = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var version = i % 2 == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
            byte[] bytes;
            if (i % 3 == 0)
            {
                bytes = new byte[random.Next(1, 64)];
                random.NextBytes(bytes);
            }
            else
            {
                var seed = seeds[random.Next(seeds.Count)];
                if (seed is ConnectPacket c && version == MqttProtocolVersion.V311)
                {
                    seed = c with { Properties = new() };
                }

                bytes = MqttCodec.Encode(seed, version);
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    switch (random.Next(3))
                    {
                        case 0: bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8)); break;
                        case 1: bytes = bytes[..random.Next(1, bytes.Length + 1)]; break;
                        default: bytes = [.. bytes, .. new byte[] { (byte)random.Next(256) }]; break;
                    }
                }
            }

            try
            {
                MqttCodec.Decode(bytes[0], bytes.AsMemory(Math.Min(2, bytes.Length)), version);
                decoded++;
            }
            catch (MqttProtocolException)
            {
            }
        }

        Assert.InRange(decoded, 1, 199_999); // some mutations stay valid, most do not; nothing else escapes
    }

    [Fact]
    public async Task FrameReader_AnnouncedHugePacket_IsRefusedBeforeAllocating()
    {
        // SUBACK announcing 268,435,455 bytes; only a few follow.
        using var stream = new MemoryStream(Convert.FromHexString("90FFFFFF7F0001"));
        var reader = new MqttFrameReader(stream, 1024 * 1024);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = await Assert.ThrowsAsync<MqttProtocolException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(MqttProtocolException.PacketTooLarge, error.ReasonCode);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task FrameReader_OversizePublish_IsSkippedOnTheWireWithoutBuffering_AndTheNextPacketFollows(MqttProtocolVersion version)
    {
        var huge = new PublishPacket("bins/nord/b-7/fill", new byte[3 * 1024 * 1024], MqttQos.AtLeastOnce) { PacketId = 77 };
        huge.Properties.ContentType = "application/json";
        var next = new PublishPacket("bins/nord/b-8/fill", "{\"fill\":40}"u8.ToArray(), MqttQos.AtLeastOnce) { PacketId = 78 };
        var bytes = MqttCodec.Encode(huge, version).Concat(MqttCodec.Encode(next, version)).ToArray();
        using var stream = new TrickleStream(bytes, 64 * 1024);
        var reader = new MqttFrameReader(stream, 1 << 20);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var skipped = (await reader.ReadAsync(CancellationToken.None))!.Value;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var head = MqttCodec.DecodePublishHead(skipped.First, skipped.Body, version);
        var frame = (await reader.ReadAsync(CancellationToken.None))!.Value;
        var following = Assert.IsType<PublishPacket>(MqttCodec.Decode(frame.First, frame.Body, version));

        Assert.Equal(bytes.Length - MqttCodec.Encode(next, version).Length, skipped.Oversize);
        Assert.Equal("bins/nord/b-7/fill", head.Topic);
        Assert.Equal((ushort)77, head.PacketId);
        Assert.Equal(MqttQos.AtLeastOnce, head.Qos);
        Assert.True(head.Payload.IsEmpty);
        Assert.Equal("bins/nord/b-8/fill", following.Topic);
        Assert.Equal(0, frame.Oversize);
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
        Assert.True(allocated < 512 * 1024, $"allocated {allocated} bytes for a 3 MiB message");
    }

    [Fact]
    public async Task FrameReader_FiveByteLength_IsMalformed()
    {
        using var stream = new MemoryStream(Convert.FromHexString("30FFFFFFFF01"));
        var error = await Assert.ThrowsAsync<MqttProtocolException>(async () => await new MqttFrameReader(stream, 1 << 20).ReadAsync(CancellationToken.None));
        Assert.Contains("four bytes", error.Message);
    }

    [Fact]
    public async Task FrameReader_ReadsPacketsSplitAcrossReads_AndNullAtCleanEnd()
    {
        var bytes = MqttCodec.Encode(new PublishPacket("a", new byte[40_000]), MqttProtocolVersion.V311).Concat(MqttCodec.Encode(new PingRespPacket(), MqttProtocolVersion.V311)).ToArray();
        using var stream = new TrickleStream(bytes, 7);
        var reader = new MqttFrameReader(stream, 1 << 20);
        Assert.Equal(40_003, (await reader.ReadAsync(CancellationToken.None))!.Value.Body.Length);
        Assert.Equal(0xD0, (await reader.ReadAsync(CancellationToken.None))!.Value.First);
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>Hands out at most a few bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
