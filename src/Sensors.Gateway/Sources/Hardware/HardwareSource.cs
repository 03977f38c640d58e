using Sensors.Gateway.Status;
using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using Sensors.Sites;
using Microsoft.Extensions.Logging;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Health;
using Sensors.Pipeline;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Hardware.Polling;
using Sensors.Simulation;

namespace Sensors.Gateway.Sources.Hardware;

/// <summary>
/// The classroom sensors of the site file, CO2 (SCD4x, SCD30, MH-Z19B, S8) and climate (SHT4x,
/// SHT3x, BME280): one <see cref="SensorPoller"/> each, side by side, each at its own cadence.
/// Their measurements become <c>air_quality</c> readings tagged site, room, sensor_id and
/// sensor_model; their health goes to the <see cref="SensorHealthBoard"/> (and /metrics). The
/// newest pressure of a BME280 (under <see cref="PressureMaxAge"/>) is given to every CO2 sensor
/// of the site that takes one (SCD4x, SCD30): the air pressure is the same throughout a school,
/// and weather moves it by ±30 hPa, which the altitude alone cannot follow (about ±3 % of CO2).
/// Writes are not awaited one by one: while the clock is unsynchronised a write waits for it,
/// and the sensors must go on being read meanwhile (at most 1000 writes pending).
/// </summary>
public sealed partial class HardwareSource : IReadingSource, IInstrumented
{
    private readonly SiteFile _site;
    private readonly SensorHealthBoard _board;
    private readonly TimeProvider _time;
    private readonly ILogger<HardwareSource> _logger;
    private readonly List<SensorPoller> _pollers = [];
    private readonly PendingWrites _pending = new();
    // Written by the barometer's poller, read by the CO2 sensors' pollers: one reference, swapped whole
    // (a nullable tuple of a double and a time could be read half-written).
    private Barometric? _pressure;

    /// <summary>Older than this, a barometer's pressure is not used: the sensors keep what they were last given.</summary>
    public static readonly TimeSpan PressureMaxAge = TimeSpan.FromMinutes(30);

    public HardwareSource(SiteFile site, HardwareOptions options, IBusProvider? buses, SensorHealthBoard board, TimeProvider time, ILoggerFactory loggers)
    {
        _site = site;
        _board = board;
        _time = time;
        _logger = loggers.CreateLogger<HardwareSource>();
        var wired = site.WiredSensors().ToList();
        Buses = buses ?? BusesFor(site, options, time);
        foreach (var (room, sensor) in wired)
        {
            var identity = new SensorIdentity(site.Site, room.Id, sensor.Id, SensorModels.Normalise(sensor.Model));
            _pollers.Add(new SensorPoller(identity, Location(sensor, site), Buses, time, loggers.CreateLogger<SensorPoller>(), AmbientPressure));
        }
    }

    public IBusProvider Buses { get; }

    public IReadOnlyList<SensorPoller> Pollers => _pollers;

    public string Id => "sensors";

    public string Name => $"classroom sensors of {_site.Site} ({_pollers.Count} sensor(s){(Buses is EmulatedBuses ? ", emulated" : string.Empty)})";

    public bool HasSensors => _pollers.Count > 0;

    /// <summary>No one upstream waits for a sensor's reading: it may share a commit (Journal:GroupWindow).</summary>
    public bool Grouped => true;

    public static SensorLocation Location(SensorSpec sensor, SiteFile site) =>
        new(sensor.Model, BusOf(sensor), SensorModels.ParseAddress(sensor.Address), sensor.IntervalS, site.AltitudeM);

    /// <summary>The sensor's bus, or its multiplexer's channel on it ("i2c-1/0x70:2").</summary>
    public static string BusOf(SensorSpec sensor) =>
        SensorModels.ParseAddress(sensor.Mux) is { } mux && sensor.Channel is { } channel ? Sensors.Hardware.Devices.Tca9548a.MuxPaths.Of(sensor.Bus, mux, channel) : sensor.Bus;

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        foreach (var poller in _pollers)
        {
            Publish(poller);
        }

