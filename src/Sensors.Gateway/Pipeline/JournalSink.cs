using Sensors.Core;

namespace Sensors.Gateway.Pipeline;

/// <summary>
/// The sink every source writes to: the reading is encoded as the InfluxDB side wants it and
/// committed to the journal on disk before <see cref="WriteAsync"/> returns. Only then may a
/// source acknowledge (an MQTT message) or forget (a sensor value) it.
/// </summary>
public sealed class JournalSink(Sensors.Journal.Journal journal, LineProtocol.Options encoding, PipelineStats stats) : IReadingSink
{
    public async ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken)
    {
        await journal.AppendAsync(reading, encoding, cancellationToken).ConfigureAwait(false);
        stats.AddReceived();
    }
}
