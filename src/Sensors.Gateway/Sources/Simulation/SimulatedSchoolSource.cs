using Sensors.Hardware.Polling;
using Sensors.Gateway.Status;
using Sensors.Sites;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Pipeline;
using Sensors.Simulation;

namespace Sensors.Gateway.Sources.Simulation;

/// <summary>
/// The classrooms of a site file, simulated (see <see cref="ClassroomModel"/>): one
/// <c>air_quality</c> reading per room every <see cref="SimulationOptions.Interval"/>, tagged like
/// a real sensor's but with <c>sensor_model=simulated</c>, so simulated data is never mistaken
/// for measured data. With a backfill, the history of the last hours is produced first.
/// </summary>
public sealed partial class SimulatedSchoolSource(SiteFile site, SimulationOptions options, SensorHealthBoard health, TimeProvider time, ILogger<SimulatedSchoolSource> logger) : IReadingSource
{
    public const string Model = "simulated";

    private readonly PendingWrites _pending = new();

    public string Id => "simulation";

    /// <summary>Simulated sensors, like real ones: their readings may share a commit (Journal:GroupWindow).</summary>
    public bool Grouped => true;

    public string Name => $"simulated school {site.Site} ({site.Rooms.Count} rooms)";

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        var zone = site.TimeZone;
        var now = time.GetUtcNow();
        var start = now - options.Backfill;

        // Each room starts a day early so that the first reading is not a cold start at 420 ppm.
        var warmUp = TimeZoneInfo.ConvertTime(start - TimeSpan.FromDays(1), zone).DateTime;
        var rooms = site.Rooms.Select((room, i) => new SimulatedRoom(
            room,
            room.Sensors.FirstOrDefault()?.Id ?? $"sim-{room.Id}",
            new ClassroomModel(new ClassroomProfile(room.VolumeM3, room.Pupils), options.Seed + (i * 7919), warmUp))).ToArray();

        foreach (var room in rooms)
        {
            health.Report(new SensorIdentity(site.Site, room.Spec.Id, room.SensorId, Model), Sensors.Hardware.Polling.SensorHealth.Ok);
        }

        var produced = 0L;
        for (var at = start; at < now; at += options.Interval)
        {
            produced += await EmitAsync(sink, rooms, at, zone, cancellationToken).ConfigureAwait(false);
        }

        if (produced > 0)
        {
            LogBackfilled(produced, options.Backfill, site.Site);
        }

        if (!options.Live)
        {
            // History only: these sensors read nothing from now on (the room's real or emulated sensor does).
            foreach (var room in rooms)
            {
                health.Forget(new SensorIdentity(site.Site, room.Spec.Id, room.SensorId, Model));
            }

            return;
        }

        using var timer = new PeriodicTimer(options.Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await EmitAsync(sink, rooms, time.GetUtcNow(), zone, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> EmitAsync(IReadingSink sink, SimulatedRoom[] rooms, DateTimeOffset at, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
        foreach (var room in rooms)
        {
            var sample = room.Model.Advance(local);
            var reading = new Reading(
                "air_quality",
                [new Tag("site", site.Site), new Tag("room", room.Spec.Id), new Tag("sensor_id", room.SensorId), new Tag("sensor_model", Model)],
                [new Field("co2_ppm", sample.Co2Ppm), new Field("temperature_c", sample.TemperatureC), new Field("humidity_pct", sample.HumidityPct)],
                at);
            await _pending.Add(sink.WriteAsync(reading, cancellationToken)).ConfigureAwait(false);
        }

        return rooms.Length;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation: produced {Count} readings of history ({Backfill}) for {Site}")]
    private partial void LogBackfilled(long count, TimeSpan backfill, string site);

    private sealed record SimulatedRoom(RoomSpec Spec, string SensorId, ClassroomModel Model);
}
