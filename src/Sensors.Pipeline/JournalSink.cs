using System.Runtime.CompilerServices;
using Sensors.Core;

namespace Sensors.Pipeline;

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

    public ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken) => WriteAsync(reading, grouped: false, cancellationToken);

    /// <summary>
    /// A grouped reading is shown to the observers as soon as it is queued (the status page stays
    /// live while it waits to share a commit); any other once it is on disk.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one a message: its box is reused
    public async ValueTask WriteAsync(Reading reading, bool grouped, CancellationToken cancellationToken)
    {
        var commit = journal.AppendAsync(reading, encoding, cancellationToken, grouped);
        if (grouped)
        {
            Observe(reading);
        }

        try
        {
            await commit.ConfigureAwait(false);
        }
        catch (IOException error)
        {
            _lastError = error.Message;
            throw;
        }

        _lastError = null;
        if (!grouped)
        {
            Observe(reading);
        }
    }

    private void Observe(Reading reading)
    {
        foreach (var observer in _observers)
        {
            observer.Observe(reading);
        }
    }
}

/// <summary>Counts what one source puts in, for /metrics (<c>sensors_readings_received_total{source=…}</c>): committed, or refused by the clock guard for its time.</summary>
public sealed class CountingSink(IReadingSink inner, PipelineStats stats, string source, bool grouped = false) : IReadingSink
{
    public ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken) => WriteAsync(reading, grouped, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one a message: its box is reused
    public async ValueTask WriteAsync(Reading reading, bool grouped, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(reading, grouped, cancellationToken).ConfigureAwait(false);
        stats.AddReceived(source);
    }
}

/// <summary>
/// The writes a grouped source has in flight (each ends once committed, up to Journal:GroupWindow
/// later): kept rather than awaited one by one, bounded so that a journal that cannot write makes
/// the source wait instead of growing memory. A failed write is the journal's to report (its log
/// line, /readyz's journal_writable): the source goes on measuring.
/// </summary>
public sealed class PendingWrites(int max = 1000)
{
    private readonly Queue<Task> _pending = new();

    /// <summary>Keeps <paramref name="write"/>; the task to await is done at once unless more than the bound wait.</summary>
    public ValueTask Add(ValueTask write)
    {
        if (write.IsCompletedSuccessfully)
        {
            return ValueTask.CompletedTask;
        }

        lock (_pending)
        {
            while (_pending.TryPeek(out var done) && done.IsCompleted)
            {
                _ = _pending.Dequeue().Exception; // observed: said by the journal already
            }

            _pending.Enqueue(write.AsTask());
            return _pending.Count > max ? new ValueTask(_pending.Dequeue()) : ValueTask.CompletedTask;
        }
    }

    /// <summary>Ends once every write kept so far has ended.</summary>
    public Task WhenAll()
    {
        lock (_pending)
        {
            return Task.WhenAll(_pending);
        }
    }
}
