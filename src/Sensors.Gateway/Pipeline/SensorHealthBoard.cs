using System.Collections.Concurrent;
using Sensors.Gateway.Health;
using Sensors.Hardware.Polling;

namespace Sensors.Gateway.Pipeline;

/// <summary>Identifies a sensor in metrics and on the status page.</summary>
public sealed record SensorKey(string Site, string Room, string SensorId, string Model);

/// <summary>
/// Each sensor's health, set by the source that reads it and shown on /metrics
/// (<c>sensors_sensor_health{state=…}</c>, one series per state with 1 for the current one, so a
/// dashboard can count failed sensors across a city).
/// </summary>
public sealed class SensorHealthBoard : IMetricsSource
{
    private readonly ConcurrentDictionary<SensorKey, (SensorHealth State, string Reason)> _sensors = new();

    public void Report(SensorKey sensor, SensorHealth state, string reason = "") => _sensors[sensor] = (state, reason);

    public IReadOnlyDictionary<SensorKey, (SensorHealth State, string Reason)> Snapshot() => new Dictionary<SensorKey, (SensorHealth, string)>(_sensors);

    public void WriteMetrics(PrometheusText text)
    {
        if (_sensors.IsEmpty)
        {
            return;
        }

        text.Family("sensors_sensor_health", "gauge", "1 for each sensor's current state (ok, degraded, failed), 0 for the others.");
        foreach (var (sensor, (state, _)) in _sensors.OrderBy(p => p.Key.Site).ThenBy(p => p.Key.Room).ThenBy(p => p.Key.SensorId))
        {
            foreach (var candidate in Enum.GetValues<SensorHealth>())
            {
                text.Sample("sensors_sensor_health", candidate == state ? 1 : 0, ("site", sensor.Site), ("room", sensor.Room), ("sensor_id", sensor.SensorId), ("model", sensor.Model), ("state", candidate.ToString().ToLowerInvariant()));
            }
        }
    }
}
