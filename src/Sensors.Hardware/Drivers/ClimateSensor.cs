using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Drivers;

/// <summary>
/// A temperature and humidity (and pressure) sensor read through its .NET IoT binding over our
/// seam: what the SHT4x, SHT3x and BME280 drivers share. The binding is made at the first start
/// (its constructor talks to the chip), its calls keep our fault classification
/// (<see cref="BindingCalls"/>), and a reading every 10 s is plenty: indoor climate changes
/// slowly, and a chip that rests stays cool. No warm-up.
/// </summary>
public abstract class ClimateSensor<TBinding>(II2cDevice device, string bus, int address, string model) : ISensor
    where TBinding : class, IDisposable
{
    private TBinding? _binding;

    public string Model => model;

    public string Describe => device.Describe;

    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(10);

    public TimeSpan WarmUp => TimeSpan.Zero;

    /// <summary>The binding, once started.</summary>
    protected TBinding Binding => _binding ?? throw new InvalidOperationException($"Start the {model} first.");

    public Task<string> StartAsync(CancellationToken cancellationToken) => BindingCalls.RunBlockingAsync(Describe, model, () =>
    {
        _binding ??= Create(device, bus, address);
        return Start(_binding);
    }, cancellationToken);

    public abstract Task<SensorSample?> ReadAsync(CancellationToken cancellationToken);

    public void Dispose()
    {
        if (_binding is not null)
        {
            _binding.Dispose(); // it disposes the device it was given
        }
        else
        {
            device.Dispose();
        }
    }

    /// <summary>The binding on <paramref name="device"/> (usually <c>device.AsI2cDevice(bus, address)</c>).</summary>
    protected abstract TBinding Create(II2cDevice device, string bus, int address);

    /// <summary>What a start does after the binding is made; returns the sensor's identity for the log.</summary>
    protected abstract string Start(TBinding binding);
}
