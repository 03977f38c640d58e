using Sensors.Core;
using Sensors.Pipeline;

namespace Sensors.Gateway.Status;

/// <summary>One classroom as the status page shows it: its latest values and its last hour of CO2.</summary>
public sealed record RoomView(
    string Site,
    string Room,
    string? SensorId,
    string? SensorModel,
    DateTimeOffset? At,
    double? Co2Ppm,
    double? TemperatureC,
    double? HumidityPct,
    double? PressureHpa,
    IReadOnlyList<(DateTimeOffset At, double Co2Ppm)> LastHour);

// LastHour: the mean of each minute, stamped at the middle of the minute, oldest first.

/// <summary>
/// The last hour of every classroom's <c>air_quality</c> readings, kept in memory from what the
/// journal committed (it is an <see cref="IReadingObserver"/>), for the local status page: the
/// mean CO2 of each minute (so 61 numbers per room whatever the sensor's cadence) and the latest
/// values, for at most <see cref="MaxRooms"/> rooms: a flood of readings cannot grow it.
/// </summary>
public sealed class RoomBoard(TimeProvider time) : IReadingObserver
{
    public const int MaxRooms = 500;
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private static readonly TimeSpan ClimateFresh = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly Dictionary<(string Site, string Room), RoomState> _rooms = [];

    public void Observe(Reading reading)
    {
        if (reading.Measurement != "air_quality" || reading.Tag("room") is not { } room)
        {
            return;
        }

        var site = reading.Tag("site") ?? string.Empty;
        if (reading.Field("co2_ppm")?.AsNumber is not { } co2)
        {
            ObserveClimate(reading, site, room);
            return;
        }

        lock (_gate)
        {
            if (!_rooms.TryGetValue((site, room), out var state))
            {
                if (_rooms.Count >= MaxRooms)
                {
                    return;
                }

                _rooms[(site, room)] = state = new RoomState();
            }

            // Readings arrive in time order per room, except a backfill or a re-stamp: keep the newest as "now".
            if (state.At is null || reading.Timestamp >= state.At)
            {
                state.At = reading.Timestamp;
                state.Co2 = co2;
                if (state.ClimateAt is not { } climateAt || reading.Timestamp - climateAt > ClimateFresh)
                {
                    // a climate sensor in the room, when it reads, is the better thermometer (a CO2 sensor warms itself)
                    state.Temperature = reading.Field("temperature_c") is { } t ? t.AsNumber : state.Temperature;
                    state.Humidity = reading.Field("humidity_pct") is { } h ? h.AsNumber : state.Humidity;
                }

                state.Pressure = reading.Field("pressure_hpa") is { } p ? p.AsNumber : state.Pressure;
                state.SensorId = reading.Tag("sensor_id");
                state.SensorModel = reading.Tag("sensor_model");
            }

            var now = time.GetUtcNow();
            if (reading.Timestamp >= now - Window && reading.Timestamp <= now + TimeSpan.FromMinutes(1))
            {
                var minute = reading.Timestamp.ToUnixTimeSeconds() / 60;
                state.Minutes[minute] = state.Minutes.TryGetValue(minute, out var m) ? (m.Sum + co2, m.Count + 1) : (co2, 1);
                Trim(state, now);
            }
        }
    }

    /// <summary>A climate sensor's reading (SHT4x, SHT3x, BME280: no CO2) updates the temperature, humidity and pressure of a room the board already shows.</summary>
    private void ObserveClimate(Reading reading, string site, string room)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue((site, room), out var state) || (state.ClimateAt is { } at && reading.Timestamp < at))
            {
                return;
            }

            state.ClimateAt = reading.Timestamp;
            state.Temperature = reading.Field("temperature_c")?.AsNumber ?? state.Temperature;
            state.Humidity = reading.Field("humidity_pct")?.AsNumber ?? state.Humidity;
            state.Pressure = reading.Field("pressure_hpa")?.AsNumber ?? state.Pressure;
        }
    }

    /// <summary>The room's newest CO2 and when it was measured, or null before its first reading.</summary>
    public (double Ppm, DateTimeOffset At)? Latest(string site, string room)
    {
        lock (_gate)
        {
            return (_rooms.TryGetValue((site, room), out var state) || _rooms.TryGetValue((string.Empty, room), out state)) && state.Co2 is { } ppm && state.At is { } at ? (ppm, at) : null;
        }
    }

    /// <summary>Every room seen, with its last hour (in time order); rooms of the site file with no reading yet are not here.</summary>
    public IReadOnlyList<RoomView> Snapshot()
    {
        var since = time.GetUtcNow() - Window;
        lock (_gate)
        {
            return _rooms.Select(pair =>
            {
                var (site, room) = pair.Key;
                var state = pair.Value;
                Trim(state, since + Window);
                var lastHour = state.Minutes.Select(p => (DateTimeOffset.FromUnixTimeSeconds((p.Key * 60) + 30), p.Value.Sum / p.Value.Count)).ToList();
                return new RoomView(site, room, state.SensorId, state.SensorModel, state.At, state.Co2, state.Temperature, state.Humidity, state.Pressure, lastHour);
            }).ToList();
        }
    }

    private static void Trim(RoomState state, DateTimeOffset now)
    {
        var first = (now - Window).ToUnixTimeSeconds() / 60;
        while (state.Minutes.Count > 0 && state.Minutes.Keys.First() < first)
        {
            state.Minutes.Remove(state.Minutes.Keys.First());
        }
    }

    private sealed class RoomState
    {
        /// <summary>Unix minute → (sum, count) of the CO2 readings in it.</summary>
        public SortedDictionary<long, (double Sum, int Count)> Minutes { get; } = [];
        public DateTimeOffset? At { get; set; }
        public double? Co2 { get; set; }
        public double? Temperature { get; set; }
        public double? Humidity { get; set; }
        public double? Pressure { get; set; }
        public DateTimeOffset? ClimateAt { get; set; }
        public string? SensorId { get; set; }
        public string? SensorModel { get; set; }
    }
}
