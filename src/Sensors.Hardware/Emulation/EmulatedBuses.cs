using Sensors.Hardware.Devices.SenseAirS8;
using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Devices.Scd30;
using Sensors.Hardware.Devices.Mhz19b;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Bme280;
using Sensors.Hardware.Devices.Sht3x;
using Sensors.Hardware.Devices.Sht4x;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Devices.Tca9548a;

namespace Sensors.Hardware.Emulation;

/// <summary>
/// Buses made of emulators, for tests, the demo's "hardware" classroom and `sensors doctor`'s
/// own tests: devices are registered at a bus and address (I2C) or a port (serial). Opening an
/// address nobody answers gives a device that NACKs; a bus or port that does not exist fails
/// like the Linux one.
/// </summary>
public sealed class EmulatedBuses : IBusProvider
{
    private readonly Dictionary<(string Bus, int Address), II2cDevice> _i2c = [];
    private readonly Dictionary<string, ISerialPort> _serial = new(StringComparer.Ordinal);
    private readonly HashSet<string> _buses = new(StringComparer.Ordinal);
    private readonly List<(string Bus, Tca9548aEmulator Mux)> _muxes = [];
    private readonly Dictionary<(int Bus, int ChipSelect), System.Device.Spi.SpiDevice> _spi = [];

    public EmulatedBuses AddBus(string bus)
    {
        _buses.Add(Name(bus));
        return this;
    }

    public EmulatedBuses Add(string bus, int address, II2cDevice device)
    {
        _buses.Add(Name(bus));
        _i2c[(Name(bus), address)] = device;
        return this;
    }

    public EmulatedBuses Add(string port, ISerialPort device)
    {
        _serial[port] = device;
        return this;
    }

    /// <summary>The TCA9548A at <paramref name="address"/> on <paramref name="bus"/>, added the first time it is asked for.</summary>
    public Tca9548aEmulator Multiplexer(string bus, int address = Tca9548a.DefaultAddress)
    {
        var found = _muxes.FirstOrDefault(m => m.Bus == Name(bus) && m.Mux.Describe == $"{Name(bus)} 0x{address:x2}").Mux;
        if (found is not null)
        {
            return found;
        }

        var mux = new Tca9548aEmulator(Name(bus), address);
        _muxes.Add((Name(bus), mux));
        Add(bus, address, mux);
        return mux;
    }

    /// <summary>
    /// An emulator of the right kind for <paramref name="location"/>, measuring <paramref name="air"/>
    /// (behind a multiplexer's channel when its bus names one: i2c-1/0x70:2); a BME280 measures
    /// <paramref name="pressureHpa"/> too (sea level's standard 1013.25 hPa when not given).
    /// </summary>
    public EmulatedBuses Emulate(SensorLocation location, Air air, TimeProvider time, SensorFaults? faults = null, Func<DateTimeOffset, double>? pressureHpa = null)
    {
        var model = SensorModels.Normalise(location.Model);
        if (!SensorModels.IsI2c(model))
        {
            return model switch
            {
                "MH-Z19B" => Add(location.Bus, new Mhz19bEmulator(air, time, faults, location.Bus)),
                "S8" => Add(location.Bus, new SenseAirS8Emulator(air, time, faults, location.Bus)),
                _ => throw new ArgumentException($"No emulator for '{location.Model}'.", nameof(location)),
            };
        }

        var behindMux = MuxPaths.TryParse(location.Bus, out var main, out var muxAddress, out var channel);
        var bus = behindMux ? main : location.Bus;
        var address = location.Address ?? SensorModels.DefaultAddress(model);
        II2cDevice device = SensorModels.Family(model) switch
        {
            "SCD4x" => new Scd4xEmulator(air, time, faults, Name(bus), serialNumber: StableSerial($"{location.Bus} {location.Address}"), scd41: model == "SCD41"),
            "SCD30" => new Scd30Emulator(air, time, faults, Name(bus)),
            "SHT4x" => new Sht4xEmulator(air, time, faults, Name(bus), (uint)StableSerial($"{location.Bus} {location.Address}")),
            "SHT3x" => new Sht3xEmulator(air, time, faults, Name(bus), address),
            "BME280" => new Bme280Emulator(at => (air(at).TemperatureC, pressureHpa?.Invoke(at) ?? 1013.25, air(at).HumidityPct), time, faults, Name(bus)),
            _ => throw new ArgumentException($"No emulator for '{location.Model}'.", nameof(location)),
        };
        if (behindMux)
        {
            Multiplexer(main, muxAddress).Attach(channel, address, device);
            return this;
        }

        return Add(location.Bus, address, device);
    }

    public II2cDevice OpenI2c(string bus, int address)
    {
        var name = Name(bus);
        if (!_buses.Contains(name))
        {
            throw new HardwareException(HardwareFault.BusMissing, $"/dev/{name} does not exist: I2C is not enabled. On a Raspberry Pi: sudo raspi-config → Interface Options → I2C → Yes, then reboot.");
        }

        if (_i2c.TryGetValue((name, address), out var device))
        {
            return device;
        }

        return _muxes.FirstOrDefault(m => m.Bus == name && m.Mux.Serves(address)).Mux?.Route(address) ?? new Absent($"/dev/{name} 0x{address:x2}");
    }

    public ISerialPort OpenSerial(string port) => _serial.TryGetValue(port, out var device)
        ? device
        : throw new HardwareException(HardwareFault.BusMissing, $"{port} does not exist: check the adapter is plugged in (ls /dev/ttyUSB*) or that the UART is enabled.");

    public IReadOnlyList<string> I2cBuses() => _buses.Order(StringComparer.Ordinal).ToList();

    /// <summary>An emulated SPI device (an LED strip's) at "spidev0.0".</summary>
    public EmulatedBuses AddSpi(string device, System.Device.Spi.SpiDevice emulator)
    {
        _spi[SpiNames.TryParse(device, out var bus, out var chipSelect) ? (bus, chipSelect) : throw new ArgumentException($"Not an SPI device name: '{device}'.", nameof(device))] = emulator;
        return this;
    }

    public System.Device.Spi.SpiDevice OpenSpi(string device, int clockFrequency)
    {
        if (SpiNames.TryParse(device, out var bus, out var chipSelect) && _spi.TryGetValue((bus, chipSelect), out var emulator))
        {
            emulator.ConnectionSettings.ClockFrequency = clockFrequency;
            return emulator;
        }

        throw new HardwareException(HardwareFault.BusMissing, $"/dev/spidev{bus}.{chipSelect} does not exist: SPI is not enabled. On a Raspberry Pi: sudo raspi-config → Interface Options → SPI → Yes, then reboot.");
    }

    /// <summary>A 48-bit serial number that is the same for the same place on every run (FNV-1a).</summary>
    private static ulong StableSerial(string place)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in place)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash & 0xFFFF_FFFF_FFFF;
    }

    private static string Name(string bus) => bus.StartsWith("/dev/", StringComparison.Ordinal) ? bus[5..] : bus;

    /// <summary>Nothing at this address: every transfer is NACKed.</summary>
    private sealed class Absent(string describe) : II2cDevice
    {
        public string Describe => describe;

        public void Write(ReadOnlySpan<byte> data) => throw new HardwareException(HardwareFault.NoAnswer, $"{describe}: no answer (NACK): nothing at this address.");

        public void Read(Span<byte> data) => throw new HardwareException(HardwareFault.NoAnswer, $"{describe}: no answer (NACK): nothing at this address.");

        public void Dispose()
        {
        }
    }
}