        await Task.WhenAll(_pollers.Select(p => p.RunAsync(sample => Emit(sink, sample, cancellationToken), Publish, cancellationToken))).ConfigureAwait(false);
        await _pending.WhenAll().ConfigureAwait(false);
    }

    public void CreateInstruments(Meter meter) =>
        meter.CreateObservableCounter("sensors_sensor_readings_total", () => _pollers.SelectMany(poller =>
        {
            var id = poller.Identity;
            var health = poller.Health;
            return new[] { ("ok", health.Good), ("warmup", health.WarmUpDiscarded), ("refused", health.Refused), ("failed", health.Failures) }
                .Select(o => Measure.Of(o.Item2, ("site", id.Site), ("room", id.Room), ("sensor_id", id.SensorId), ("model", id.Model), ("outcome", o.Item1)));
        }), description: "Readings of each sensor by outcome: ok (sent on), warmup (discarded after a start), refused (implausible), failed (no usable answer).");

    private ValueTask Emit(IReadingSink sink, PolledSample polled, CancellationToken cancellationToken)
    {
        var sample = polled.Sample;
        var fields = new List<Field>(4);
        if (sample.Co2Ppm is { } ppm)
        {
            fields.Add(new Field("co2_ppm", ppm));
        }

        if (sample.TemperatureC is { } t)
        {
            fields.Add(new Field("temperature_c", Math.Round(t, 2)));
        }

        if (sample.HumidityPct is { } h)
        {
            fields.Add(new Field("humidity_pct", Math.Round(h, 2)));
        }

        if (sample.PressureHpa is { } hpa)
        {
            fields.Add(new Field("pressure_hpa", Math.Round(hpa, 2)));
            Volatile.Write(ref _pressure, new Barometric(hpa, polled.At));
        }

        var id = polled.Sensor;
        var reading = new Reading("air_quality", [new Tag("site", id.Site), new Tag("room", id.Room), new Tag("sensor_id", id.SensorId), new Tag("sensor_model", id.Model)], fields.ToArray(), polled.At);
        return _pending.Add(sink.WriteAsync(reading, cancellationToken));
    }

    /// <summary>The site's newest barometer reading, or null when there is none or it is too old.</summary>
    public double? AmbientPressure() =>
        Volatile.Read(ref _pressure) is { } p && _time.GetUtcNow() - p.At <= PressureMaxAge ? p.Hpa : null;

    private void Publish(SensorPoller poller)
    {
        var id = poller.Identity;
        _board.Report(id, poller.Health.State, poller.Health.Reason, poller.Health.FirstReadingAt);
    }

    /// <summary>This machine's buses, or with Hardware:Emulate an emulator for each wired sensor of the site.</summary>
    public static IBusProvider BusesFor(SiteFile site, HardwareOptions options, TimeProvider time) =>
        options.Emulate
            ? Emulated(site, site.WiredSensors().ToList(), time)
            : new Sensors.Hardware.Linux.LinuxBuses();

    /// <summary>
    /// The pressure an emulated barometer reads: the standard atmosphere at the site's altitude
    /// (1013.25 × (1 − 2.25577e-5 × h)^5.25588 hPa), moved by weather of ±8 hPa over five days.
    /// </summary>
    public static double Barometer(int altitudeM, DateTimeOffset at) =>
        (1013.25 * Math.Pow(1 - (2.25577e-5 * altitudeM), 5.25588)) + (8 * Math.Sin(2 * Math.PI * at.ToUnixTimeSeconds() / TimeSpan.FromDays(5).TotalSeconds));

    /// <summary>Each wired sensor's emulator, measuring a simulated classroom (<see cref="ClassroomModel"/>) of its room, and each LCD's and LED strip's.</summary>
    private static EmulatedBuses Emulated(SiteFile site, List<(RoomSpec Room, SensorSpec Sensor)> wired, TimeProvider time)
    {
        var buses = new EmulatedBuses();
        var zone = site.TimeZone;
        foreach (var ((room, sensor), index) in wired.Select((w, i) => (w, i)))
        {
            var start = TimeZoneInfo.ConvertTime(time.GetUtcNow() - TimeSpan.FromDays(1), zone).DateTime;
            var model = new ClassroomModel(new ClassroomProfile(room.VolumeM3, room.Pupils), 4242 + index, start);
            var gate = new object();
            (double, double, double) last = (420, 20, 45);
            var lastAt = DateTime.MinValue;
            buses.Emulate(Location(sensor, site), at =>
            {
                var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
                lock (gate)
                {
                    if (local > lastAt)
                    {
                        var sample = model.Advance(local);
                        last = (sample.Co2Ppm, sample.TemperatureC, sample.HumidityPct);
                        lastAt = local;
                    }

                    return last;
                }
            }, time, pressureHpa: at => Barometer(site.AltitudeM, at));
        }

        foreach (var lcd in site.Rooms.Select(r => r.Indicator).OfType<IndicatorSpec>().Where(i => i.Is(IndicatorKind.Lcd)))
        {
            var address = SensorModels.ParseAddress(lcd.Address) ?? Sensors.Hardware.Devices.Hd44780.CharacterLcdIndicator.DefaultAddress;
            buses.Add(lcd.Bus, address, new Sensors.Hardware.Devices.Hd44780.Hd44780Emulator(lcd.Bus, address));
        }

        foreach (var strip in site.Rooms.Select(r => r.Indicator).OfType<IndicatorSpec>().Where(i => i.Is(IndicatorKind.Strip)))
        {
            buses.AddSpi(strip.Spi, new Sensors.Hardware.Devices.Ws2812.Ws2812Emulator(strip.Leds ?? 1));
        }

        return buses;
    }

    private sealed record Barometric(double Hpa, DateTimeOffset At);
}
