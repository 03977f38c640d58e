using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Health;
using Sensors.Pipeline;
using Sensors.LoRaWan;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>
/// Network-server messages, from MQTT or from the HTTP endpoint, into readings: the envelope read
/// (ChirpStack v4 or The Things Stack v3), the uplink through the registry and its codec. One
/// instance for both paths, so an uplink that arrives both ways counts once. Events that carry
/// no measurement (join, acknowledgements, logs, downlinks) give no reading. What cannot be read
/// is an <see cref="UnreadablePayloadException"/> for the quarantine; an unknown device is said
/// once, then only kept and counted.
/// </summary>
public sealed partial class LoRaWanMessageReader(RegistryProvider registry, ILogger<LoRaWanMessageReader> logger) : IInstrumented
{
    private const int ShownLostDevices = 20;

    public UplinkReader Reader { get; } = new(() => registry.Current);

    /// <summary>A message published by a network server on MQTT; the topic says which server and which event.</summary>
    public IReadOnlyList<Reading> FromMqtt(string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        var kind = Envelopes.Classify(topic);
        if (kind is null)
        {
            throw new UnreadablePayloadException($"'{topic}' is not a network-server topic (ChirpStack v4 application/…/device/…/event/up, The Things Stack v3 v3/…/devices/…/up); subscribe to those, or give this topic another Format.");
        }

        return Read(kind.Value.Server, kind.Value.Event, topic, payload, received);
    }

    /// <summary>A message pushed over HTTP: ChirpStack says the event in ?event=, The Things Stack in the path of the webhook's message type.</summary>
    public IReadOnlyList<Reading> FromHttp(NetworkServer server, string eventName, string where, ReadOnlySpan<byte> body, DateTimeOffset received) =>
        Read(server, eventName, where, body, received);

    private IReadOnlyList<Reading> Read(NetworkServer server, string eventName, string where, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        try
        {
            switch (eventName)
            {
                case "up":
                    return Uplink(Envelopes.ReadUplink(server, payload, received, where));
                case "status" when server == NetworkServer.ChirpStack:
                    return Reader.Read(Envelopes.ReadStatus(where, payload, received));
                default:
                    return []; // join, ack, txack, log, location, downlink events: nothing measured
            }
        }
        catch (EnvelopeException error)
        {
            throw new UnreadablePayloadException(error.Message);
        }
    }

    private IReadOnlyList<Reading> Uplink(Uplink uplink)
    {
        UplinkResult result;
        try
        {
            result = Reader.Read(uplink);
        }
        catch (UplinkException error)
        {
            throw new UnreadablePayloadException(error.Message);
        }

        if (result.Outcome == UplinkOutcome.UnknownDevice)
        {
            if (result.FirstTimeUnknown)
            {
                LogUnknown(uplink.DevEui, uplink.DeviceName ?? "no name", uplink.FPort);
            }

            throw new UnreadablePayloadException($"device {uplink.DevEui} is not in the device registry", alreadyLogged: true);
        }

        return result.Readings;
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("sensors_lorawan_uplinks_total", () =>
        {
            var frames = Reader.Frames;
            return new[] { Measure.Of(Reader.Decoded, ("outcome", "decoded")), Measure.Of(frames.Duplicates, ("outcome", "duplicate")), Measure.Of(Reader.UnknownUplinks, ("outcome", "unknown_device")), Measure.Of(Reader.Unreadable, ("outcome", "unreadable")) };
        }, description: "LoRaWAN uplinks by outcome: decoded, duplicate (counted once), unknown_device, unreadable (kept in the unreadable store).");
        meter.CreateObservableCounter("sensors_lorawan_lost_uplinks_total", () => Reader.Frames.Lost, description: "Uplinks never received, from gaps in the devices' frame counters (a weak radio link, a gateway down).");
        meter.CreateObservableGauge("sensors_lorawan_device_lost_uplinks", () => Reader.Frames.LostByDevice().Where(d => d.Value > 0).OrderByDescending(d => d.Value).Take(ShownLostDevices).Select(d => Measure.Of(d.Value, ("device_eui", d.Key))), description: $"Uplinks lost per device, for the {ShownLostDevices} devices that lost most.");
        meter.CreateObservableGauge("sensors_lorawan_registry_devices", () => (long)registry.Current.Count, description: "Devices in the device registry in use.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LoRaWAN device {DevEui} ({Name}, fPort {FPort}) is not in the device registry: its uplinks are kept in the unreadable store, not decoded. Add it (dev_eui, type, site, and its room, bin_id or lamp_id) to the registry file; said once per device")]
    private partial void LogUnknown(string devEui, string name, int fPort);
}
