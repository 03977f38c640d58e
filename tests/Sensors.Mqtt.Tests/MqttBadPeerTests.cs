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
    [InlineData("30FFFFFF7F", "maximum packet size")]         // announces 256 MiB
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

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<MqttClient>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
