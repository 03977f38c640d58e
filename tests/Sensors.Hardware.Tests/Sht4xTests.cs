using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Sht4x;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>The .NET IoT binding for the SHT4x (Iot.Device.Sht4x) over our seam, on our emulator that follows the datasheet.</summary>
public sealed class Sht4xTests
{
    [Fact]
    public void TheBinding_ReadsTemperatureHumidityAndSerial_FromOurEmulator_ThroughTheSeam()
    {
        var chip = new Sht4xEmulator(_ => (0, 21.5, 44), TimeProvider.System, bus: "i2c-1");
        using var sht = new Iot.Device.Sht4x.Sht4x(chip.AsI2cDevice("i2c-1", Sht4xEmulator.DefaultAddress));

        var (humidity, temperature) = sht.ReadHumidityAndTemperature();

        Assert.NotNull(temperature);
        Assert.NotNull(humidity);
        Assert.Equal(21.5, temperature.Value.DegreesCelsius, 1); // one step of S_T is 0.0027 °C
        Assert.Equal(44, humidity.Value.Percent, 1);
        Assert.Equal(0x0F7A_2C11, sht.ReadSerialNumber());
        Assert.Contains((byte)0xFD, chip.Commands); // high repeatability, the binding's default
    }

    [Fact]
    public void TheEmulator_NacksAReadWhileItMeasures_AndAnswersWithTheDatasheetsConversionAndCrc()
    {
        var time = new VirtualTime(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        var chip = new Sht4xEmulator(_ => (0, 25, 50), time);
        var answer = new byte[6];

        chip.Write([0xFD]);
        var early = Assert.Throws<HardwareException>(() => chip.Read(answer));
        Assert.Contains("still measuring", early.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMilliseconds(8.3));
        chip.Read(answer);
        var t = (answer[0] << 8) | answer[1];
        var rh = (answer[3] << 8) | answer[4];
        Assert.Equal(25, -45 + (175.0 * t / 65535), 2);
        Assert.Equal(50, -6 + (125.0 * rh / 65535), 2);
        Assert.Equal(SensirionCrc.Compute(answer.AsSpan(0, 2)), answer[2]);
        Assert.Equal(SensirionCrc.Compute(answer.AsSpan(3, 2)), answer[5]);
        Assert.Throws<HardwareException>(() => chip.Read(answer)); // taken: nothing waits any more
        Assert.Throws<HardwareException>(() => chip.Write([0x42]));  // not a command
    }

    [Fact]
    public void ACorruptedAnswer_IsRefusedByTheBinding_AndAnUnpluggedSensorsFault_ReachesIt()
    {
        var faults = new SensorFaults { CorruptAnswers = 1 };
        var chip = new Sht4xEmulator(_ => (0, 21.5, 44), TimeProvider.System, faults, "i2c-1");
        using var sht = new Iot.Device.Sht4x.Sht4x(chip.AsI2cDevice("i2c-1", Sht4xEmulator.DefaultAddress));

        var (humidity, temperature) = sht.ReadHumidityAndTemperature();
        Assert.True(temperature is null || humidity is null, "a wrong CRC must not give a reading");

        faults.Unplugged = true;
        var error = Assert.Throws<HardwareException>(() => sht.ReadHumidityAndTemperature());
        Assert.Equal(HardwareFault.NoAnswer, error.Fault);
    }
}
