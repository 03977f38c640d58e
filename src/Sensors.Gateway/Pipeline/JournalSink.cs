using Sensors.Core;

namespace Sensors.Gateway.Pipeline;

/// <summary>Sees each reading once it is committed (the status page's last hour, for one).</summary>
public interface IReadingObserver
{
    void Observe(Reading reading);
}

/// <summary>
/// The last stage before the disk: the reading is encoded as the InfluxDB side wants it and
/// committed to the journal before <see cref="WriteAsync"/> returns. Only then may a source
/// acknowledge (an MQTT message) or forget (a sensor value) it, and only then do the observers
/// see it. Remembers whether the last commit failed, for /readyz.
/// </summary>
public sealed class JournalSink(Sensors.Journal.Journal journal, LineProtocol.Options encoding, IEnumerable<IReadingObserver> observers) : IReadingSink
{
    private readonly IReadingObserver[] _observers = [.. observers];
    private volatile string? _lastError;

    /// <summary>Why the last commit failed (disk full, read-only file system…), or null if it succeeded.</summary>
    public string? LastError => _lastError;

    public async ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken)
    {
        try
        {
            await journal.AppendAsync(reading, encoding, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            _lastError = error.Message;
            throw;
        }

        _lastError = null;
        foreach (var observer in _observers)
        {
            observer.Observe(reading);
        }
    }
}

/// <summary>Counts what one source puts in, for /metrics (<c>sensors_readings_received_total{source=…}</c>): committed, or refused by the clock guard for its time.</summary>
public sealed class CountingSink(IReadingSink inner, PipelineStats stats, string source) : IReadingSink
{
    public async ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(reading, cancellationToken).ConfigureAwait(false);
        stats.AddReceived(source);
    }
}
