namespace Sensors.Gateway.Configuration;

/// <summary>The <c>Gateway</c> section: who this gateway is.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Name of this gateway in the city's data (the <c>gateway_id</c> tag); empty means the host name.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>How often the gateway writes its own <c>gateway</c> measurement; 00:00:00 turns it off.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromMinutes(1);

    public string EffectiveId => string.IsNullOrWhiteSpace(Id) ? Environment.MachineName.ToLowerInvariant() : Id;
}

/// <summary>The <c>Site</c> section: where the site file is.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Path of the site file (YAML, firmware-config/sites/), relative to the configuration file.</summary>
    public string File { get; set; } = string.Empty;
}


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

    /// <summary>One seed, one school day: the same seed gives the same readings.</summary>
    public int Seed { get; set; } = 1;
}
