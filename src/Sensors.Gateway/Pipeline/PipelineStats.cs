namespace Sensors.Gateway.Pipeline;

/// <summary>Counters of the pipeline since start; read by the status line (and, later, /metrics).</summary>
public sealed class PipelineStats
{
    private long _received;
    private long _delivered;
    private long _refused;

    /// <summary>Readings committed to the journal by the sources.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Readings InfluxDB acknowledged (2xx).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Readings InfluxDB refused (400), now in the dead-letter store.</summary>
    public long Refused => Interlocked.Read(ref _refused);


    public void AddReceived() => Interlocked.Increment(ref _received);
    public void AddDelivered(long count) => Interlocked.Add(ref _delivered, count);
    public void AddRefused(long count) => Interlocked.Add(ref _refused, count);
}
