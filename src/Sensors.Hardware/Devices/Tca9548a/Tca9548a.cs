using System.Runtime.CompilerServices;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Tca9548a;

/// <summary>
/// The TCA9548A I2C multiplexer (TI datasheet SCPS207: one control register, written and read as
/// one byte; bit N connects channel N's SDA/SCL to the main bus; address 0x70–0x77 by A2–A0).
/// Several sensors at the same address (every SCD4x is 0x62) sit on different channels; a sensor
/// behind it is reached through <see cref="Channel"/>: each transfer selects its channel (one
/// write, none when it is already selected) and is made while no other transfer can select
/// another, so that sensors on several channels can be read at the same time. A sensor keeps the
/// command it was sent while the bus serves others (other channels are disconnected from it), so
/// a command and its answer need not be held together.
/// </summary>
public sealed class Tca9548a(II2cDevice control)
{
    public const int DefaultAddress = 0x70;
    public const int Channels = 8;

    private readonly Lock _gate = new();
    private int _selected = -1;

    /// <summary>"i2c-1 0x70".</summary>
    public string Describe => control.Describe;

    /// <summary>Connects only <paramref name="channel"/> to the main bus.</summary>
    public void Select(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        lock (_gate)
        {
            SelectLocked(channel);
        }
    }

    /// <summary>Selects <paramref name="channel"/> and makes <paramref name="transfer"/> before any other transfer can select another.</summary>
    private void OnChannel<TState>(int channel, TState state, TransferAction<TState> transfer)
        where TState : allows ref struct
    {
        lock (_gate)
        {
            SelectLocked(channel);
            transfer(state);
        }
    }

    private delegate void TransferAction<TState>(TState state)
        where TState : allows ref struct;

    private void SelectLocked(int channel)
    {
        if (_selected == channel)
        {
            return;
        }

        try
        {
            control.Write([(byte)(1 << channel)]);
        }
        catch (HardwareException error)
        {
            _selected = -1;
            throw new HardwareException(error.Fault, $"{control.Describe}: the TCA9548A multiplexer does not answer, so channel {channel} cannot be selected ({error.Message}). Check its wiring (SDA, SCL, VCC, GND, RESET held high) and its address (A0–A2).", error);
        }

        _selected = channel;
    }

    /// <summary>The control register: which channels are connected (bit N, channel N).</summary>
    public int ReadMask()
    {
        Span<byte> mask = stackalloc byte[1];
        control.Read(mask);
        return mask[0];
    }

    /// <summary>Forgets which channel is selected (after a reset, or another program used the multiplexer).</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _selected = -1;
        }
    }

    /// <summary><paramref name="device"/> (opened on the main bus) as it is reached on <paramref name="channel"/>.</summary>
    public II2cDevice Channel(int channel, II2cDevice device) => new ChannelDevice(this, channel, device);

    private sealed class ChannelDevice(Tca9548a mux, int channel, II2cDevice device) : II2cDevice
    {
        public string Describe => $"{device.Describe} (TCA9548A {mux.Describe.Split(' ').Last()} channel {channel})";

        public void Write(ReadOnlySpan<byte> data) => mux.OnChannel(channel, data, d => device.Write(d));

        public void Read(Span<byte> data) => mux.OnChannel(channel, data, d => device.Read(d));

        public void Dispose() => device.Dispose();
    }
}

/// <summary>
/// "i2c-1/0x70:2": a bus behind a multiplexer's channel, as a site file's sensor names it (bus
/// i2c-1, mux 0x70, channel 2), and the multiplexers of each bus provider, one per bus and address,
/// shared by every sensor behind them.
/// </summary>
public static class MuxPaths
{
    private static readonly ConditionalWeakTable<IBusProvider, Dictionary<(string Bus, int Address), Tca9548a>> Muxes = [];

    /// <summary>"i2c-1/0x70:2" for a sensor on <paramref name="channel"/> of the multiplexer at <paramref name="mux"/> on <paramref name="bus"/>.</summary>
    public static string Of(string bus, int mux, int channel) => $"{bus}/0x{mux:x2}:{channel}";

    public static bool TryParse(string path, out string bus, out int mux, out int channel)
    {
        (bus, mux, channel) = (path, 0, 0);
        var slash = path.IndexOf('/', path.StartsWith("/dev/", StringComparison.Ordinal) ? 5 : 0);
        var colon = path.LastIndexOf(':');
        if (slash < 0 || colon < slash
            || Drivers.SensorModels.ParseAddress(path[(slash + 1)..colon]) is not { } address
            || !int.TryParse(path.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ch) || ch >= Tca9548a.Channels)
        {
            return false;
        }

        (bus, mux, channel) = (path[..slash], address, ch);
        return true;
    }

    /// <summary>The multiplexer at <paramref name="address"/> on <paramref name="bus"/> of <paramref name="buses"/>, the same one each time.</summary>
    public static Tca9548a Mux(IBusProvider buses, string bus, int address)
    {
        var muxes = Muxes.GetOrCreateValue(buses);
        lock (muxes)
        {
            var key = (bus.StartsWith("/dev/", StringComparison.Ordinal) ? bus[5..] : bus, address);
            if (!muxes.TryGetValue(key, out var mux))
            {
                muxes[key] = mux = new Tca9548a(buses.OpenI2c(bus, address));
            }

            return mux;
        }
    }

    /// <summary>The device at <paramref name="address"/> on <paramref name="path"/>: on the bus itself, or behind a multiplexer's channel.</summary>
    public static II2cDevice Open(IBusProvider buses, string path, int address) =>
        TryParse(path, out var bus, out var mux, out var channel)
            ? Mux(buses, bus, mux).Channel(channel, buses.OpenI2c(bus, address))
            : buses.OpenI2c(path, address);

}
