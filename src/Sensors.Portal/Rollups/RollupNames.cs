namespace Sensors.Portal.Rollups;

/// <summary>
/// The measurements the roll-up job writes and the pages and datasets read. Per day: into the
/// hourly policy (ten years), one point per group and local day, at the day's local midnight.
/// State "now": into the raw policy (90 days), at the run's time.
/// </summary>
public static class RollupNames
{
    /// <summary>sector; pickups (integer), weight_kg.</summary>
    public const string PickupsPerSectorDay = "pickups_sector_day";

    /// <summary>sector; fill_pct (mean), fill_pct_max.</summary>
    public const string FillPerSectorDay = "fill_sector_day";

    /// <summary>street, lamp_id; energy_kwh (what the meter counted that day), meter_kwh (its last reading of the day).</summary>
    public const string EnergyPerLampDay = "energy_lamp_day";

    /// <summary>street; energy_kwh (sum over its lamps), lamps (how many counted).</summary>
    public const string EnergyPerStreetDay = "energy_street_day";

    /// <summary>no tag, one point an hour: dim_pct and power_w, the mean over every lamp's reports of the hour.</summary>
    public const string LampProfileHour = "lamp_profile_hour";

    /// <summary>kind (pickups, fill, lamps); points: how many source points the day's roll-up was made from, to see late data.</summary>
    public const string Fingerprint = "rollup_day";

    /// <summary>raw policy, at each run: sector; bins, to_empty, fill_pct (their last fill of two days).</summary>
    public const string FillNow = "fill_sector_state";

    /// <summary>raw policy, at each run: street, lamp_id; fault_code (0 when silent), last_seen_s, silent (bool).</summary>
    public const string LampProblemNow = "lamp_problem";

    /// <summary>raw policy, at each run: sectors, problems; the pages find the last run by it.</summary>
    public const string Run = "rollup_run";
}
