using Sensors.Hardware.Bus;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Devices.Tca9548a;

/// <summary>
/// A TCA9548A on an emulated bus: its control register (written and read as one byte, any mask of
/// the eight channels) and the devices attached to each channel. A device behind it answers on the
/// main bus only while its channel is connected; two connected channels with a device at the same
/// address answer at once, and what the master reads is garbled, as on a real bus.
/// </summary>
public sealed class Tca9548aEmulator(string bus, int address = Tca9548a.DefaultAddress, SensorFaults? faults = null) : II2cDevice
{
    private readonly Dictionary<(int Channel, int Address), II2cDevice> _devices = [];

    public string Describe => $"{bus} 0x{address:x2}";

    /// <summary>The control register: bit N connects channel N.</summary>
    public byte Mask { get; private set; }

    /// <summary>Writes to the control register, for the tests.</summary>
    public int Writes { get; private set; }

    public SensorFaults Faults { get; } = faults ?? new SensorFaults();

    /// <summary>Spins this many times before a transfer through the multiplexer reaches its device: the start and address bits on a real bus, during which another master's select would win.</summary>
    public int AddressPhaseSpins { get; set; }

    public Tca9548aEmulator Attach(int channel, int deviceAddress, II2cDevice device)
    {
        _devices[(channel, deviceAddress)] = device;
        return this;
    }

    /// <summary>Whether a device is attached at <paramref name="deviceAddress"/> on any channel.</summary>
    public bool Serves(int deviceAddress) => _devices.Keys.Any(k => k.Address == deviceAddress);

    /// <summary>What the master reaches at <paramref name="deviceAddress"/> on the main bus through this multiplexer.</summary>
    public II2cDevice Route(int deviceAddress) => new Routed(this, deviceAddress);

    public void Write(ReadOnlySpan<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (data.Length != 1)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: the TCA9548A takes one control byte, not {data.Length}.");
        }

        Mask = data[0];
        Writes++;
    }

    public void Read(Span<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        data.Fill(Mask);
    }

    public void Dispose()
    {
    }

    private II2cDevice? Connected(int deviceAddress, out int count)
    {
        var connected = _devices.Where(d => d.Key.Address == deviceAddress && (Mask & (1 << d.Key.Channel)) != 0).Select(d => d.Value).ToList();
        count = connected.Count;
        return connected.FirstOrDefault();
    }

    private sealed class Routed(Tca9548aEmulator mux, int deviceAddress) : II2cDevice
    {
        public string Describe => $"{mux.Describe.Split(' ')[0]} 0x{deviceAddress:x2}";

        public void Write(ReadOnlySpan<byte> data)
        {
            Thread.SpinWait(mux.AddressPhaseSpins);
            Target().Write(data);
        }

        public void Read(Span<byte> data)
        {
            Thread.SpinWait(mux.AddressPhaseSpins);
            Target().Read(data);
            if (mux.Connected(deviceAddress, out var count) is not null && count > 1)
            {
                data.Fill(0xFF); // two devices drive SDA at once: the bits the master samples are nonsense
            }
        }

        public void Dispose()
        {
        }

        private II2cDevice Target() => mux.Connected(deviceAddress, out _)
            ?? throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: no answer (NACK): no connected channel of the TCA9548A at {mux.Describe} has a device at this address.");
    }
}
