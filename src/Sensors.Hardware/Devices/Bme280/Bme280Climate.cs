using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Bme280;

/// <summary>
/// A Bosch BME280 read by the .NET IoT binding (Iot.Device.Bmxx80) over our seam: temperature,
/// humidity and pressure in forced mode (one measurement on demand, then sleep: 0.1 µA between
/// readings), the binding's default oversampling. Its pressure is what the CO2 sensors of the
/// site compensate for. The start checks the chip id (0x60: a BMP280 answers 0x58 and has no
/// humidity) and reads the calibration.
/// </summary>
public sealed class Bme280Climate(II2cDevice device, string bus, int address)
    : ClimateSensor<Iot.Device.Bmxx80.Bme280>(device, bus, address, "BME280")
{
    /// <summary>SDO to GND; 0x77 with SDO to VDDIO.</summary>
    public const int DefaultAddress = 0x76;

    public override async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = Binding;
        var read = await BindingCalls.RunAsync(Describe, Model, () =>
        {
            binding.SetPowerMode(Iot.Device.Bmxx80.PowerMode.Bmx280PowerMode.Forced);
            return binding.ReadAsync();
        }).ConfigureAwait(false);
        if (read.Temperature is not { } t || read.Pressure is not { } p)
        {
            throw new HardwareException(HardwareFault.Protocol, $"{Describe}: the BME280 gave no temperature or pressure (a skipped measurement); check its power supply.");
        }

        return new SensorSample(null, t.DegreesCelsius, read.Humidity?.Percent, p.Hectopascals);
    }

    /// <summary>The binding's constructor checks the chip id and reads the calibration.</summary>
    protected override Iot.Device.Bmxx80.Bme280 Create(II2cDevice device, string bus, int address) => new(device.AsI2cDevice(bus, address));

    protected override string Start(Iot.Device.Bmxx80.Bme280 binding) => "chip id 0x60"; // the binding refuses any other
}
