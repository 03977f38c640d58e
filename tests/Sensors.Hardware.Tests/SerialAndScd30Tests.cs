using Sensors.Hardware.Devices.SenseAirS8;
using Sensors.Hardware.Devices.Scd30;
using Sensors.Hardware.Devices.Mhz19b;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

public sealed class Scd30Tests
{
    private readonly VirtualTime _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly SensorFaults _faults = new();
    private double _co2 = 845.5;
    private readonly Scd30Emulator _chip;
    private readonly Scd30 _sensor;

    public Scd30Tests()
    {
        _chip = new Scd30Emulator(_ => (_co2, 22.25, 51.5), _time, _faults, "i2c-1");
        _sensor = new Scd30(_chip, _time) { IntervalSeconds = 5, AmbientPressureMbar = 1013 };
    }

    [Fact]
    public async Task Start_SetsTheInterval_AndThePressure_ThenReadsFloatsWhenReady()
    {
        Assert.Equal("firmware 3.66", await _sensor.StartAsync(CancellationToken.None));
        Assert.Equal(5, _chip.IntervalSeconds);
        Assert.Equal(1013, _chip.PressureMbar);
        Assert.Equal(5, await _sensor.GetMeasurementIntervalAsync(CancellationToken.None));
        Assert.Null(await _sensor.ReadAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(5));
        var sample = await _sensor.ReadAsync(CancellationToken.None);

        Assert.Equal(845.5, sample!.Co2Ppm!.Value, 2);
        Assert.Equal(22.25, sample.TemperatureC!.Value, 2);
        Assert.Equal(51.5, sample.HumidityPct!.Value, 2);
    }

    [Fact]
    public async Task Calibration_AscOffsetAltitude_RoundTrip()
    {
        await _sensor.StartAsync(CancellationToken.None);
        await _sensor.SetAutomaticCalibrationAsync(true, CancellationToken.None);
        Assert.True(await _sensor.GetAutomaticCalibrationAsync(CancellationToken.None));
        await _sensor.SetTemperatureOffsetAsync(1.5, CancellationToken.None);
        Assert.Equal(1.5, await _sensor.GetTemperatureOffsetAsync(CancellationToken.None));
        await _sensor.SetAltitudeAsync(152, CancellationToken.None);
        Assert.Equal(152, await _sensor.GetAltitudeAsync(CancellationToken.None));

        _co2 = 460;
        await _sensor.CalibrateAsync(420, CancellationToken.None);
        Assert.Equal(420, await _sensor.GetForcedRecalibrationValueAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(420, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm!.Value, 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _sensor.CalibrateAsync(300, CancellationToken.None));
    }

    [Fact]
    public async Task SoftReset_StopsMeasuring_AndTakesItsBootTime()
    {
        await _sensor.StartAsync(CancellationToken.None);
        var before = _time.GetUtcNow();
        await _sensor.SoftResetAsync(CancellationToken.None);
        Assert.False(_chip.IsMeasuring);
        Assert.True(_time.GetUtcNow() - before >= Scd30.BootTime);
    }

    [Fact]
    public async Task Unplugged_IsNoAnswer()
    {
        _faults.Unplugged = true;
        Assert.Equal(HardwareFault.NoAnswer, (await Assert.ThrowsAsync<HardwareException>(() => _sensor.StartAsync(CancellationToken.None))).Fault);
    }
}

public sealed class Mhz19bTests
{
    private readonly VirtualTime _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly SensorFaults _faults = new();
    private double _co2 = 733;
    private readonly Mhz19bEmulator _chip;
    private readonly Mhz19b _sensor;

    public Mhz19bTests()
    {
        _chip = new Mhz19bEmulator(_ => (_co2, 23, 40), _time, _faults, "/dev/ttyAMA0");
        _sensor = new Mhz19b(_chip, _time);
    }

