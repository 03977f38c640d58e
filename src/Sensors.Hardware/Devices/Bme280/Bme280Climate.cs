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
public sealed class Bme280Climate(II2cDevice device, string bus, int address) : ISensor
{
    /// <summary>SDO to GND; 0x77 with SDO to VDDIO.</summary>
    public const int DefaultAddress = 0x76;

    private Iot.Device.Bmxx80.Bme280? _binding;

    public string Model => "BME280";

    public string Describe => device.Describe;

    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(10);

    public TimeSpan WarmUp => TimeSpan.Zero;

    public Task<string> StartAsync(CancellationToken cancellationToken) => BindingCalls.RunBlockingAsync(Describe, Model, () =>
    {
        _binding ??= new Iot.Device.Bmxx80.Bme280(device.AsI2cDevice(bus, address));
        return "chip id 0x60"; // the binding refuses any other
    }, cancellationToken);

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = _binding ?? throw new InvalidOperationException("Start the sensor first.");
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
