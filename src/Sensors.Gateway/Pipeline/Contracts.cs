using Sensors.Core;

namespace Sensors.Gateway.Pipeline;

/// <summary>
/// Where sources put their readings. When <see cref="WriteAsync"/> returns, the reading is the
/// pipeline's responsibility (today a bounded queue in memory; with the journal, on disk).
/// </summary>
public interface IReadingSink
{
    ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken);
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

    Task RunAsync(IReadingSink sink, CancellationToken cancellationToken);
}
