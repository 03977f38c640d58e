using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Bme280;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>The .NET IoT binding for the BME280 (Iot.Device.Bmxx80) over our seam, on our emulator that follows the datasheet.</summary>
public sealed class Bme280Tests
{
    [Theory]
    [InlineData(21.5, 1013.25, 44)]
    [InlineData(-5, 950, 85)]
    [InlineData(32, 1040, 20)]
    public void TheBinding_ReadsTemperaturePressureAndHumidity_FromOurEmulator(double celsius, double hpa, double percent)
    {
        var chip = new Bme280Emulator(_ => (celsius, hpa, percent), TimeProvider.System, bus: "i2c-1");
        using var bme = new Iot.Device.Bmxx80.Bme280(chip.AsI2cDevice("i2c-1", Bme280Emulator.DefaultAddress));
        bme.SetPowerMode(Iot.Device.Bmxx80.PowerMode.Bmx280PowerMode.Forced);

        var read = bme.Read();

        Assert.Equal(celsius, read.Temperature!.Value.DegreesCelsius, 1);
        Assert.Equal(hpa, read.Pressure!.Value.Hectopascals, 0);
        Assert.Equal(percent, read.Humidity!.Value.Percent, 0);
        Assert.True(chip.Measurements >= 1, "the binding made a forced measurement");
    }

    [Fact]
    public void TheChipId_Calibration_AndTheMeasuringBit_AreWhereTheDatasheetPutsThem()
    {
        var time = new VirtualTime(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        var chip = new Bme280Emulator(_ => (20, 1000, 50), time);
        var one = new byte[1];
        chip.Write([0xD0]);
        chip.Read(one);
        Assert.Equal(0x60, one[0]);

        var t1 = new byte[2];
        chip.Write([0x88]);
        chip.Read(t1);
        Assert.Equal(27504, t1[0] | (t1[1] << 8)); // dig_T1, little-endian

        chip.Write([0xF2, 0x01, 0xF4, 0b001_001_01]); // humidity ×1; temperature ×1, pressure ×1, forced
        chip.Write([0xF3]);
        chip.Read(one);
        Assert.Equal(0x08, one[0] & 0x08); // measuring: 1.25 + 2.3 + 2.875 + 2.875 = 9.3 ms
        time.Advance(TimeSpan.FromMilliseconds(9.3));
        chip.Write([0xF3]);
        chip.Read(one);
        Assert.Equal(0, one[0] & 0x08);
        chip.Write([0xF4]);
        chip.Read(one);
        Assert.Equal(0b001_001_00, one[0]); // back to sleep after a forced measurement
    }
}
