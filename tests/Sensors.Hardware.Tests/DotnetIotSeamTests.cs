using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>
/// Our I2C seam and .NET IoT's I2cDevice, both ways: our driver on an I2cDevice, a binding of
/// Iot.Device.Bindings on our emulator, and our fault (with the installer's advice) reaching
/// whoever called, through either.
/// </summary>
public sealed class DotnetIotSeamTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task OurScd4xDriver_RunsOnAnI2cDevice_ThroughBothAdapters()
    {
        var time = new VirtualTime(Start);
        var chip = new Scd4xEmulator(_ => (845, 21.5, 44), time, bus: "i2c-1");
        using var dotnet = chip.AsI2cDevice("i2c-1", Scd4x.DefaultAddress); // .NET IoT's view of our emulator
        var seam = dotnet.AsSeam("i2c-1 0x62");                                 // and ours of that I2cDevice
        var sensor = new Scd4x(seam, time);

        Assert.Equal(1, dotnet.ConnectionSettings.BusId);
        Assert.Equal(0x62, dotnet.ConnectionSettings.DeviceAddress);
        Assert.Equal("serial 1a2b3c4d5e6f", await sensor.StartAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(5));
        var sample = await sensor.ReadAsync(CancellationToken.None);
        Assert.Equal(845, sample!.Co2Ppm);

        await sensor.SetAmbientPressureAsync(101_325, CancellationToken.None);
        Assert.Equal(1013, chip.AmbientPressureHpa);
    }

    [Fact]
    public void TheBindingsScd4x_RunsOnOurEmulator_WhichShowsItSendsNoPressure()
    {
        // The binding sleeps in real time between commands: the emulator keeps real time too.
        var chip = new Scd4xEmulator(_ => (845, 21.5, 44), TimeProvider.System, bus: "i2c-1");
        using var binding = new Iot.Device.Scd4x.Scd4x(chip.AsI2cDevice("i2c-1", Scd4x.DefaultAddress));

        binding.StopPeriodicMeasurements();
        binding.SetPressureCalibration(UnitsNet.Pressure.FromPascals(101_325));

        Assert.Contains(Scd4x.SetAmbientPressureCommand, chip.Commands);
        // What shared/DESIGN.md measured, seen on the emulator: 0 hPa for 101,325 Pa (ours sends 1013).
        Assert.Equal(0, chip.AmbientPressureHpa);
    }

    [Fact]
    public void OurFault_ReachesABinding_Unchanged_AndAnI2cDevicesIOException_ReachesOurDriver_AsOne()
    {
        var faults = new SensorFaults { Unplugged = true };
        var chip = new Scd4xEmulator(_ => (845, 21.5, 44), TimeProvider.System, faults, "i2c-1");

        // The binding talks to the sensor as it is made: our fault, with its advice, is what it meets.
        var error = Assert.Throws<HardwareException>(() => new Iot.Device.Scd4x.Scd4x(chip.AsI2cDevice("i2c-1", Scd4x.DefaultAddress)));
        Assert.Equal(HardwareFault.NoAnswer, error.Fault);
        Assert.Contains("unplugged", error.Message, StringComparison.Ordinal);

        using var failing = new FailingI2cDevice();
        var seam = failing.AsSeam("i2c-3 0x44 (TCA9548A channel 2)");
        var fromDotnet = Assert.Throws<HardwareException>(() => seam.Write([0xFD]));
        Assert.Equal(HardwareFault.NoAnswer, fromDotnet.Fault);
        Assert.StartsWith("i2c-3 0x44 (TCA9548A channel 2): no answer (Error 121 performing I2C data transfer.)", fromDotnet.Message, StringComparison.Ordinal);
        Assert.Contains("sensors doctor", fromDotnet.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i2c-1", 1)]
    [InlineData("/dev/i2c-22", 22)]
    [InlineData("emulated-i2c", 0)]
    public void BusIds_AreReadFromTheBusName(string bus, int id) => Assert.Equal(id, DotnetIotSeam.BusId(bus));

    /// <summary>An I2cDevice whose transfers fail as Linux's does on a NACK (EREMOTEIO, 121).</summary>
    private sealed class FailingI2cDevice : System.Device.I2c.I2cDevice
    {
        public override System.Device.I2c.I2cConnectionSettings ConnectionSettings { get; } = new(3, 0x44);

        public override byte ReadByte() => throw Nack();

        public override void Read(Span<byte> buffer) => throw Nack();

        public override void WriteByte(byte value) => throw Nack();

        public override void Write(ReadOnlySpan<byte> buffer) => throw Nack();

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => throw Nack();

        private static IOException Nack() => new("Error 121 performing I2C data transfer.");
    }
}
