using System.Text;
using Sensors.Mqtt;
using Sensors.Mqtt.Packets;
using Sensors.Testing;

namespace Sensors.Mqtt.Tests;

internal static class Clients
{
    public static MqttClientOptions Options(MosquittoServer broker, MqttProtocolVersion version, string id, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions
        {
            Port = broker.Port,
            Version = version,
            ClientId = $"{id}-{version}",
            KeepAlive = TimeSpan.FromSeconds(10),
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return options;
    }

    public static async Task<MqttClient> ConnectAsync(MosquittoServer broker, MqttProtocolVersion version, string id, Action<MqttClientOptions>? configure = null)
    {
        var client = new MqttClient(Options(broker, version, id, configure));
        await client.ConnectAsync();
        return client;
    }

    /// <summary>Reads <paramref name="count"/> messages, or fails saying how many came.</summary>
    public static async Task<List<MqttMessage>> ReceiveAsync(MqttClient client, int count, TimeSpan? timeout = null)
    {
        var messages = new List<MqttMessage>();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (messages.Count < count)
            {
                messages.Add(await client.Messages.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{messages.Count} of {count} messages received in time");
        }

        return messages;
    }

    /// <summary>Whatever arrives within <paramref name="wait"/>.</summary>
    public static async Task<List<MqttMessage>> DrainAsync(MqttClient client, TimeSpan wait)
    {
        var messages = new List<MqttMessage>();
        using var deadline = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                messages.Add(await client.Messages.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException)
        {
            return messages;
        }
    }

    public static string Text(this MqttMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