    [Fact]
    public async Task Reads_Co2_WithTheDatasheetFrames()
    {
        Assert.Equal("no serial number; answers, 733 ppm", await _sensor.StartAsync(CancellationToken.None));
        Assert.Equal(733, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
        Assert.Contains("FF0186000000000079", _chip.Requests);
        Assert.Equal(5000, _chip.RangePpm);
    }

    [Fact]
    public async Task ResynchronisesAfterStrayBytes()
    {
        var sensor = new Mhz19b(new NoisyPort(_chip, [0x00, 0xFF, 0x12, 0x86]), _time);
        Assert.Equal(733, await sensor.ReadCo2Async(CancellationToken.None));
    }

    [Fact]
    public async Task WrongChecksum_IsAChecksumFault_AndSilence_IsNoAnswer()
    {
        _faults.CorruptAnswers = 1;
        Assert.Equal(HardwareFault.Checksum, (await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None))).Fault);
        _faults.Unplugged = true;
        var silent = await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.NoAnswer, silent.Fault);
        Assert.Contains("TX goes to the Pi's RX", silent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroCalibration_Only400_AndAbcOnOff()
    {
        _co2 = 455;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _sensor.CalibrateAsync(420, CancellationToken.None));
        await _sensor.CalibrateAsync(400, CancellationToken.None);
        Assert.Equal(400, await _sensor.ReadCo2Async(CancellationToken.None));
        await _sensor.SetAutomaticCalibrationAsync(false, CancellationToken.None);
        Assert.False(_chip.Abc);
        await _sensor.SetAutomaticCalibrationAsync(true, CancellationToken.None);
        Assert.True(_chip.Abc);
    }

    /// <summary>Puts bytes on the line before each answer, as a glitch or a late answer would.</summary>
    private sealed class NoisyPort(ISerialPort inner, byte[] noise) : ISerialPort
    {
        private byte[] _pending = [];

        public string Describe => inner.Describe;

        public void Write(ReadOnlySpan<byte> data)
        {
            inner.Write(data);
            _pending = noise;
        }

        public int Read(Span<byte> buffer, TimeSpan timeout)
        {
            if (_pending.Length > 0)
            {
                var n = Math.Min(buffer.Length, _pending.Length);
                _pending.AsSpan(0, n).CopyTo(buffer);
                _pending = _pending[n..];
                return n;
            }

            return inner.Read(buffer, timeout);
        }

        public void DiscardInput() => inner.DiscardInput();

        public void Dispose() => inner.Dispose();
    }
}

public sealed class SenseAirS8Tests
{
    private readonly VirtualTime _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly SensorFaults _faults = new();
    private double _co2 = 1004;
    private readonly SenseAirS8Emulator _chip;
    private readonly SenseAirS8 _sensor;

    public SenseAirS8Tests()
    {
        _chip = new SenseAirS8Emulator(_ => (_co2, 0, 0), _time, _faults, "/dev/ttyUSB0");
        _sensor = new SenseAirS8(_chip, _time);
    }

    [Fact]
    public async Task ReadsIdStatusAndCo2_OverModbus()
    {
        Assert.Equal("sensor id 0ab1c2d3", await _sensor.StartAsync(CancellationToken.None));
        Assert.Equal(1004, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
        Assert.Contains("FE0400000004E5C6", _chip.Requests);
    }

    [Fact]
    public async Task OutOfRange_IsReportedByTheMeterStatus()
    {
        _faults.Co2Override = 12_000;
        var error = await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.Refused, error.Fault);
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackgroundCalibration_AndAbcPeriod()
    {
        _co2 = 430;
        await _sensor.CalibrateAsync(400, CancellationToken.None);
        Assert.Equal(400, (await _sensor.ReadAsync(CancellationToken.None))!.Co2Ppm);
        await _sensor.SetAutomaticCalibrationAsync(false, CancellationToken.None);
        Assert.Equal(0, await _sensor.GetAbcPeriodAsync(CancellationToken.None));
        await _sensor.SetAbcPeriodAsync(180, CancellationToken.None);
        Assert.Equal(180, _chip.AbcPeriodHours);
    }

    [Fact]
    public async Task CrcError_IsAChecksumFault_AndUnplugged_IsNoAnswer()
    {
        _faults.CorruptAnswers = 1;
        Assert.Equal(HardwareFault.Checksum, (await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None))).Fault);
        _faults.Unplugged = true;
        Assert.Equal(HardwareFault.NoAnswer, (await Assert.ThrowsAsync<HardwareException>(() => _sensor.ReadAsync(CancellationToken.None))).Fault);
    }
}
