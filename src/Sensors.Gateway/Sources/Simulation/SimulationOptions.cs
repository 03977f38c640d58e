namespace Sensors.Gateway.Sources.Simulation;

/// <summary>The <c>Simulation</c> section: simulated classrooms for demos and tests.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Simulation";

    public bool Enabled { get; set; }

    /// <summary>How often each simulated sensor reports.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>History produced at start, as if the gateway had been running that long (e.g. 24:00:00 for a day).</summary>
    public TimeSpan Backfill { get; set; } = TimeSpan.Zero;

    /// <summary>After the backfill, go on producing readings live (false when emulated sensors take over, as in the demo).</summary>
    public bool Live { get; set; } = true;

    /// <summary>`sensors simulate-field`: a device (its DevEUI) that stops sending after <see cref="SilentAfter"/> of live rounds, as a flat battery would (the demo shows the console noticing).</summary>
    public string SilentDevice { get; set; } = string.Empty;

    public TimeSpan SilentAfter { get; set; } = TimeSpan.Zero;

    /// <summary>One seed, one school day: the same seed gives the same readings.</summary>
    public int Seed { get; set; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }

        if (Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Simulation:Interval = {Interval}: expected at least one second, e.g. 00:00:30.");
        }

        if (Backfill < TimeSpan.Zero || Backfill > TimeSpan.FromDays(31))
        {
            errors.Add($"Simulation:Backfill = {Backfill}: expected between 00:00:00 and 31.00:00:00.");
        }

        return errors;
    }
}
