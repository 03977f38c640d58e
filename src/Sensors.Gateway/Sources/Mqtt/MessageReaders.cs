using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Sources.LoRaWan;

namespace Sensors.Gateway.Sources.Mqtt;

/// <summary>
/// Which reader turns a subscription's messages into readings: the JSON or number mapping of the
/// subscription, a network server's envelopes through the device registry, or the trucks'
/// pickups. Each throws <see cref="Pipeline.UnreadablePayloadException"/> for what it cannot read.
/// </summary>
public sealed class MessageReaders(LoRaWanMessageReader? lorawan, PickupMessageReader? pickups)
{
    public IReadOnlyList<Reading> Read(MqttSubscriptionOptions subscription, string topic, ReadOnlySpan<byte> payload, DateTimeOffset received) => subscription.Format switch
    {
        PayloadFormat.LoRaWan => (lorawan ?? throw new InvalidOperationException("LoRaWAN subscription without LoRaWan:Registry")).FromMqtt(topic, payload, received),
        PayloadFormat.Pickups => (pickups ?? throw new InvalidOperationException("pickup subscription without Pickups:KeyFile")).Read(topic, payload, received),
        _ => [MqttPayloadReader.Map(subscription, topic, payload, received)],
    };
}
