using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Sht4x;

/// <summary>
/// A Sensirion SHT4x (SHT40/41/45) read by the .NET IoT binding (Iot.Device.Sht4x) over our seam:
/// temperature and humidity at high repeatability, every <see cref="MeasurementInterval"/>. The
/// start is a soft reset and the serial number; a CRC error (the binding gives no value) is a
/// <see cref="HardwareFault.Checksum"/>. Humidity is cropped to 0–100 % (datasheet §4.6).
/// </summary>
public sealed class Sht4xClimate(II2cDevice device, string bus, int address, string model = "SHT41") : ISensor
{
    public const int DefaultAddress = 0x44;

    private Iot.Device.Sht4x.Sht4x? _binding;

    public string Model => model;

    public string Describe => device.Describe;

    /// <summary>Indoor climate changes slowly; a reading every 10 s is plenty and keeps the chip cool.</summary>
    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(10);

    public TimeSpan WarmUp => TimeSpan.Zero;

    public Task<string> StartAsync(CancellationToken cancellationToken) => BindingCalls.RunBlockingAsync(Describe, model, () =>
    {
        _binding ??= new Iot.Device.Sht4x.Sht4x(device.AsI2cDevice(bus, address));
        _binding.Reset();
        Thread.Sleep(1); // soft reset: 1 ms (§3.2)
        return $"serial 0x{_binding.ReadSerialNumber():x8}";
    }, cancellationToken);

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = _binding ?? throw new InvalidOperationException("Start the sensor first.");
        var (humidity, temperature) = await BindingCalls.RunAsync(Describe, model, async () => await binding.ReadHumidityAndTemperatureAsync().ConfigureAwait(false)).ConfigureAwait(false);
        if (humidity is null || temperature is null)
        {
            throw new HardwareException(HardwareFault.Checksum, $"{Describe}: CRC error on the {model}'s answer; noise on the wires or a loose contact.");
        }

        return new SensorSample(null, temperature.Value.DegreesCelsius, Math.Clamp(humidity.Value.Percent, 0, 100));
    }

    public void Dispose()
    {
        if (_binding is not null)
        {
            _binding.Dispose();
        }
        else
        {
            device.Dispose();
        }
    }
}
