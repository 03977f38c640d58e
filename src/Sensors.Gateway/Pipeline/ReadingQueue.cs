using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sensors.Core;

namespace Sensors.Gateway.Pipeline;

/// <summary>
/// The bounded queue between the sources and the forwarder. Sources never wait: when the queue
/// is full (InfluxDB away for long), the oldest reading is dropped, counted, and logged once per
/// episode. The durable journal (issue #4) takes this place; the contract stays.
/// </summary>
public sealed partial class ReadingQueue : IReadingSink
{
    private readonly Channel<Reading> _channel;
    private readonly PipelineStats _stats;
    private readonly ILogger<ReadingQueue> _logger;
    private int _dropping;

    public ReadingQueue(int capacity, PipelineStats stats, ILogger<ReadingQueue> logger)
    {
        Capacity = capacity;
        _stats = stats;
        _logger = logger;
        _channel = Channel.CreateBounded<Reading>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
    }

    public int Capacity { get; }

    public int Count => _channel.Reader.Count;

    public ChannelReader<Reading> Reader => _channel.Reader;

    public ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken)
    {
        _stats.AddReceived();
        return _channel.Writer.WriteAsync(reading, cancellationToken);
    }

    /// <summary>Called by the forwarder when it has caught up: ends a dropping episode with a summary line.</summary>
    public void CaughtUp()
    {
        if (Interlocked.Exchange(ref _dropping, 0) == 1)
        {
            LogDroppingEnded(_stats.Dropped);
        }
    }

    private void OnDropped(Reading reading)
    {
        _stats.AddDropped();
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            LogDroppingStarted(Capacity, reading.Measurement, reading.Timestamp);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading queue full ({Capacity} readings): dropping the oldest, first {Measurement} from {Time:u}. InfluxDB has not taken readings for a while: check Influx:Url and the network, or raise Pipeline:QueueCapacity")]
    private partial void LogDroppingStarted(int capacity, string measurement, DateTimeOffset time);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading queue has room again; {Dropped} readings dropped since start")]
    private partial void LogDroppingEnded(long dropped);
}
