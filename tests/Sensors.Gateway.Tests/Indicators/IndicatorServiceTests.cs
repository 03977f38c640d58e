using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sensors.Core;
using Sensors.Gateway.Indicators;
using Sensors.Gateway.Status;
using Sensors.Hardware.Devices.Hd44780;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Emulation;
using Sensors.Sites;

namespace Sensors.Gateway.Tests.Indicators;

/// <summary>
/// The indicator service on a fake clock, driving a traffic light (emulated GPIO pins, with its
/// buzzer and mute button) and an LCD (the HD44780 emulator behind its backpack) from the rooms'
/// committed readings: what the class would see and hear, step by step.
/// </summary>
public sealed class IndicatorServiceTests : IAsyncDisposable
{
    private const int Green = 17, Orange = 27, Red = 22, Buzzer = 23, Mute = 24;

    // Thursday 3 December 2026, 10:00 in Paris: a lesson.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly EmulatedGpioDriver _pins = new();
    private readonly Hd44780Emulator _glass = new("i2c-1");
    private readonly RoomBoard _rooms;
    private readonly IndicatorBoard _board = new();
    private readonly LogLines _log = new();
    private readonly IndicatorService _service;

    public IndicatorServiceTests()
    {
        _rooms = new RoomBoard(_time);
        var site = new SiteFile
        {
            Site = "ecole",
            Rooms =
            [
                new RoomSpec { Id = "cp-a", Name = "CP A", Sensors = [new SensorSpec { Id = "scd41-cp-a", Model = "SCD41" }], Indicator = new IndicatorSpec { Kind = "leds", Green = Green, Orange = Orange, Red = Red, Buzzer = Buzzer, MuteButton = Mute } },
                new RoomSpec { Id = "cm2-b", Name = "CM2 B", Sensors = [new SensorSpec { Id = "s8-cm2-b", Model = "S8" }], Indicator = new IndicatorSpec { Kind = "lcd", Bus = "i2c-1", Address = "0x27" } },
            ],
        };
        var buses = new EmulatedBuses().Add("i2c-1", 0x27, _glass);
        var devices = new IndicatorDevices(buses, () => new GpioController(_pins));
        _service = new IndicatorService(site, devices, _rooms, _board, Co2Levels.Default, _time, _log.For<IndicatorService>());
    }

