using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Sensors.Journal;

namespace Sensors.Pipeline;

/// <summary>A message that cannot become readings, with what is wrong in words.</summary>
/// <param name="reason">What is wrong; never a chip id in clear.</param>
/// <param name="keepPayload">False when the message itself may hold personal data (a pickup's chip id): then only the reason is kept.</param>
/// <param name="alreadyLogged">True when the reader already said it once (an unknown device): it is kept and counted, not logged again.</param>
public sealed class UnreadablePayloadException(string reason, bool keepPayload = true, bool alreadyLogged = false) : Exception(reason)
{
    public bool KeepPayload { get; } = keepPayload;

    public bool AlreadyLogged { get; } = alreadyLogged;
}

/// <summary>Turns a message's bytes into readings; throws (anything) when it cannot.</summary>
public delegate IReadOnlyList<Sensors.Core.Reading> MessageReader<in TState>(TState state, ReadOnlySpan<byte> payload);

/// <summary>
/// The one rule of every source, enforced here: <b>a source never fails because of a message</b>.
/// <see cref="Read"/> runs a message's reader; whatever goes wrong (bytes, UTF-8, JSON, mapping,
/// codec, numbers, time, any exception type but cancellation) sets the message aside and the
/// caller acknowledges it and takes the next. Set aside means: kept with its reason in the
/// unreadable store beside the journal (nothing is lost: after fixing a codec or the registry it
/// can be sent again), counted per source for /metrics, and logged at most once a minute per
/// source and kind of topic, with how many more there were. Only I/O (the journal, the broker, a
/// socket) may still fail a source, and the source runner restarts it.
/// Per source, messages received = read + set aside, exactly.
/// </summary>
public sealed partial class MessageQuarantine(UnreadableStore store, TimeProvider time, ILogger<MessageQuarantine> logger) : IInstrumented
{
    private const int MaxReasonLength = 400;

    private readonly Dictionary<string, (DateTimeOffset Last, int Suppressed)> _complaints = [];
    private readonly Dictionary<string, long> _counts = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<long>> _read = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<long>> _readings = new();
    private bool _fullSaid;

    /// <summary>Messages set aside by <paramref name="source"/> since start.</summary>
    public long SetAsideBy(string source)
    {
        lock (_complaints)
        {
            return _counts.GetValueOrDefault(source);
        }
    }

    /// <summary>Messages set aside by every source since start.</summary>
    public long SetAsideTotal
    {
        get
        {
            lock (_complaints)
            {
                return _counts.Values.Sum();
            }
        }
    }

    /// <summary>Messages that <paramref name="source"/> read into readings (none or more) since start.</summary>
    public long ReadBy(string source) => _read.TryGetValue(source, out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>
    /// Whether an exception thrown while a message was being handled is about the message (set it
    /// aside and go on) rather than about the machine (I/O, shutdown: the source fails and restarts).
    /// </summary>
    public static bool IsAboutTheMessage(Exception error) =>
        error is not (OperationCanceledException or IOException or ObjectDisposedException or OutOfMemoryException or System.Net.Sockets.SocketException or UnauthorizedAccessException);

    /// <summary>
    /// The readings of one message, or null when it was set aside (<paramref name="reason"/> then
    /// says why). <paramref name="personal"/>: the payload may hold personal data (a pickup's chip
    /// id), so an unexpected error keeps only its reason.
    /// </summary>
    public IReadOnlyList<Sensors.Core.Reading>? Read<TState>(string source, string where, ReadOnlySpan<byte> payload, TState state, MessageReader<TState> reader, out string? reason, bool personal = false)
    {
        IReadOnlyList<Sensors.Core.Reading> readings;
        UnreadablePayloadException? unreadable;
        try
        {
            readings = reader(state, payload);
            unreadable = null;
        }
        catch (UnreadablePayloadException error)
        {
            readings = [];
            unreadable = error;
        }
        catch (Exception error) when (IsAboutTheMessage(error))
        {
            // Not a reader's own words: a bug or a corner no reader foresaw. Said with its type, so that it can be fixed.
            readings = [];
            unreadable = Unexpected(error, personal);
        }

        if (unreadable is not null)
        {
            reason = SetAside(source, where, unreadable, payload);
            return null;
        }

        reason = null;

        Interlocked.Increment(ref _read.GetOrAdd(source, static _ => new StrongBox<long>()).Value);
        Interlocked.Add(ref _readings.GetOrAdd(source, static _ => new StrongBox<long>()).Value, readings.Count);
        return readings;
    }

    /// <summary>The words for an exception no reader turned into its own.</summary>
    public static UnreadablePayloadException Unexpected(Exception error, bool personal) =>
        new($"{error.GetType().Name}: {error.Message}", keepPayload: !personal);

    /// <summary>Keeps, counts and (at most once a minute per kind) logs one message that cannot become readings; returns the reason as kept.</summary>
    public string SetAside(string source, string topic, UnreadablePayloadException error, ReadOnlySpan<byte> payload)
    {
        var now = time.GetUtcNow();
        var reason = error.Message.Length <= MaxReasonLength ? error.Message : error.Message[..MaxReasonLength] + "…";
        topic = topic.Length <= MaxReasonLength ? topic : topic[..MaxReasonLength] + "…";
        var kept = store.Add([new UnreadableMessage(now, source, topic, reason, error.KeepPayload ? Convert.ToBase64String(payload) : null)]);
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
                return reason;
            }

            // One line a minute per source and first topic level: a flood of one kind does not hide another.
            var kind = $"{source}:{topic.Split('/', 2)[0]}";
            if (_complaints.TryGetValue(kind, out var last) && now - last.Last < TimeSpan.FromMinutes(1))
            {
                _complaints[kind] = (last.Last, last.Suppressed + 1);
                return reason;
            }

            _complaints[kind] = (now, 0);
            LogUnreadable(source, topic, reason, last.Suppressed);
        }

        return reason;
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("sensors_messages_unreadable_total", () =>
        {
            lock (_complaints)
            {
                return _counts.Select(c => Measure.Of(c.Value, ("source", c.Key))).ToList();
            }
        }, description: "Messages that could not become readings, kept in the unreadable store (sensors journal unreadable), by source.");
        meter.CreateObservableCounter("sensors_messages_read_total", () => _read.Select(c => Measure.Of(Interlocked.Read(ref c.Value.Value), ("source", c.Key))), description: "Messages that became readings (none or more), by source: received = read + unreadable.");
        meter.CreateObservableCounter("sensors_message_readings_total", () => _readings.Select(c => Measure.Of(Interlocked.Read(ref c.Value.Value), ("source", c.Key))), description: "Readings the read messages gave, by source; each is taken in by the pipeline (sensors_readings_received_total).");
        meter.CreateObservableCounter("sensors_unreadable_store_refused_total", () => store.Refused, description: "Unreadable messages not kept because the unreadable store reached its cap.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source}: message on '{Topic}' set aside: {Reason}. Kept in the unreadable store (sensors journal unreadable); {Suppressed} more like it in the last minute")]
    private partial void LogUnreadable(string source, string topic, string reason, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "The unreadable store {Path} reached its cap ({MiB} MiB): further unreadable messages are counted but not kept. Fix the cause (codec, registry), then list and clear it with `sensors journal unreadable`")]
    private partial void LogStoreFull(string path, long mib);
}
