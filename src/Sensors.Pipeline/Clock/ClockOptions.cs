namespace Sensors.Pipeline.Clock;

/// <summary>What to do with readings taken while the system clock is not synchronised.</summary>
public enum UnsynchronisedPolicy
{
    /// <summary>Keep them in memory and give them their true time from the monotonic clock once synchronised.</summary>
    Hold,

    /// <summary>Refuse and count them.</summary>
    Refuse,
}

/// <summary>Where the gateway learns whether the system clock is synchronised.</summary>
public enum ClockSyncSource
{
    /// <summary>The kernel's own flag (adjtimex), set by systemd-timesyncd, chrony or ntpd.</summary>
    Kernel,

    /// <summary>Trust the clock (a machine with a battery clock, or tests).</summary>
    Assume,
}

/// <summary>The <c>Clock</c> section: a Pi has no battery clock, and a reading must never be stored with a 1970 date.</summary>
public sealed class ClockOptions
{
    public const string Section = "Clock";

    public ClockSyncSource Source { get; set; } = ClockSyncSource.Kernel;

    public UnsynchronisedPolicy WhenUnsynchronised { get; set; } = UnsynchronisedPolicy.Hold;

    /// <summary>Most readings held in memory while waiting for the clock; more are refused and counted.</summary>
    public int HoldMax { get; set; } = 20_000;

    /// <summary>A wall clock that moves this much more or less than the monotonic clock has jumped (logged).</summary>
    public TimeSpan JumpThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// No reading may be older than this date: before it, a timestamp is a clock that was never set
    /// (a Pi boots in 1970, or at the last shutdown with fake-hwclock).
    /// </summary>
    public DateTimeOffset NotBefore { get; set; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// No reading may be dated further ahead of the (synchronised) system clock than this: beyond
    /// it, a timestamp is a device clock that is wrong, and it would sit in the future of every chart.
    /// </summary>
    public TimeSpan MaxFuture { get; set; } = TimeSpan.FromDays(1);

    public IEnumerable<string> Validate()
    {
        if (MaxFuture < TimeSpan.FromMinutes(1))
        {
            yield return $"Clock:MaxFuture = {MaxFuture}: expected at least 00:01:00 (device clocks drift), e.g. 1.00:00:00 for a day.";
        }

        if (HoldMax is < 0 or > 1_000_000)
        {
            yield return $"Clock:HoldMax = {HoldMax}: expected 0 to 1000000 readings, e.g. 20000.";
        }

        if (JumpThreshold < TimeSpan.FromMilliseconds(100))
        {
            yield return $"Clock:JumpThreshold = {JumpThreshold}: expected at least 00:00:00.1, e.g. 00:00:02.";
        }
    }
}
