using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;

namespace Sensors.Pipeline;

/// <summary>Counters of the pipeline since start; read by the status line, /metrics and the gateway's own measurement.</summary>
public sealed class PipelineStats : IInstrumented
{
    /// <summary>Buckets for HTTP writes over a LAN or a 4G link: 5 ms to 30 s.</summary>
    private static readonly double[] WriteBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private Histogram<double>? _writeDuration;

    private readonly ConcurrentDictionary<string, StrongBox> _receivedBySource = new();
    private readonly ConcurrentDictionary<string, StrongBox> _failuresByReason = new();
    private long _received;
    private long _delivered;
    private long _refused;
    private long _lastDeliveryTicks;
    private long _lastFailureTicks;

    /// <summary>Readings committed to the journal by the sources.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Readings InfluxDB acknowledged (2xx).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Readings InfluxDB refused (400), now in the dead-letter store.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>When InfluxDB last took a write; null before the first.</summary>
    public DateTimeOffset? LastDelivery => Ticks(ref _lastDeliveryTicks);

    /// <summary>When a write to InfluxDB last failed; null if none has.</summary>
    public DateTimeOffset? LastFailure => Ticks(ref _lastFailureTicks);

    /// <summary>InfluxDB is unreachable or refuses us: the last write failed and none succeeded since.</summary>
    public bool InfluxFailing => LastFailure is { } failed && (LastDelivery is not { } ok || failed > ok);

    public IEnumerable<KeyValuePair<string, long>> ReceivedBySource => _receivedBySource.Select(p => KeyValuePair.Create(p.Key, Interlocked.Read(ref p.Value.Value)));

    public IEnumerable<KeyValuePair<string, long>> FailuresByReason => _failuresByReason.Select(p => KeyValuePair.Create(p.Key, Interlocked.Read(ref p.Value.Value)));

    public void AddReceived(string source)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _receivedBySource.GetOrAdd(source, static _ => new StrongBox()).Value);
    }

    public void AddDelivered(long count, DateTimeOffset at)
    {
        Interlocked.Add(ref _delivered, count);
        if (count > 0)
        {
            Interlocked.Exchange(ref _lastDeliveryTicks, at.UtcTicks);
        }
    }

    /// <summary>How long InfluxDB took to answer a write (whatever the answer).</summary>
    public void AddWrite(TimeSpan duration) => _writeDuration?.Record(duration.TotalSeconds);

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("sensors_readings_received_total", () => ReceivedBySource.OrderBy(p => p.Key).Select(p => Measure.Of(p.Value, ("source", p.Key))), description: "Readings taken in from each source: committed to the journal, or refused for their time (sensors_clock_refused_readings_total).");
        meter.CreateObservableCounter("sensors_readings_delivered_total", () => Delivered, description: "Readings InfluxDB stored (2xx).");
        meter.CreateObservableCounter("sensors_readings_dead_lettered_total", () => Refused, description: "Readings InfluxDB refused (400), moved to the dead-letter store, since start.");
        _writeDuration = meter.CreateHistogram("sensors_influx_write_duration_seconds", unit: "s", description: "Time InfluxDB took to answer a batch (retries included).", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WriteBuckets });
        meter.CreateObservableCounter("sensors_influx_write_failures_total", () => FailuresByReason.OrderBy(p => p.Key).Select(p => Measure.Of(p.Value, ("reason", p.Key))), description: "Failed writes to InfluxDB, by reason (Unavailable, Unauthorized, NotFound, Misconfigured, …).");
    }

    public void AddRefused(long count) => Interlocked.Add(ref _refused, count);

    public void AddFailure(string reason, DateTimeOffset at)
    {
        Interlocked.Increment(ref _failuresByReason.GetOrAdd(reason, static _ => new StrongBox()).Value);
        Interlocked.Exchange(ref _lastFailureTicks, at.UtcTicks);
    }

    private static DateTimeOffset? Ticks(ref long ticks) => Interlocked.Read(ref ticks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    private sealed class StrongBox
    {
        public long Value;
    }
}
