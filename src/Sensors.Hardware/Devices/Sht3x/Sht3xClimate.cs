using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Sht3x;

/// <summary>
/// A Sensirion SHT3x (SHT30/31/35) read by the .NET IoT binding (Iot.Device.Sht3x) over our seam.
/// The binding keeps its previous values when an answer fails its CRC, silently; so the answers
/// pass through <see cref="AnswerCheck"/>, which checks both CRCs itself and raises a
/// <see cref="HardwareFault.Checksum"/>: a stale value is never sent on as a new one. The binding
/// measures once for the temperature and once more for the humidity (20 ms each).
/// </summary>
public sealed class Sht3xClimate(II2cDevice device, string bus, int address, string model = "SHT31") : ISensor
{
    public const int DefaultAddress = 0x44;

    private Iot.Device.Sht3x.Sht3x? _binding;

    public string Model => model;

    public string Describe => device.Describe;

    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(10);

    public TimeSpan WarmUp => TimeSpan.Zero;

    /// <summary>The binding's constructor is the soft reset; the heater is turned off (a heater left on by a crash reads 2–10 °C too warm).</summary>
    public Task<string> StartAsync(CancellationToken cancellationToken) => BindingCalls.RunBlockingAsync(Describe, model, () =>
    {
        _binding ??= new Iot.Device.Sht3x.Sht3x(new AnswerCheck(device, model).AsI2cDevice(bus, address));
        _binding.Heater = false;
        return "soft reset, heater off";
    }, cancellationToken);

    public Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = _binding ?? throw new InvalidOperationException("Start the sensor first.");
        return BindingCalls.RunBlockingAsync<SensorSample?>(Describe, model, () =>
        {
            var celsius = binding.Temperature.DegreesCelsius;
            var percent = binding.Humidity.Percent;
            return new SensorSample(null, celsius, percent);
        }, cancellationToken);
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

    /// <summary>Checks the CRC of each word of a measurement's answer (§4.12) before the binding sees it.</summary>
    private sealed class AnswerCheck(II2cDevice inner, string model) : II2cDevice
    {
        public string Describe => inner.Describe;

        public void Write(ReadOnlySpan<byte> data) => inner.Write(data);

        public void Read(Span<byte> data)
        {
            inner.Read(data);
            for (var i = 0; i + 2 < data.Length; i += 3)
            {
                if (SensirionCrc.Compute(data.Slice(i, 2)) != data[i + 2])
                {
                    throw new HardwareException(HardwareFault.Checksum, $"{inner.Describe}: CRC error on the {model}'s answer; noise on the wires or a loose contact.");
                }
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
