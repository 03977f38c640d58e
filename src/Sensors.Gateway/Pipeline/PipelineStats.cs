namespace Sensors.Gateway.Pipeline;

/// <summary>Counters of the pipeline since start; read by the status line (and, later, /metrics).</summary>
public sealed class PipelineStats
{
    private long _received;
    private long _delivered;
    private long _refused;
    private long _dropped;

    /// <summary>Readings handed to the pipeline by the sources.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Readings InfluxDB acknowledged (2xx).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Readings InfluxDB refused (400) or that could not be encoded for it.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Readings dropped, oldest first, because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void AddReceived() => Interlocked.Increment(ref _received);
    public void AddDelivered(long count) => Interlocked.Add(ref _delivered, count);
    public void AddRefused(long count) => Interlocked.Add(ref _refused, count);
    public void AddDropped() => Interlocked.Increment(ref _dropped);
}
