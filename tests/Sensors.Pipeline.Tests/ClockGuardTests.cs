using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sensors.Core;
using Sensors.Pipeline.Clock;
using Sensors.Pipeline;

namespace Sensors.Pipeline.Tests;

/// <summary>The clock rule with an injected clock: a Pi that boots in 1970, then NTP sets its clock.</summary>
public sealed class ClockGuardTests
{
    private static readonly DateTimeOffset Boot = new(1970, 1, 1, 0, 0, 12, TimeSpan.Zero);
    private static readonly DateTimeOffset TrueTime = new(2026, 11, 24, 8, 30, 0, TimeSpan.Zero);

    private readonly SteppedClock _time = new(Boot);
    private readonly FakeSync _sync = new();
    private readonly RecordingSink _journal = new();

    private ClockGuard Guard(UnsynchronisedPolicy policy = UnsynchronisedPolicy.Hold, int holdMax = 100) =>
        new(_journal, _sync, new ClockOptions { WhenUnsynchronised = policy, HoldMax = holdMax }, _time, NullLogger<ClockGuard>.Instance);

    private Reading Co2(double ppm, string room = "cm1-a") =>
        new("air_quality", [new Tag("room", room), new Tag("site", "ecole")], [new Field("co2_ppm", ppm)], _time.GetUtcNow());

    [Fact]
    public async Task Synchronised_ReadingsPassUnchanged()
    {
        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        var guard = Guard();
        var reading = Co2(612);

        await guard.WriteAsync(reading, CancellationToken.None);

        Assert.Equal(reading.TimestampNs, Assert.Single(_journal.Readings).TimestampNs);
    }

    [Fact]
    public async Task Hold_ReadingsTakenIn1970_AreRestampedFromTheMonotonicClock_OnceSynchronised()
    {
        var guard = Guard();
        var first = guard.WriteAsync(Co2(600), CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(30));
        var second = guard.WriteAsync(Co2(640), CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(30));
        await guard.Check(CancellationToken.None);

        Assert.Empty(_journal.Readings);
        Assert.False(first.IsCompleted, "an MQTT message must not be acknowledged before its reading is committed");
        Assert.Equal(2, guard.Held);

        // NTP steps the clock to the true time: 60 s after the first reading, 30 s after the second.
        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        await guard.Check(CancellationToken.None);
        await Task.WhenAll(first, second);

        Assert.Equal([TrueTime.AddSeconds(-60), TrueTime.AddSeconds(-30)], _journal.Readings.Select(r => r.Timestamp));
        Assert.All(_journal.Readings, r => Assert.True(r.Timestamp.Year > 2000));
        Assert.True(guard.IsSynchronised);
        Assert.Equal(0, guard.Held);
    }

    [Fact]
    public async Task Refuse_ReadingsBeforeSynchronisation_AreCountedAndNeverWritten()
    {
        var guard = Guard(UnsynchronisedPolicy.Refuse);
        await guard.WriteAsync(Co2(600), CancellationToken.None);
        await guard.WriteAsync(Co2(610), CancellationToken.None);

        Assert.Empty(_journal.Readings);
        Assert.Equal(2, guard.Refused);

        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        await guard.Check(CancellationToken.None);
        await guard.WriteAsync(Co2(620), CancellationToken.None);
        Assert.Equal(TrueTime, Assert.Single(_journal.Readings).Timestamp);
    }

    [Fact]
    public async Task Hold_BeyondHoldMax_RefusesAndCounts()
    {
        var guard = Guard(holdMax: 3);
        for (var i = 0; i < 5; i++)
        {
            _ = guard.WriteAsync(Co2(600 + i), CancellationToken.None);
        }

        Assert.Equal(3, guard.Held);
        Assert.Equal(2, guard.Refused);
    }

