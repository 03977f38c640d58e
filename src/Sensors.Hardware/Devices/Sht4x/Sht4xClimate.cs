using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Sht4x;

/// <summary>
/// A Sensirion SHT4x (SHT40/41/45) read by the .NET IoT binding (Iot.Device.Sht4x) over our seam:
/// temperature and humidity at high repeatability. The start is a soft reset and the serial
/// number; a CRC error (the binding gives no value) is a <see cref="HardwareFault.Checksum"/>.
/// Humidity is cropped to 0–100 % (datasheet §4.6).
/// </summary>
public sealed class Sht4xClimate(II2cDevice device, string bus, int address, string model = "SHT41")
    : ClimateSensor<Iot.Device.Sht4x.Sht4x>(device, bus, address, model)
{
    public const int DefaultAddress = 0x44;

    public override async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = Binding;
        var (humidity, temperature) = await BindingCalls.RunAsync(Describe, Model, async () => await binding.ReadHumidityAndTemperatureAsync().ConfigureAwait(false)).ConfigureAwait(false);
        if (humidity is null || temperature is null)
        {
            throw new HardwareException(HardwareFault.Checksum, $"{Describe}: CRC error on the {Model}'s answer; noise on the wires or a loose contact.");
        }

        return new SensorSample(null, temperature.Value.DegreesCelsius, Math.Clamp(humidity.Value.Percent, 0, 100));
    }

    protected override Iot.Device.Sht4x.Sht4x Create(II2cDevice device, string bus, int address) => new(device.AsI2cDevice(bus, address));

    protected override string Start(Iot.Device.Sht4x.Sht4x binding)
    {
        binding.Reset();
        Thread.Sleep(1); // soft reset: 1 ms (§3.2)
        return $"serial 0x{binding.ReadSerialNumber():x8}";
    }
}
