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
public sealed class Sht3xClimate(II2cDevice device, string bus, int address, string model = "SHT31")
    : ClimateSensor<Iot.Device.Sht3x.Sht3x>(device, bus, address, model)
{
    public const int DefaultAddress = 0x44;

    public override Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var binding = Binding;
        return BindingCalls.RunBlockingAsync<SensorSample?>(Describe, Model, () =>
        {
            var celsius = binding.Temperature.DegreesCelsius;
            var percent = binding.Humidity.Percent;
            return new SensorSample(null, celsius, percent);
        }, cancellationToken);
    }

    /// <summary>The binding's constructor is the soft reset; its answers pass through our CRC check.</summary>
    protected override Iot.Device.Sht3x.Sht3x Create(II2cDevice device, string bus, int address) => new(new AnswerCheck(device, Model).AsI2cDevice(bus, address));

    /// <summary>The heater is turned off: one left on by a crash reads 2–10 °C too warm.</summary>
    protected override string Start(Iot.Device.Sht3x.Sht3x binding)
    {
        binding.Heater = false;
        return "soft reset, heater off";
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
