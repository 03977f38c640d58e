using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using System.Collections.Concurrent;
using Sensors.Gateway.Health;
using Sensors.Hardware.Polling;

namespace Sensors.Gateway.Status;

/// <summary>A sensor's health as the board keeps it: the state, why, and when a warming-up sensor's first reading is due.</summary>
public sealed record SensorState(SensorHealth State, string Reason, DateTimeOffset? FirstReadingAt = null);

/// <summary>
/// Each sensor's health, set by the source that reads it and shown on /metrics
/// (<c>sensors_sensor_health{state=…}</c>, one series per state with 1 for the current one, so a
/// dashboard can count failed sensors across a city).
/// </summary>
public sealed class SensorHealthBoard : IInstrumented
{
    private readonly ConcurrentDictionary<SensorIdentity, SensorState> _sensors = new();

    /// <summary>The sensor's state; <paramref name="firstReadingAt"/> when it is warming up.</summary>
    public void Report(SensorIdentity sensor, SensorHealth state, string reason = "", DateTimeOffset? firstReadingAt = null) => _sensors[sensor] = new SensorState(state, reason, firstReadingAt);

    /// <summary>A sensor that no longer exists here (the simulation's, once its history is written): it leaves /metrics and the status page.</summary>
    public void Forget(SensorIdentity sensor) => _sensors.TryRemove(sensor, out _);

    public IReadOnlyDictionary<SensorIdentity, SensorState> Snapshot() => new Dictionary<SensorIdentity, SensorState>(_sensors);

    /// <summary>The state's name in metrics: ok, warming_up, degraded, failed.</summary>
    public static string Name(SensorHealth state) => state == SensorHealth.WarmingUp ? "warming_up" : state.ToString().ToLowerInvariant();

    public void CreateInstruments(Meter meter) =>
        meter.CreateObservableGauge("sensors_sensor_health", () =>
            _sensors.OrderBy(p => p.Key.Site).ThenBy(p => p.Key.Room).ThenBy(p => p.Key.SensorId).SelectMany(p => Enum.GetValues<SensorHealth>()
                .Select(candidate => Measure.Of(candidate == p.Value.State ? 1 : 0, ("site", p.Key.Site), ("room", p.Key.Room), ("sensor_id", p.Key.SensorId), ("model", p.Key.Model), ("state", Name(candidate))))),
            description: "1 for each sensor's current state (ok, warming_up, degraded, failed), 0 for the others.");
}
