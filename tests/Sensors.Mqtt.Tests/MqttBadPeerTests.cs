using System.Net;
using System.Net.Sockets;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt.Tests;

/// <summary>
/// A misbehaving broker played by a raw TCP listener on loopback: it answers CONNECT properly,
/// then sends garbage. The client must close, say why in one line, reconnect, and carry on.
/// </summary>
public sealed class MqttBadPeerTests
{
    [Theory]
    [InlineData("3F0300016100", "QoS 3")]                     // PUBLISH with QoS 3
    [InlineData("90FFFFFF7F", "maximum packet size")]         // a SUBACK announcing 256 MiB (a PUBLISH that large is skipped, see MqttCodecTests)
    [InlineData("3005000361C328", "UTF-8")]                   // topic with broken UTF-8
    [InlineData("62020001", "flags")]                         // PUBREL 0x62 is fine; this is PUBACK with flags below
    [InlineData("100D00044D5154540402003C000161", "does not expect")] // a CONNECT sent to a client
    public async Task GarbageFromTheBroker_ClosesWithAReason_ThenReconnects(string garbage, string reason)
    {
        if (reason == "flags")
        {
            garbage = "42020001"; // PUBACK with flags 0010 [MQTT-2.1.3-1]
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        var broker = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                connections++;
                var buffer = new byte[1024];
                await socket.ReceiveAsync(buffer);                                  // CONNECT
                await socket.SendAsync(Convert.FromHexString("20020000"));          // CONNACK accepted
                if (connections == 1)
                {
                    await socket.SendAsync(Convert.FromHexString(garbage));
                }

                try
                {
                    while (await socket.ReceiveAsync(buffer) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                }
            }
        });

        var logger = new ListLogger();
        await using var client = new MqttClient(
            new MqttClientOptions { Port = port, Version = MqttProtocolVersion.V311, ClientId = "victim", ReconnectDelay = TimeSpan.FromMilliseconds(100), MaximumPacketSize = 1 << 20 },
            logger);
        await client.ConnectAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (client.Reconnects == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, client.Reconnects);
        Assert.True(client.IsConnected);
        var line = Assert.Single(logger.Lines, l => l.Contains("lost", StringComparison.Ordinal));
        Assert.Contains(reason, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', line);
        Assert.False(broker.IsFaulted);
    }

    [Fact]
    public async Task InboundTopicAlias_IsResolved_AndAnUnknownAliasIsAProtocolError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var v5 = MqttProtocolVersion.V500;
        _ = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.ReceiveAsync(new byte[1024]);
            await socket.SendAsync(MqttCodec.Encode(new ConnAckPacket(false, 0), v5));
            var first = new PublishPacket("lamps/L-9/state", "on"u8.ToArray());
            first.Properties.TopicAlias = 3;
            var second = new PublishPacket(string.Empty, "off"u8.ToArray());
            second.Properties.TopicAlias = 3;
            var unknown = new PublishPacket(string.Empty, "?"u8.ToArray());
            unknown.Properties.TopicAlias = 4;
            await socket.SendAsync(MqttCodec.Encode(first, v5));
            await socket.SendAsync(MqttCodec.Encode(second, v5));
            await socket.SendAsync(MqttCodec.Encode(unknown, v5));
            await Task.Delay(5000);
        });

        var logger = new ListLogger();
        await using var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "alias", ReconnectDelay = TimeSpan.FromSeconds(30) }, logger);
        await client.ConnectAsync();
        var messages = await Clients.ReceiveAsync(client, 2);
        Assert.Equal(["lamps/L-9/state", "lamps/L-9/state"], messages.Select(m => m.Topic));
        Assert.Equal(["on", "off"], messages.Select(m => m.Text()));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!logger.Lines.Any(l => l.Contains("alias 4", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains(logger.Lines, l => l.Contains("Topic alias 4 used before it was set", StringComparison.Ordinal));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<MqttClient>
    {
        private readonly List<string> _lines = [];

        public List<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
