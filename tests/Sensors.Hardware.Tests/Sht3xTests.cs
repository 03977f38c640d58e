using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Sht3x;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>The .NET IoT binding for the SHT3x (Iot.Device.Sht3x) over our seam, on our emulator that follows the datasheet; and the CRC check it lacks.</summary>
public sealed class Sht3xTests
{
    [Theory]
    [InlineData(21.5, 44)]
    [InlineData(-10, 90)]
    [InlineData(35, 15)]
    public void TheBinding_ReadsTemperatureAndHumidity_FromOurEmulator(double celsius, double percent)
    {
        var chip = new Sht3xEmulator(_ => (0, celsius, percent), TimeProvider.System, bus: "i2c-1");
        using var sht = new Iot.Device.Sht3x.Sht3x(chip.AsI2cDevice("i2c-1", Sht3xEmulator.DefaultAddress));

        Assert.Equal(celsius, sht.Temperature.DegreesCelsius, 1);
        Assert.Equal(percent, sht.Humidity.Percent, 1);
        Assert.Equal(0x30A2, chip.Commands[0]); // its constructor's soft reset
        Assert.Contains((ushort)0x2400, chip.Commands); // single shot, high repeatability, no clock stretching
    }

    [Fact]
    public void TheEmulator_NacksAReadWhileItMeasures_StretchesTheClockWhenAsked_AndKeepsItsStatus()
    {
        var time = new VirtualTime(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        var chip = new Sht3xEmulator(_ => (0, 25, 50), time);
        var answer = new byte[6];

        chip.Write([0x24, 0x00]);
        Assert.Contains("still executing command 0x2400", Assert.Throws<HardwareException>(() => chip.Read(answer)).Message, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromMilliseconds(15));
        chip.Read(answer);
        Assert.Equal(25, -45 + (175.0 * ((answer[0] << 8) | answer[1]) / 65535), 2);
        Assert.Equal(50, 100.0 * ((answer[3] << 8) | answer[4]) / 65535, 2);
        Assert.Equal(SensirionCrc.Compute(answer.AsSpan(0, 2)), answer[2]);
        Assert.Equal(SensirionCrc.Compute(answer.AsSpan(3, 2)), answer[5]);

        chip.Write([0x2C, 0x06]); // clock stretching: the sensor holds SCL until the answer is ready
        chip.Read(answer);

        chip.Write([0x30, 0x6D]); // heater on
        chip.Write([0xF3, 0x2D]);
        var status = new byte[3];
        chip.Read(status);
        Assert.Equal(0x2010, (status[0] << 8) | status[1]); // heater on (bit 13), reset detected (bit 4)
        Assert.Throws<HardwareException>(() => chip.Write([0x42, 0x42]));
    }

    [Fact]
    public async Task ACorruptedAnswer_IsKeptSilentlyByTheBinding_ButRefusedByOurDriver()
    {
        var air = (T: 21.5, Rh: 44.0);
        var faults = new SensorFaults();
        var chip = new Sht3xEmulator(_ => (0, air.T, air.Rh), TimeProvider.System, faults, "i2c-1");
        using (var binding = new Iot.Device.Sht3x.Sht3x(chip.AsI2cDevice("i2c-1", Sht3xEmulator.DefaultAddress)))
        {
            Assert.Equal(21.5, binding.Temperature.DegreesCelsius, 1);
            (air, faults.CorruptAnswers) = ((30, 60), 1);
            Assert.Equal(21.5, binding.Temperature.DegreesCelsius, 1); // the old value, given as new: why our driver checks the CRC itself
        }

        using var ours = new Sht3xClimate(chip, "i2c-1", Sht3xEmulator.DefaultAddress);
        await ours.StartAsync(CancellationToken.None);
        Assert.Equal(30, (await ours.ReadAsync(CancellationToken.None))!.TemperatureC!.Value, 1);
        faults.CorruptAnswers = 1;
        var error = await Assert.ThrowsAsync<HardwareException>(() => ours.ReadAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.Checksum, error.Fault);
        Assert.Contains("i2c-1 0x44: CRC error on the SHT31's answer", error.Message, StringComparison.Ordinal);

        faults.Unplugged = true;
        Assert.Equal(HardwareFault.NoAnswer, (await Assert.ThrowsAsync<HardwareException>(() => ours.ReadAsync(CancellationToken.None))).Fault);
    }
}
