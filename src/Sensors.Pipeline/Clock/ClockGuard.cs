using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Pipeline;

namespace Sensors.Pipeline.Clock;

/// <summary>
/// The stage that keeps 1970 out of the data. While the system clock is synchronised, readings
/// pass. While it is not, a reading stamped by this machine (its time within a few seconds of
/// the local clock) is held in memory with the monotonic time it arrived, and once the clock is
/// synchronised it is re-stamped (true now − time elapsed since it arrived) and committed; or,
/// with <see cref="UnsynchronisedPolicy.Refuse"/>, refused and counted. A reading that carries
/// its own time from elsewhere (a network server) passes. Any reading dated before
/// <see cref="ClockOptions.NotBefore"/>, or (once the clock is synchronised) more than
/// <see cref="ClockOptions.MaxFuture"/> ahead of it, is refused, counted under its reason and
/// logged at most once a minute per reason. A held reading's write completes
/// only once it is committed, so an MQTT message is not acknowledged before then.
/// <see cref="Check"/> is called about once a second: it notices synchronisation and jumps.
/// </summary>
public sealed partial class ClockGuard(IReadingSink inner, IClockSync sync, ClockOptions options, TimeProvider time, ILogger<ClockGuard> logger) : IReadingSink, IInstrumented
{
    private static readonly TimeSpan LocalStampWindow = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly Queue<HeldReading> _held = new();
    private bool _synchronised = sync.IsSynchronised;
    private bool _warned;
    private long _refused;
    private long _tooOld;
    private long _tooNew;
    private long _restamped;
    private long _jumps;
    private (DateTimeOffset Wall, long Mono)? _last;
    private DateTimeOffset _lastTooOldLog = DateTimeOffset.MinValue;
    private DateTimeOffset _lastTooNewLog = DateTimeOffset.MinValue;

    public bool IsSynchronised
    {
        get
        {
            lock (_gate)
            {
                return _synchronised;
            }
        }
    }

    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    public long Refused => Interlocked.Read(ref _refused) + Interlocked.Read(ref _tooOld) + Interlocked.Read(ref _tooNew);

    public long Jumps => Interlocked.Read(ref _jumps);