    [Fact]
    public async Task ReadingWithItsOwnTime_FromASynchronisedServer_PassesWhileTheLocalClockIsWrong()
    {
        var guard = Guard();
        var fromNetworkServer = new Reading("lorawan_link", [new Tag("device_eui", "a84041000181c8e4")], [new Field("rssi_dbm", -97.0)], TrueTime);

        await guard.WriteAsync(fromNetworkServer, CancellationToken.None);

        Assert.Equal(TrueTime, Assert.Single(_journal.Readings).Timestamp);
    }

    [Fact]
    public async Task ReadingDatedBeforeNotBefore_IsRefusedEvenWhenSynchronised()
    {
        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        var guard = Guard();
        var fromADeviceThatNeverSetItsClock = new Reading("bin_pickup", [new Tag("truck_id", "T-3")], [new Field("count", 1L)], new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));

        await guard.WriteAsync(fromADeviceThatNeverSetItsClock, CancellationToken.None);

        Assert.Empty(_journal.Readings);
        Assert.Equal(1, guard.Refused);
    }

    [Fact]
    public async Task ReadingDatedBeyondMaxFuture_IsRefusedOnlyOnceTheClockIsSynchronised()
    {
        var guard = Guard();
        var fromAFastDeviceClock = new Reading("lamp", [new Tag("lamp_id", "lp-1")], [new Field("power_w", 20.0)], TrueTime.AddDays(2));

        // In 1970 every real date looks like the future: it passes (a network server's time is trusted).
        await guard.WriteAsync(fromAFastDeviceClock, CancellationToken.None);
        Assert.Single(_journal.Readings);

        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        await guard.Check(CancellationToken.None);
        await guard.WriteAsync(fromAFastDeviceClock, CancellationToken.None);
        await guard.WriteAsync(fromAFastDeviceClock.WithTimestamp(TrueTime.AddHours(23)), CancellationToken.None); // within the default day

        Assert.Equal(2, _journal.Readings.Count);
        Assert.Equal(1, guard.Refused);
        using var meter = new System.Diagnostics.Metrics.Meter("clock-guard-test");
        using var exporter = new Sensors.Pipeline.Metrics.PrometheusExporter(meter);
        guard.CreateInstruments(meter);
        Assert.Contains("sensors_clock_refused_readings_total{reason=\"after_max_future\"} 1", exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClockThatJumps_IsCounted()
    {
        _time.SetUtcNow(TrueTime);
        _sync.Synchronised = true;
        var guard = Guard();
        await guard.Check(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await guard.Check(CancellationToken.None);
        Assert.Equal(0, guard.Jumps);

        _time.SetUtcNow(TrueTime.AddHours(1)); // an hour forward while one second passes
        await guard.Check(CancellationToken.None);

        Assert.Equal(1, guard.Jumps);
    }

    [Fact]
    public void KernelClockSync_SaysNotSynchronised_BeforeNotBefore()
    {
        var sync = new KernelClockSync(new FakeTimeProvider(Boot), new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.False(sync.IsSynchronised);
        Assert.InRange(KernelClockSync.KernelState(), 0, 5); // the kernel answers adjtimex on Linux
    }

    /// <summary>A wall clock NTP can step, over a monotonic clock that only moves forward (FakeTimeProvider moves both together).</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private long _monoTicks;
        private DateTimeOffset _wall = start;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _monoTicks;

        public override DateTimeOffset GetUtcNow() => _wall;

        public void Advance(TimeSpan by)
        {
            _monoTicks += by.Ticks;
            _wall += by;
        }

        /// <summary>NTP sets the wall clock; no time passes.</summary>
        public void SetUtcNow(DateTimeOffset wall) => _wall = wall;
    }

    private sealed class FakeSync : IClockSync
    {
        public bool Synchronised { get; set; }

        public bool IsSynchronised => Synchronised;
    }

    private sealed class RecordingSink : IReadingSink
    {
        public List<Reading> Readings { get; } = [];

        public ValueTask WriteAsync(Reading reading, CancellationToken cancellationToken)
        {
            Readings.Add(reading);
            return ValueTask.CompletedTask;
        }
    }
}
