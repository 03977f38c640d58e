using Sensors.Core;

namespace Sensors.Pipeline;

/// <summary>
/// Where sources put their readings. When <see cref="WriteAsync"/> completes, the reading is on
/// disk, in the journal. While the system clock is not synchronised that can take long (the
/// reading is held until it has its true time, see Clock/ClockGuard): a source that must not
/// stop meanwhile keeps the task rather than awaiting each write.
/// </summary>
public interface IReadingSink
{
    ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken);

    /// <summary>
    /// The same, saying whether the reading may share a later commit (<paramref name="grouped"/>: no
    /// one upstream waits for it, see <see cref="IReadingSource.Grouped"/>); the stages pass it on.
    /// </summary>
    ValueTask WriteAsync(Reading reading, bool grouped, CancellationToken cancellationToken) => WriteAsync(reading, cancellationToken);
}

/// <summary>
/// Something that produces readings: sensors on a bus, an MQTT subscription, a simulation.
/// Lifecycle: <see cref="RunAsync"/> is called once and runs until the token is cancelled. An
/// exception other than cancellation is logged by the host and the source is started again
/// after a pause; it never stops the other sources.
/// </summary>
public interface IReadingSource
{
    /// <summary>A short name for log lines ("simulated school ecole-jules-ferry").</summary>
    string Name { get; }

    /// <summary>A stable identifier for metrics labels ("mqtt", "simulation"): lower case, no spaces.</summary>
    string Id { get; }

    Task RunAsync(IReadingSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// True when no one upstream waits for this source's readings to be on disk (sensors on a bus,
    /// the simulation, the gateway's own report): they may wait up to Journal:GroupWindow to share
    /// a commit, which spares the SD card. Such a source must not await each write (the task ends
    /// once committed): it keeps the tasks (<see cref="PendingWrites"/>). False (MQTT, the uplink
    /// endpoint): committed at once, since an acknowledgement waits for it.
    /// </summary>
    bool Grouped => false;
}

public static class ReadingSinkExtensions
{
    /// <summary>
    /// Hands every reading of one message over at once (so that they share a commit, in order) and
    /// ends when all are committed; the first failure is the task's. Await it once.
    /// </summary>
    public static ValueTask WriteAllAsync(this IReadingSink sink, IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        switch (readings.Count)
        {
            case 0:
                return ValueTask.CompletedTask;
            case 1:
                return sink.WriteAsync(readings[0], cancellationToken);
        }

        var writes = new Task[readings.Count];
        for (var i = 0; i < readings.Count; i++)
        {
            writes[i] = sink.WriteAsync(readings[i], cancellationToken).AsTask();
        }

        return new ValueTask(Task.WhenAll(writes));
    }
}
