using Sensors.Gateway.Sites;
using Sensors.Gateway.Sources.Mqtt;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Pipeline;
using Sensors.Gateway.Sources;
using Sensors.Journal;

namespace Sensors.Gateway.Status;

/// <summary>Gathers what the status page shows from the running gateway (<see cref="StatusPage"/> renders it).</summary>
public sealed class StatusPageBuilder(
    SiteProvider site,
    RoomBoard board,
    string gatewayId,
    StatusPageOptions options,
    Sensors.Journal.Journal journal,
    DeadLetterStore deadLetters,
    ForwarderService forwarder,
    PipelineStats stats,
    ClockGuard clock,
    GatewayMetrics metrics,
    IEnumerable<IReadingSource> sources,
    SourceStates sourceStates,
    SensorHealthBoard sensors,
    IndicatorBoard indicators,
    TimeProvider time)
{
    /// <summary>The page's model; <paramref name="refreshSeconds"/> for the classroom screen (/ecran).</summary>
    public StatusModel Build(int? refreshSeconds = null)
    {
        var now = time.GetUtcNow();
        var current = site.Current;
        var views = board.Snapshot();
        var health = sensors.Snapshot();

        // A room's sensor as this gateway reads it: the one in the best state (a room with two sensors is as well as its best).
        // Its CO2 sensors only: the light is theirs (a thermometer in good health says nothing of the CO2).
        SensorState? SensorOf(string siteId, string roomId) => health.Where(h => h.Key.Site == siteId && h.Key.Room == roomId && Sensors.Hardware.Drivers.SensorModels.MeasuresCo2(h.Key.Model)).Select(h => h.Value)
            .OrderBy(s => s.State switch { Sensors.Hardware.Polling.SensorHealth.Ok => 0, Sensors.Hardware.Polling.SensorHealth.Degraded => 1, Sensors.Hardware.Polling.SensorHealth.WarmingUp => 2, _ => 3 })
            .FirstOrDefault();
        var rooms = new List<StatusRoom>();
        if (current is not null)
        {
            foreach (var room in current.Rooms)
            {
                rooms.Add(new StatusRoom(room.Id, string.IsNullOrWhiteSpace(room.Name) ? room.Id : room.Name, views.FirstOrDefault(v => v.Room == room.Id && (v.Site == current.Site || v.Site.Length == 0)), SensorOf(current.Site, room.Id), indicators.Of(current.Site, room.Id)));
            }
        }

        // Rooms that report (over MQTT, say) but are not in the site file still show, after the others.
        foreach (var view in views.Where(v => rooms.All(r => r.View != v)).OrderBy(v => v.Room, StringComparer.Ordinal))
        {
            rooms.Add(new StatusRoom(view.Room, view.Room, view));
        }

        var journalStats = journal.Stats;
        var writer = forwarder.Writer;
        var influx = writer is null
            ? (("pas de base configurée, les mesures sont gardées ici", "no database configured, readings are kept here"), false)
            : stats.InfluxFailing
                ? (($"injoignable ({writer.Endpoint.Describe()}), les mesures attendent ici", "unreachable, readings wait here"), false)
                : (($"reçoit les mesures ({writer.Endpoint.Describe()})", "receives the readings"), true);
        var mqttSource = sources.OfType<MqttSource>().FirstOrDefault();
        var mqtt = mqttSource is null
            ? (("non utilisé", "not used"), true)
            : mqttSource.IsConnected ? (("connecté", "connected"), true) : (("déconnecté, nouvel essai en cours", "disconnected, trying again"), false);
        var state = new GatewayState(
            gatewayId,
            metrics.Uptime,
            journalStats.Pending,
            journalStats.OldestPendingAge(now),
            influx.Item1,
            influx.Item2,
            mqtt.Item1,
            mqtt.Item2,
            clock.IsSynchronised,
            journalStats.Dropped,
            deadLetters.Count,
            sourceStates.Problems(now));
        return new StatusModel(current?.Name is { Length: > 0 } name ? name : current?.Site ?? gatewayId, rooms, state, options.Levels, now, current?.TimeZone ?? TimeZoneInfo.Utc, refreshSeconds);
    }
}
