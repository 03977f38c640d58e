using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Health;
using Sensors.Pipeline;
using Sensors.LoRaWan;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>Truck RFID reads → pickups; a read that cannot be counted goes to the quarantine without its text (it may hold a chip id).</summary>
public sealed class PickupMessageReader(Sensors.LoRaWan.Pickups.PickupReader reader) : IInstrumented
{
    public Sensors.LoRaWan.Pickups.PickupReader Reader => reader;

    public IReadOnlyList<Reading> Read(string topic, ReadOnlySpan<byte> payload, DateTimeOffset received)
    {
        try
        {
            return [reader.Read(topic, payload, received)];
        }
        catch (Sensors.LoRaWan.Pickups.PickupException error)
        {
            throw new UnreadablePayloadException(error.Message, keepPayload: false);
        }
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("sensors_bin_pickups_total", () => reader.Pickups, description: "Bin pickups counted (one per lift).");
        meter.CreateObservableCounter("sensors_bin_pickup_repeated_reads_total", () => reader.RepeatedReads, description: "RFID reads that repeated a lift already counted.");
    }
}
