using Microsoft.Extensions.Logging;
using Sensors.Gateway.Health;
using Sensors.Journal;

namespace Sensors.Gateway.Pipeline;

/// <summary>A message that cannot become readings, with what is wrong in words.</summary>
/// <param name="reason">What is wrong; never a chip id in clear.</param>
/// <param name="keepPayload">False when the message itself may hold personal data (a pickup's chip id): then only the reason is kept.</param>
/// <param name="alreadyLogged">True when the reader already said it once (an unknown device): it is kept and counted, not logged again.</param>
public sealed class UnreadablePayloadException(string reason, bool keepPayload = true, bool alreadyLogged = false) : Exception(reason)
{
    public bool KeepPayload { get; } = keepPayload;

    public bool AlreadyLogged { get; } = alreadyLogged;
}

/// <summary>
/// Where unreadable messages go, from every source: kept with their reason in the unreadable store
/// beside the journal (nothing is lost: after fixing a codec or the registry they can be sent
/// again), counted per source for /metrics, and logged at most once a minute per source and kind of
/// topic, with how many more there were. The flow goes on.
/// </summary>
public sealed partial class MessageQuarantine(UnreadableStore store, TimeProvider time, ILogger<MessageQuarantine> logger) : IMetricsSource
{
    private readonly Dictionary<string, (DateTimeOffset Last, int Suppressed)> _complaints = [];
    private readonly Dictionary<string, long> _counts = [];
    private bool _fullSaid;

    public void SetAside(string source, string topic, UnreadablePayloadException error, ReadOnlySpan<byte> payload)
    {
        var now = time.GetUtcNow();
        var kept = store.Add([new UnreadableMessage(now, source, topic, error.Message, error.KeepPayload ? Convert.ToBase64String(payload) : null)]);
        lock (_complaints)
        {
            _counts[source] = _counts.GetValueOrDefault(source) + 1;
            if (!kept && !_fullSaid)
            {
                _fullSaid = true;
                LogStoreFull(store.Path, UnreadableStore.DefaultMaxBytes / (1024 * 1024));
            }

            if (error.AlreadyLogged)
            {
                return;
            }

            // One line a minute per source and first topic level: a flood of one kind does not hide another.
            var kind = $"{source}:{topic.Split('/', 2)[0]}";
            if (_complaints.TryGetValue(kind, out var last) && now - last.Last < TimeSpan.FromMinutes(1))
            {
                _complaints[kind] = (last.Last, last.Suppressed + 1);
                return;
            }

            _complaints[kind] = (now, 0);
            LogUnreadable(source, topic, error.Message, last.Suppressed);
        }
    }

    public void WriteMetrics(PrometheusText text)
    {
        text.Family("sensors_messages_unreadable_total", "counter", "Messages that could not become readings, kept in the unreadable store (sensors journal unreadable), by source.");
        lock (_complaints)
        {
            foreach (var (source, count) in _counts)
            {
                text.Sample("sensors_messages_unreadable_total", count, ("source", source));
            }
        }

        text.Counter("sensors_unreadable_store_refused_total", "Unreadable messages not kept because the unreadable store reached its cap.", store.Refused);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source}: message on '{Topic}' set aside: {Reason}. Kept in the unreadable store (sensors journal unreadable); {Suppressed} more like it in the last minute")]
    private partial void LogUnreadable(string source, string topic, string reason, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "The unreadable store {Path} reached its cap ({MiB} MiB): further unreadable messages are counted but not kept. Fix the cause (codec, registry), then list and clear it with `sensors journal unreadable`")]
    private partial void LogStoreFull(string path, long mib);
}
