using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>Every SCD4x command of the driver against the emulator, in virtual time (real execution times, no waiting).</summary>
public sealed class Scd4xTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private readonly VirtualTime _time = new(Start);
    private readonly SensorFaults _faults = new();
    private double _co2 = 612;
    private readonly Scd4xEmulator _chip;
    private readonly Scd4x _sensor;

    public Scd4xTests()
    {
        _chip = new Scd4xEmulator(_ => (_co2, 21.5, 44), _time, _faults, "i2c-1");
        _sensor = new Scd4x(_chip, _time) { AltitudeM = 152 };
    }

    [Fact]
    public async Task Start_StopsFirst_ReadsTheSerial_SetsTheAltitude_ThenMeasures()
    {
        var serial = await _sensor.StartAsync(CancellationToken.None);

        Assert.Equal("serial 1a2b3c4d5e6f", serial);
        Assert.Equal(152, _chip.AltitudeM);
        Assert.True(_chip.IsMeasuring);
        Assert.Equal([Scd4x.StopPeriodicMeasurement, Scd4x.GetSerialNumberCommand, Scd4x.GetSensorAltitudeCommand, Scd4x.SetSensorAltitudeCommand, Scd4x.StartPeriodicMeasurement], _chip.Commands);
    }

    [Fact]
    public async Task DataReady_StaysFalseUntilTheFiveSecondPeriodHasElapsed()
    {
        await _sensor.StartAsync(CancellationToken.None);
        Assert.Null(await _sensor.ReadAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(await _sensor.ReadAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(2));

        var sample = await _sensor.ReadAsync(CancellationToken.None);

        Assert.NotNull(sample);
        Assert.Equal(612, sample.Co2Ppm);
        Assert.Equal(21.5, sample.TemperatureC!.Value, 1);
        Assert.Equal(44, sample.HumidityPct!.Value, 1);
        Assert.Null(await _sensor.ReadAsync(CancellationToken.None)); // taken: not ready again before the next period
    }

    [Fact]
    public async Task LowPowerMode_MeasuresEvery30Seconds()
    {
        var sensor = new Scd4x(_chip, _time) { LowPower = true };
        await sensor.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await sensor.ReadAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await sensor.ReadAsync(CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(30), sensor.MeasurementInterval);
    }

    [Fact]
    public async Task ConfigurationCommands_AreRefusedWhileMeasuring_AndWorkWhenStopped()
    {
        await _sensor.StartAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<HardwareException>(() => _sensor.GetSerialNumberAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.NoAnswer, refused.Fault);
        await _sensor.SetAmbientPressureAsync(98_700, CancellationToken.None); // allowed while measuring

        await _sensor.StopAsync(CancellationToken.None);
        await _sensor.SetTemperatureOffsetAsync(5.4, CancellationToken.None);
        Assert.Equal(5.4, await _sensor.GetTemperatureOffsetAsync(CancellationToken.None), 2);
        await _sensor.SetSensorAltitudeAsync(300, CancellationToken.None);
        Assert.Equal(300, await _sensor.GetSensorAltitudeAsync(CancellationToken.None));
        await _sensor.SetAutomaticCalibrationAsync(false, CancellationToken.None);
        Assert.False(await _sensor.GetAutomaticCalibrationAsync(CancellationToken.None));
        Assert.Equal(1, _chip.PersistCount);
        Assert.True(await _sensor.PerformSelfTestAsync(CancellationToken.None));
        await _sensor.ReinitAsync(CancellationToken.None);
        await _sensor.PerformFactoryResetAsync(CancellationToken.None);
        Assert.True(await _sensor.GetAutomaticCalibrationAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SelfTest_TakesItsTenSeconds()
    {
        var before = _time.GetUtcNow();
        Assert.True(await _sensor.PerformSelfTestAsync(CancellationToken.None));
        Assert.True(_time.GetUtcNow() - before >= Scd4x.SelfTestTime);
    }

    [Fact]
    public void ReadingBeforeTheExecutionTime_IsNacked()
    {
        _chip.Write([0x36, 0x82]); // get_serial_number, then no 1 ms wait
        var busy = Assert.Throws<HardwareException>(() => _chip.Read(new byte[9]));
        Assert.Equal(HardwareFault.Busy, busy.Fault);
    }

    [Fact]
    public async Task ForcedRecalibration_IsRefusedBeforeThreeMinutes_ThenCorrectsTheReadings()
    {
        await _sensor.StartAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<HardwareException>(() => _sensor.PerformForcedRecalibrationAsync(420, CancellationToken.None));
        Assert.Equal(HardwareFault.Refused, refused.Fault);
        Assert.True(_chip.IsMeasuring, "measuring starts again after a refused recalibration");

        _time.Advance(TimeSpan.FromMinutes(3));
        _co2 = 470; // outdoors, the sensor reads 50 ppm too high
        var correction = await _sensor.PerformForcedRecalibrationAsync(420, CancellationToken.None);

        Assert.Equal(-50, correction);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(420, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
    }

    [Fact]
    public async Task SingleShot_MeasuresOnDemand()
    {
        var sample = await _sensor.MeasureSingleShotAsync(CancellationToken.None);
        Assert.Equal(612, sample.Co2Ppm);
        var (t, rh) = await _sensor.MeasureSingleShotRhtOnlyAsync(CancellationToken.None);
        Assert.Equal(21.5, t, 1);
        Assert.Equal(44, rh, 1);
    }

    [Fact]
    public async Task CrcError_OnTheCo2Word_IsAChecksumFault()
    {
        await _sensor.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        _faults.CorruptAnswers = 2; // the data-ready answer, then the measurement
        var error = await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.Checksum, error.Fault);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unplugged_MidRead_IsNoAnswer_WithWhatToCheck()
    {
        await _sensor.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        _faults.UnplugMidRead = true;
        var error = await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.NoAnswer, error.Fault);
        Assert.Contains("i2c-1 0x62", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stuck_KeepsReturningTheSameValue()
    {
        await _sensor.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(612, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
        _faults.Stuck = true;
        _co2 = 900;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(612, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
    }
}