    public ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken) => WriteAsync(reading, grouped: false, cancellationToken);

    public ValueTask WriteAsync(Reading reading, bool grouped, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        bool synchronised;
        lock (_gate)
        {
            synchronised = _synchronised;
            if (!synchronised && Math.Abs((reading.Timestamp - now).Ticks) <= LocalStampWindow.Ticks)
            {
                return HoldOrRefuse(reading, now, cancellationToken);
            }
        }

        if (reading.Timestamp < options.NotBefore)
        {
            var count = Interlocked.Increment(ref _tooOld);
            if (ShouldLog(ref _lastTooOldLog, now))
            {
                LogTooOld(reading.Measurement, Describe(reading), reading.Timestamp, count);
            }

            return ValueTask.CompletedTask;
        }

        // Only a synchronised clock can say what is in the future: before that it may read 1970.
        if (synchronised && reading.Timestamp - now > options.MaxFuture)
        {
            var count = Interlocked.Increment(ref _tooNew);
            if (ShouldLog(ref _lastTooNewLog, now))
            {
                LogTooNew(reading.Measurement, Describe(reading), reading.Timestamp, options.MaxFuture.TotalHours, count);
            }

            return ValueTask.CompletedTask;
        }

        return inner.WriteAsync(reading, grouped, cancellationToken);
    }

    /// <summary>Looks at the clock: re-stamps and commits what was held once it is synchronised, logs a jump.</summary>
    public async Task Check(CancellationToken cancellationToken)
    {
        var wall = time.GetUtcNow();
        var mono = time.GetTimestamp();
        if (_last is { } last)
        {
            var drift = (wall - last.Wall) - time.GetElapsedTime(last.Mono, mono);
            if (drift.Duration() >= options.JumpThreshold)
            {
                Interlocked.Increment(ref _jumps);
                LogJump(drift.TotalSeconds, last.Wall, wall);
            }
        }

        _last = (wall, mono);
        List<HeldReading> release;
        lock (_gate)
        {
            if (_synchronised || !sync.IsSynchronised)
            {
                return;
            }

            _synchronised = true;
            release = [.. _held];
            _held.Clear();
        }

        LogSynchronised(wall, release.Count);
        foreach (var held in release)
        {
            var restamped = held.Reading.WithTimestamp(wall - time.GetElapsedTime(held.ArrivedMono, mono));
            try
            {
                await inner.WriteAsync(restamped, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _restamped);
                held.Committed.TrySetResult();
            }
            catch (Exception error)
            {
                held.Committed.TrySetException(error);
            }
        }
    }

    public void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("sensors_clock_synchronised", () => IsSynchronised ? 1L : 0L, description: "1 when the system clock is synchronised (NTP), 0 while readings are held or refused.");
        meter.CreateObservableGauge("sensors_clock_held_readings", () => (long)Held, description: "Readings held in memory until the clock is synchronised.");
        meter.CreateObservableCounter("sensors_clock_refused_readings_total", () => new[]
        {
            Measure.Of(Interlocked.Read(ref _refused), ("reason", "unsynchronised")),
            Measure.Of(Interlocked.Read(ref _tooOld), ("reason", "before_not_before")),
            Measure.Of(Interlocked.Read(ref _tooNew), ("reason", "after_max_future")),
        }, description: "Readings refused for their time: taken before the clock was synchronised (policy Refuse, or the hold was full), dated before Clock:NotBefore, or more than Clock:MaxFuture ahead of the clock.");
        meter.CreateObservableCounter("sensors_clock_restamped_readings_total", () => Interlocked.Read(ref _restamped), description: "Held readings given their true time from the monotonic clock once the clock was synchronised.");
        meter.CreateObservableCounter("sensors_clock_jumps_total", () => (long)Jumps, description: "Times the wall clock jumped against the monotonic clock by more than Clock:JumpThreshold.");
    }

    private ValueTask HoldOrRefuse(Reading reading, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_warned)
        {
            _warned = true;
            LogUnsynchronised(now, options.WhenUnsynchronised == UnsynchronisedPolicy.Hold ? "held in memory and re-stamped once it is" : "refused and counted");
        }

        if (options.WhenUnsynchronised == UnsynchronisedPolicy.Refuse || _held.Count >= options.HoldMax)
        {
            if (Interlocked.Increment(ref _refused) == 1 && options.WhenUnsynchronised == UnsynchronisedPolicy.Hold)
            {
                LogHoldFull(options.HoldMax);
            }

            return ValueTask.CompletedTask;
        }

        var held = new HeldReading(reading, time.GetTimestamp(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _held.Enqueue(held);
        return new ValueTask(held.Committed.Task.WaitAsync(cancellationToken));
    }

    /// <summary>True at most once a minute per reason (the caller's last-log time).</summary>
    private bool ShouldLog(ref DateTimeOffset last, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (now - last < TimeSpan.FromMinutes(1))
            {
                return false;
            }

            last = now;
            return true;
        }
    }

    private static string Describe(Reading reading) =>
        string.Join(",", reading.Tags.ToArray().Where(t => t.Key is "site" or "room" or "sensor_id" or "device_eui" or "bin_id" or "lamp_id").Select(t => $"{t.Key}={t.Value}"));

    private sealed record HeldReading(Reading Reading, long ArrivedMono, TaskCompletionSource Committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "System clock not synchronised (it reads {Now:u}): readings are {What}. Check NTP: `timedatectl` should say 'System clock synchronized: yes'; the Pi needs a network and a reachable time server")]
    private partial void LogUnsynchronised(DateTimeOffset now, string what);

    [LoggerMessage(Level = LogLevel.Error, Message = "Clock still not synchronised and {Max} readings are held (Clock:HoldMax): further readings are refused and counted until the clock is set. Check NTP with `timedatectl`")]
    private partial void LogHoldFull(int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "System clock synchronised (now {Now:u}); {Count} held reading(s) re-stamped from the monotonic clock and committed")]
    private partial void LogSynchronised(DateTimeOffset now, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "System clock jumped by {Seconds:+0.0;-0.0} s (from {From:u} to {To:u}): NTP stepped it or someone set it; readings around this moment may be out of order")]
    private partial void LogJump(double seconds, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Measurement} ({Device}) refused: dated {At:u}, before Clock:NotBefore; the device's own clock is not set. {Count} refused for this since start (one line a minute at most)")]
    private partial void LogTooOld(string measurement, string device, DateTimeOffset at, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Measurement} ({Device}) refused: dated {At:u}, more than Clock:MaxFuture ({Hours:0.#} h) ahead of this gateway's synchronised clock; set the device's clock (or raise Clock:MaxFuture). {Count} refused for this since start (one line a minute at most)")]
    private partial void LogTooNew(string measurement, string device, DateTimeOffset at, double hours, long count);
}

/// <summary>Looks at the clock once a second (<see cref="ClockGuard.Check"/>).</summary>
public sealed class ClockWatchService(ClockGuard guard, TimeProvider time) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do
            {
                await guard.Check(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
