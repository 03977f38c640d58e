namespace Sensors.Operations.Fleet;

/// <summary>
/// One thing wrong with one gateway, sensor, device or lamp: the rule that found it (its alert's
/// <c>rule</c> label), how urgent, what it is and what to do (French, then English), and since
/// when when the data says it.
/// </summary>
public sealed record Problem(string Rule, string Severity, string Fr, string En, string DoFr, string DoEn, DateTimeOffset? Since = null)
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";

    public int Rank => Severity switch { Critical => 3, Warning => 2, _ => 1 };
}

/// <summary>What every row of the console's lists has: who it belongs to, where, what is wrong.</summary>
public interface IFleetRow
{
    /// <summary>environment, waste, lighting (or unknown: only admin sees it).</summary>
    string Service { get; }

    string Site { get; }

    /// <summary>Its id in its list (gateway id, sensor id, device EUI, lamp id).</summary>
    string Key { get; }

    IReadOnlyList<Problem> Problems { get; }
}

/// <summary>ok, warning or critical: the worst of a row's problems ("info" shows as ok with a note).</summary>
public static class RowState
{
    public static string Of(IFleetRow row) => row.Problems.Count == 0 ? "ok" : row.Problems.Max(p => p.Rank) switch { 3 => "critical", 2 => "warning", _ => "info" };
}

/// <summary>A gateway's last heartbeat (the <c>gateway</c> measurement), every field as InfluxDB gave it: a missing or odd one is unknown, never an error.</summary>
public sealed record GatewayRow(string Id, string Service, DateTimeOffset? LastSeen, IReadOnlyDictionary<string, object?> Fields, IReadOnlyList<Problem> Problems) : IFleetRow
{
    public string Site => Id;

    public string Key => Id;

    public string? Text(string field) => Fields.TryGetValue(field, out var value) && value is string text ? text : null;

    public double? Number(string field) => Fields.TryGetValue(field, out var value) ? value switch { double d when double.IsFinite(d) => d, long l => l, _ => null } : null;

    public bool? Flag(string field) => Fields.TryGetValue(field, out var value) && value is bool b ? b : null;
}

/// <summary>A classroom sensor: its last health report (if its gateway polls it) and its last reading, the night baseline and the lessons' spread.</summary>
public sealed record SensorRow(
    string Site,
    string Room,
    string SensorId,
    string Model,
    string? GatewayId,
    DateTimeOffset? LastReadingAt,
    double? LastCo2,
    string? State,
    string? Reason,
    string? Compensation,
    string? SelfCalibration,
    string? LastCalibration,
    double? NightBaseline,
    int Nights,
    double? LessonSpread,
    long LessonReadings,
    IReadOnlyList<Problem> Problems) : IFleetRow
{
    public string Service => "environment";

    public string Key => SensorId;
}

/// <summary>A LoRaWAN device: what the registry says it is, its last uplink, battery, link margin and frame loss over the last day.</summary>
public sealed record DeviceRow(
    string Eui,
    string Service,
    string Kind,
    string Site,
    string Asset,
    string Model,
    DateTimeOffset? LastUplink,
    TimeSpan? UplinkEvery,
    double? BatteryPct,
    double? BatteryV,
    double? RssiMedian,
    double? SnrMedian,
    long Frames,
    long Lost,
    IReadOnlyList<Problem> Problems,
    double? BatteryLowPct = null,
    double? BatteryLowV = null) : IFleetRow
{
    public string Key => Eui;

    public double? LossPct => Frames + Lost > 0 ? 100.0 * Lost / (Frames + Lost) : null;
}

/// <summary>A street lamp's last report and what the registry says of its power.</summary>
public sealed record LampRow(
    string LampId,
    string Site,
    string Street,
    string Eui,
    string Model,
    DateTimeOffset? At,
    bool? On,
    double? DimPct,
    double? PowerW,
    long? FaultCode,
    double? RatedW,
    IReadOnlyList<Problem> Problems) : IFleetRow
{
    public string Service => "lighting";

    public string Key => LampId;
}

/// <summary>The whole fleet as read at <see cref="At"/>: what every page shows and what the alerts follow.</summary>
public sealed record FleetSnapshot(DateTimeOffset At, IReadOnlyList<GatewayRow> Gateways, IReadOnlyList<SensorRow> Sensors, IReadOnlyList<DeviceRow> Devices, IReadOnlyList<LampRow> Lamps)
{
    public IEnumerable<IFleetRow> All => Gateways.Cast<IFleetRow>().Concat(Sensors).Concat(Devices).Concat(Lamps);
}
