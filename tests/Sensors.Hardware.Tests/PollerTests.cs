using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Hardware.Polling;

namespace Sensors.Hardware.Tests;

/// <summary>
/// Pollers in virtual time against emulated buses: warm-up, plausibility, and each injected
/// fault ending in the right health state with one clear log line, while the other sensors go on.
/// </summary>
public sealed class PollerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    /// <summary>No virtual deadline: run until the condition holds (or 20 real seconds).</summary>
    private static readonly TimeSpan UntilDone = TimeSpan.FromDays(3650);
    private readonly VirtualTime _time = new(Start);
    private readonly EmulatedBuses _buses = new();
    private readonly ListLogger _log = new();
    private readonly ConcurrentQueue<PolledSample> _samples = new();

    /// <summary>A poller and its emulator; with its own clock when given one (a shared virtual clock jumps with every poller's waits).</summary>
    private SensorPoller Poller(string id, SensorLocation location, SensorFaults faults, double co2 = 700, VirtualTime? time = null, Func<double?>? barometer = null, Func<DateTimeOffset, double>? pressure = null)
    {
        time ??= _time;
        _buses.Emulate(location, _ => (co2 + Random.Shared.Next(0, 3), 21, 45), time, faults, pressure);
        return new SensorPoller(new SensorIdentity("ecole", $"room-{id}", id, SensorModels.Normalise(location.Model)), location, _buses, time, _log, barometer);
    }

    /// <summary>A climate sensor read through its binding: the poller on the virtual clock, the chip on the real one.</summary>
    private SensorPoller Climate(string id, SensorLocation location, Func<DateTimeOffset, double>? pressure = null)
    {
        _buses.Emulate(location, _ => (0, 21, 45), TimeProvider.System, pressureHpa: pressure);
        return new SensorPoller(new SensorIdentity("ecole", $"room-{id}", id, SensorModels.Normalise(location.Model)), location, _buses, new VirtualTime(Start), _log);
    }

    /// <summary>What the gateway's hardware source does: the newest pressure a barometer read.</summary>
    private double? Barometer() => _samples.LastOrDefault(s => s.Sample.PressureHpa is not null)?.Sample.PressureHpa;

    /// <summary>Runs the pollers until <paramref name="virtualDuration"/> has passed in virtual time, or <paramref name="until"/> holds.</summary>
    private async Task RunAsync(TimeSpan virtualDuration, Func<bool>? until = null, params SensorPoller[] pollers)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var end = virtualDuration >= UntilDone ? DateTimeOffset.MaxValue : _time.GetUtcNow() + virtualDuration;
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && _time.GetUtcNow() < end && until?.Invoke() != true)
            {
                await Task.Delay(1);
            }

            stop.Cancel();
        });
        await Task.WhenAll(pollers.Select(p => p.RunAsync(s => { _samples.Enqueue(s); return ValueTask.CompletedTask; }, _ => { }, stop.Token)));
        await watch;
    }

    [Fact]
    public async Task HealthySensor_DiscardsItsWarmUp_ThenSendsReadings_AndIsOk()
    {
        var poller = Poller("scd41", new SensorLocation("SCD41", "i2c-1", null), new SensorFaults());

        await RunAsync(TimeSpan.FromMinutes(5), () => poller.Health.State == SensorHealth.Ok, poller);

        Assert.Equal(SensorHealth.Ok, poller.Health.State);
        Assert.True(poller.Health.WarmUpDiscarded >= 11, $"warm-up discarded: {poller.Health.WarmUpDiscarded}");
        Assert.All(_samples, s => Assert.True(s.At - Start >= TimeSpan.FromSeconds(60)));
        Assert.InRange(_samples.First().Sample.Co2Ppm!.Value, 700, 703);
        Assert.Contains(_log.Lines, l => l.Contains("Sensor scd41 (SCD41, room room-scd41) is ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnpluggedSensor_Fails_IsRestartedWithBackoff_WhileTheOtherGoesOn_AndRecoversWhenPluggedBack()
    {
        var unplugged = new SensorFaults { Unplugged = true };
        var broken = Poller("s8", new SensorLocation("S8", "/dev/ttyUSB0", null), unplugged, time: new VirtualTime(Start));
        var fine = Poller("scd30", new SensorLocation("SCD30", "i2c-1", null), new SensorFaults(), time: new VirtualTime(Start));

        await RunAsync(UntilDone, () => broken.Health.State == SensorHealth.Failed && fine.Health.State == SensorHealth.Ok && broken.Health.Failures >= 5, broken, fine);

        Assert.Equal(SensorHealth.Failed, broken.Health.State);
        Assert.Equal(SensorHealth.Ok, fine.Health.State);
        Assert.Contains(_samples, s => s.Sensor.SensorId == "scd30");
        Assert.DoesNotContain(_samples, s => s.Sensor.SensorId == "s8");
        var failed = _log.Lines.Where(l => l.Contains("Sensor s8 (S8, room room-s8) failed", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(failed);
        Assert.Contains("/dev/ttyUSB0: the S8 does not answer. Check its power (5 V)", failed[0], StringComparison.Ordinal);
        Assert.Contains("the other sensors go on", failed[0], StringComparison.Ordinal);
        Assert.True(failed.Count <= 3, $"one line per change, not per attempt: {failed.Count}");

        unplugged.Unplugged = false;
        await RunAsync(UntilDone, () => broken.Health.State == SensorHealth.Ok, broken);
        Assert.Equal(SensorHealth.Ok, broken.Health.State);
    }

    [Fact]
    public async Task CrcErrors_MakeItDegraded_ThenOkAgain()
    {
        var faults = new SensorFaults();
        var poller = Poller("scd41", new SensorLocation("SCD41", "i2c-1", null), faults);
        var changes = new ConcurrentQueue<(SensorHealth State, string Reason)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = poller.RunAsync(_ => ValueTask.CompletedTask, p => changes.Enqueue((p.Health.State, p.Health.Reason)), stop.Token);

        await Until(() => poller.Health.State == SensorHealth.Ok);
        faults.CorruptAnswers = 1;
        await Until(() => changes.Any(c => c.State == SensorHealth.Degraded && c.Reason.Contains("CRC", StringComparison.Ordinal)));
        await Until(() => changes.Last().State == SensorHealth.Ok);
        stop.Cancel();
        await run;

        Assert.Contains(_log.Lines, l => l.Contains("degraded", StringComparison.Ordinal) && l.Contains("CRC", StringComparison.Ordinal));
        Assert.Equal(SensorHealth.Ok, poller.Health.State);
        Assert.Equal(1, poller.Health.Failures);

        static async Task Until(Func<bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, "not within 15 s");
                await Task.Delay(1);
            }
        }
    }

    [Fact]
    public async Task OutOfRangeValues_AreRefusedAndCounted_NeverSent()
    {
        var poller = Poller("mhz", new SensorLocation("MH-Z19B", "/dev/ttyAMA0", null), new SensorFaults { Co2Override = 0 });

        await RunAsync(TimeSpan.FromMinutes(6), () => poller.Health.Refused >= 5, poller);

        Assert.Empty(_samples);
        Assert.True(poller.Health.Refused >= 5);
        Assert.Equal(SensorHealth.Degraded, poller.Health.State);
        Assert.Contains("outside what it measures", poller.Health.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StuckValue_MakesItDegraded()
    {
        var faults = new SensorFaults { Stuck = true };
        var poller = Poller("scd40", new SensorLocation("SCD40", "i2c-1", null), faults);

        await RunAsync(TimeSpan.FromMinutes(10), () => poller.Health.Reason.Contains("stuck", StringComparison.Ordinal), poller);

        Assert.Equal(SensorHealth.Degraded, poller.Health.State);
        Assert.Contains("value stuck at", poller.Health.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClimateSensors_SendTheirValues_AndTheBarometerCompensatesTheCo2SensorsThatTakeIt()
    {
        // The bindings wait for a measurement in real time (Thread.Sleep, Task.Delay): their chips measure in real time too.
        var hpa = 987.6;
        var bme = Climate("bme280", new SensorLocation("BME280", "i2c-1", null), _ => hpa);
        var sht = Climate("sht41", new SensorLocation("SHT41", "i2c-3", null));
        var sht3x = Climate("sht31", new SensorLocation("SHT31", "i2c-3", 0x45));
        var scd41 = Poller("scd41", new SensorLocation("SCD41", "i2c-1", null), new SensorFaults(), time: new VirtualTime(Start), barometer: Barometer);
        var scd30 = Poller("scd30", new SensorLocation("SCD30", "i2c-1", null), new SensorFaults(), time: new VirtualTime(Start), barometer: Barometer);
        var mhz = Poller("mhz19b", new SensorLocation("MH-Z19B", "/dev/ttyAMA0", null), new SensorFaults(), time: new VirtualTime(Start), barometer: Barometer);
        var all = new[] { bme, sht, sht3x, scd41, scd30, mhz };

        await RunAsync(UntilDone, () => scd41.CompensatedForHpa is not null && scd30.CompensatedForHpa is not null && _samples.Any(s => s.Sensor.SensorId == "sht31") && _samples.Any(s => s.Sensor.SensorId == "mhz19b"), all);

        var climate = _samples.First(s => s.Sensor.SensorId == "bme280").Sample;
        Assert.Null(climate.Co2Ppm);
        Assert.Equal(987.6, climate.PressureHpa!.Value, 0);
        Assert.Equal(21, climate.TemperatureC!.Value, 1);
        Assert.Equal(45, climate.HumidityPct!.Value, 0);
        foreach (var id in new[] { "sht41", "sht31" })
        {
            var sample = _samples.First(s => s.Sensor.SensorId == id).Sample;
            Assert.Equal((null, 21.0, 45.0, null), (sample.Co2Ppm, Math.Round(sample.TemperatureC!.Value, 1), Math.Round(sample.HumidityPct!.Value), sample.PressureHpa));
        }

        Assert.Equal(988, ((Devices.Scd4x.Scd4xEmulator)_buses.OpenI2c("i2c-1", 0x62)).AmbientPressureHpa);
        Assert.Equal(988, ((Devices.Scd30.Scd30Emulator)_buses.OpenI2c("i2c-1", 0x61)).PressureMbar);
        Assert.Null(mhz.CompensatedForHpa); // the MH-Z19B has no pressure setting
        Assert.Contains(_log.Lines, l => l.Contains("Sensor scd41 (SCD41, room room-scd41) compensates its CO2 for the ambient pressure, 987.6 hPa", StringComparison.Ordinal));

        // Weather: a front brings 15 hPa; a change under a hectopascal is not sent.
        hpa = 1002.9;
        await RunAsync(UntilDone, () => scd41.CompensatedForHpa > 1000 && scd30.CompensatedForHpa > 1000, all);
        Assert.Equal(1003, ((Devices.Scd4x.Scd4xEmulator)_buses.OpenI2c("i2c-1", 0x62)).AmbientPressureHpa);
        Assert.Equal(1003, ((Devices.Scd30.Scd30Emulator)_buses.OpenI2c("i2c-1", 0x61)).PressureMbar);
        hpa = 1003.3;
        var before = scd41.CompensatedForHpa;
        await RunAsync(UntilDone, () => _samples.Count(s => s.Sensor.SensorId == "scd41" && s.Sample.Co2Ppm is not null) > 40, all);
        Assert.Equal(before, scd41.CompensatedForHpa);
        Assert.All(all, p => Assert.True(p.Health.Failures == 0, $"{p.Identity.SensorId}: {p.Health.Failures} failure(s), {string.Join(" | ", _log.Lines.Where(l => l.Contains(p.Identity.SensorId, StringComparison.Ordinal) && !l.Contains("Information", StringComparison.Ordinal)).Take(3))}"));
    }

    /// <summary>What a climate or CO2 sensor's answer can hold that no room has: each refused with why, and what a room can have passes.</summary>
    [Theory]
    [InlineData(null, 21.0, 45.0, double.NaN, "pressure NaN hPa is impossible")]
    [InlineData(null, 21.0, 45.0, 0.0, "pressure 0.0 hPa is impossible")]
    [InlineData(null, 21.0, 45.0, 1500.0, "pressure 1500.0 hPa is impossible")]
    [InlineData(null, 21.0, 45.0, double.PositiveInfinity, "pressure Infinity hPa is impossible")]
    [InlineData(null, -45.0, 45.0, 1000.0, "temperature -45.0 °C is impossible indoors")]
    [InlineData(null, 21.0, 130.0, 1000.0, "humidity 130.0 % is impossible")]
    [InlineData(null, double.NaN, 45.0, null, "temperature NaN °C is impossible indoors")]
    [InlineData(null, 21.0, 45.0, 1000.0, null)]
    [InlineData(null, 21.0, 45.0, 320.0, null)] // the top of Everest: the BME280's range goes down to 300
    [InlineData(null, 21.0, null, null, null)]
    public void Implausible_ClimateValues_AreRefusedWithWhy(double? co2, double? celsius, double? percent, double? hpa, string? why)
    {
        var reason = SensorPoller.Implausible(new SensorSample(co2, celsius, percent, hpa), co2Range: null);
        if (why is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Equal(why, reason);
        }
    }

    [Fact]
    public void Implausible_ACo2SensorWithoutItsCo2_IsRefused()
    {
        Assert.Contains("outside what it measures", SensorPoller.Implausible(new SensorSample(null, 21, 45), (1, 40_000)), StringComparison.Ordinal);
        Assert.Null(SensorPoller.Implausible(new SensorSample(650, 21, 45, 1000), (1, 40_000)));
    }

    [Fact]
    public void HealthRule_ThreeFailuresFail_TenGoodRecover_BackoffDoubles()
    {
        var health = new SensorHealthTracker();
        var error = new Bus.HardwareException(Bus.HardwareFault.NoAnswer, "x: no answer");
        Assert.False(health.Failure(error));
        Assert.False(health.Failure(error));
        Assert.True(health.Failure(error));
        Assert.Equal(SensorHealth.Failed, health.State);
        Assert.Equal(TimeSpan.FromSeconds(5), health.Backoff);
        health.Restarting();
        health.Restarting();
        Assert.Equal(TimeSpan.FromSeconds(20), health.Backoff);
        for (var i = 0; i < 10; i++)
        {
            health.Reading(new SensorSample(600 + i, 21, 40));
        }

        Assert.Equal(SensorHealth.Ok, health.State);
        Assert.Equal(TimeSpan.FromSeconds(5), health.Backoff);
    }

    [Fact]
    public void HealthRule_AStartedSensorIsWarmingUp_NotDegraded_UntilItsFirstReadingMakesItOk()
    {
        var health = new SensorHealthTracker();
        var start = new DateTimeOffset(2026, 12, 2, 9, 41, 0, TimeSpan.Zero);
        health.Started(start, TimeSpan.FromMinutes(3));
        Assert.Equal(SensorHealth.WarmingUp, health.State);
        Assert.Equal(start.AddMinutes(3), health.FirstReadingAt);
        health.WarmingUp();
        Assert.Equal(SensorHealth.WarmingUp, health.State);

        // The first plausible reading after the warm-up: ok at once (a sensor read every 30 s is not "degraded" for five minutes).
        health.Reading(new SensorSample(650, 21, 40));
        Assert.Equal(SensorHealth.Ok, health.State);
        Assert.True(health.Changed);
        Assert.Null(health.FirstReadingAt);

        // A failure during a later warm-up is still a failure.
        health.Started(start.AddHours(1), TimeSpan.FromMinutes(3));
        Assert.False(health.Failure(new Bus.HardwareException(Bus.HardwareFault.NoAnswer, "x: no answer")));
        Assert.Equal(SensorHealth.Degraded, health.State);
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