    [Fact]
    public async Task TheLightFollowsTheRoom_TheBuzzerSoundsAtRedInLessons_TheButtonMutesItUntilTheAirIsBetter_AndStaleReadingsShowGrey()
    {
        await _service.StartAsync(CancellationToken.None);
        await Step(() => _board.Of("ecole", "cp-a")?.Light == LightShown.Grey && _board.Of("ecole", "cm2-b")?.Light == LightShown.Grey);
        Assert.Equal((false, false, false), Leds());
        Assert.Equal(["---- ppm    GRIS", "Pas de mesure   "], _glass.Lines);

        await Read(600);
        Assert.Equal((true, false, false), Leds());
        Assert.Equal([" 600 ppm    VERT", "Air sain        "], _glass.Lines);

        await Read(1200);
        Assert.Equal((false, true, false), Leds());
        Assert.Equal(["1200 ppm  ORANGE", "Air charge      "], _glass.Lines);

        await Read(1800);
        Assert.Equal((false, false, true), Leds());
        Assert.Equal(PinValue.High, _pins.Level(Buzzer));
        Assert.True(_board.Of("ecole", "cp-a")!.Buzzer);

        // The teacher presses the button: silence, the light stays red.
        _pins.Drive(Mute, PinValue.Low);
        await Step(() => _pins.Level(Buzzer) == PinValue.Low);
        _pins.Drive(Mute, PinValue.High);
        await Read(1900);
        Assert.Equal((PinValue.Low, true), (_pins.Level(Buzzer), _board.Of("ecole", "cp-a")!.Muted));
        Assert.Equal((false, false, true), Leds());
        Assert.Contains(_log.Lines, l => l.Contains("Indicator of room cp-a (CP A): buzzer muted by its button until the air is back under red", StringComparison.Ordinal));

        // The windows open, the air is better; the next red sounds again.
        await Read(1100);
        Assert.False(_board.Of("ecole", "cp-a")!.Muted);
        await Read(1700);
        Assert.Equal(PinValue.High, _pins.Level(Buzzer));

        // The sensor stops: after ten minutes the light goes dark, never stays red or green.
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await Step(() => _board.Of("ecole", "cp-a")?.Light == LightShown.Grey);
        Assert.Equal((false, false, false, PinValue.Low), (Leds().Green, Leds().Orange, Leds().Red, _pins.Level(Buzzer)));
        Assert.Equal("---- ppm    GRIS", _glass.Lines[0]);
        Assert.StartsWith("Mesure trop anci", _glass.Lines[1], StringComparison.Ordinal);

        // Lunch (12:30): red, but the buzzer keeps quiet outside lessons.
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 3, 11, 30, 0, TimeSpan.Zero));
        await Read(2200);
        Assert.Equal(((false, false, true), PinValue.Low), (Leds(), _pins.Level(Buzzer)));

        await _service.StopAsync(CancellationToken.None);
        Assert.Equal((false, false, false, PinValue.Low), (Leds().Green, Leds().Orange, Leds().Red, _pins.Level(Buzzer)));
        Assert.False(_glass.BacklightOn);
    }

    [Fact]
    public async Task AnUnpluggedDisplay_IsReportedOnceAndOpenedAgain_WhileTheOtherRoomsLightGoesOn()
    {
        await _service.StartAsync(CancellationToken.None);
        await Read(900);
        Assert.Equal([" 900 ppm  ORANGE", "Air charge      "], _glass.Lines);

        _glass.Unplugged = true;
        await Read(1000);
        await Step(() => _board.Of("ecole", "cm2-b")?.Problem is not null);
        Assert.Contains("i2c-1 0x27", _board.Of("ecole", "cm2-b")!.Problem, StringComparison.Ordinal);
        await Read(600);
        Assert.Equal((true, false, false), Leds()); // CP A goes on
        var failures = _log.Lines.Count(l => l.Contains("Indicator of room cm2-b (CM2 B) cannot show anything", StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            await Read(600 + i); // tries again every 30 s, without a line each time
        }

        Assert.Equal(failures, _log.Lines.Count(l => l.Contains("Indicator of room cm2-b (CM2 B) cannot show anything", StringComparison.Ordinal)));

        _glass.Unplugged = false;
        _time.Advance(IndicatorService.RetryEvery);
        await Step(() => _board.Of("ecole", "cm2-b") is { Problem: null, Light: LightShown.Green });
        Assert.Equal(" 604 ppm    VERT", _glass.Lines[0]);
        await _service.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
    }

    private (bool Green, bool Orange, bool Red) Leds() => (_pins.Level(Green) == PinValue.High, _pins.Level(Orange) == PinValue.High, _pins.Level(Red) == PinValue.High);

    /// <summary>A committed reading in both rooms now, then ticks until both indicators show it.</summary>
    private async Task Read(double ppm)
    {
        _time.Advance(TimeSpan.FromSeconds(30));
        foreach (var (room, sensor) in new[] { ("cp-a", "scd41-cp-a"), ("cm2-b", "s8-cm2-b") })
        {
            _rooms.Observe(new Reading("air_quality", [new Tag("site", "ecole"), new Tag("room", room), new Tag("sensor_id", sensor)], [new Field("co2_ppm", ppm)], _time.GetUtcNow()));
        }

        await Step(() => _board.Of("ecole", "cp-a")?.Ppm == ppm && (_glass.Unplugged || _board.Of("ecole", "cm2-b")?.Ppm == ppm));
    }

    /// <summary>Ticks the fake clock until <paramref name="done"/> holds (at most 5 real seconds).</summary>
    private async Task Step(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!done() && DateTime.UtcNow < deadline)
        {
            _time.Advance(IndicatorService.Tick);
            await Task.Delay(5);
        }

        Assert.True(done(), $"not reached; board: {string.Join(" | ", _board.Snapshot())}");
    }

    private sealed class LogLines : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger<T> For<T>() => new Logger<T>(new LoggerFactory([this]));

        public ILogger CreateLogger(string categoryName) => new Line(Lines);

        public void Dispose()
        {
        }

        private sealed class Line(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => lines.Enqueue(formatter(state, exception));
        }
    }
}
