using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using System.Collections.Concurrent;

namespace Sensors.Pipeline;

/// <summary>What a source says of its own progress: messages in hand, and when it last committed any.</summary>
public interface ISourceProgress
{
    /// <summary>Messages received and not yet committed and acknowledged.</summary>
    long Waiting { get; }

    /// <summary>When the source last committed (and acknowledged) a message; its start before the first.</summary>
    DateTimeOffset LastProgress { get; }
}

/// <summary>One source's trouble in words, for /readyz and the status page.</summary>
public sealed record SourceProblem(string Id, string Name, string Detail, string DetailFr);

/// <summary>
/// How each source is doing, kept by the <see cref="SourceRunner"/> (failures and restarts) and
/// read from the sources that report <see cref="ISourceProgress"/>. A source is stuck when it has
/// failed <see cref="RestartsForStuck"/> times within <see cref="RestartWindow"/> and has not run
/// for <see cref="RecoveredAfter"/> since, or when it holds messages and has committed nothing for <see cref="StallAfter"/>.
/// Pure rules over recorded facts: <see cref="Problems"/> takes the time.
/// </summary>
public sealed class SourceStates(TimeProvider time) : IInstrumented
{
    public const int RestartsForStuck = 3;
    public static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan RecoveredAfter = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, State> _states = new();

    /// <summary>Restarts of each source since start (by id).</summary>
    public IEnumerable<KeyValuePair<string, long>> Restarts => _states.Select(p => KeyValuePair.Create(p.Key, Interlocked.Read(ref p.Value.Restarts)));

    public void Started(IReadingSource source, DateTimeOffset at)
    {
        var state = _states.GetOrAdd(source.Id, _ => new State(source));
        lock (state)
        {
            state.StartedAt = at;
        }
    }

    public void Failed(IReadingSource source, Exception error, DateTimeOffset at)
    {
        var state = _states.GetOrAdd(source.Id, _ => new State(source));
        Interlocked.Increment(ref state.Restarts);
        lock (state)
        {
            state.Failures.Enqueue(at);
            while (state.Failures.Count > RestartsForStuck)
            {
                state.Failures.Dequeue();
            }

            state.LastError = $"{error.GetType().Name}: {error.Message}";
        }
    }

    public IReadOnlyList<SourceProblem> Problems(DateTimeOffset now)
    {
        var problems = new List<SourceProblem>();
        foreach (var (id, state) in _states.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            lock (state)
            {
                // Failing again and again: the last failures fell within the window, and the source
                // is waiting to restart or has not yet run for a while since.
                var heldSince = state.StartedAt >= state.Failures.LastOrDefault() ? now - state.StartedAt : TimeSpan.Zero;
                if (state.Failures.Count >= RestartsForStuck && now - state.Failures.Peek() <= RestartWindow && heldSince < RecoveredAfter)
                {
                    problems.Add(new SourceProblem(id, state.Source.Name,
                        $"{state.Source.Name} failed {state.Failures.Count} times in {(now - state.Failures.Peek()).TotalMinutes:0} min (last: {state.LastError}); it is restarted with a growing pause",
                        $"{state.Source.Name} a échoué {state.Failures.Count} fois en {(now - state.Failures.Peek()).TotalMinutes:0} min ({state.LastError})"));
                    continue;
                }
            }

            if (state.Source is ISourceProgress progress && progress.Waiting is var waiting and > 0 && now - progress.LastProgress is var quiet && quiet > StallAfter)
            {
                problems.Add(new SourceProblem(id, state.Source.Name,
                    $"{state.Source.Name} holds {waiting} message(s) and has committed none for {quiet.TotalSeconds:0} s: check the journal's disk and the log",
                    $"{state.Source.Name} a {waiting} message(s) en attente et n'a rien enregistré depuis {quiet.TotalSeconds:0} s"));
            }
        }

        return problems;
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableCounter("sensors_source_restarts_total", () => Restarts.Select(r => Measure.Of(r.Value, ("source", r.Key))), description: "Times a source failed (on I/O: a message never fails one) and was restarted, by source.");
        meter.CreateObservableGauge("sensors_sources_stuck", () => (long)Problems(time.GetUtcNow()).Count, description: "Sources failing again and again, or holding messages they do not commit (see /readyz).");
    }

    private sealed class State(IReadingSource source)
    {
        public readonly IReadingSource Source = source;
        public readonly Queue<DateTimeOffset> Failures = new();
        public long Restarts;
        public string? LastError;
        public DateTimeOffset StartedAt;
    }
}
