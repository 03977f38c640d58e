namespace Sensors.Hardware.Bus;

/// <summary>
/// One device on an I2C bus: the seam between a driver and the hardware. The Linux implementation
/// talks to /dev/i2c-N; an emulator implements it in memory. Each call is one I2C transfer
/// (start, address, bytes, stop); failures are <see cref="HardwareException"/>.
/// </summary>
public interface II2cDevice : IDisposable
{
    /// <summary>"i2c-1 0x62": for log lines.</summary>
    string Describe { get; }

    void Write(ReadOnlySpan<byte> data);

    void Read(Span<byte> data);

    /// <summary>A write then a read (a register's address, then its value), as .NET IoT's I2cDevice.WriteRead.</summary>
    void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
    {
        Write(write);
        Read(read);
    }
}

/// <summary>A serial port in raw mode (9600 8N1 for our sensors): the seam between a driver and /dev/tty*.</summary>
public interface ISerialPort : IDisposable
{
    /// <summary>"/dev/ttyAMA0": for log lines.</summary>
    string Describe { get; }

    void Write(ReadOnlySpan<byte> data);

    /// <summary>Reads what has arrived, waiting at most <paramref name="timeout"/> for the first byte; 0 when nothing came.</summary>
    int Read(Span<byte> buffer, TimeSpan timeout);

    /// <summary>Drops bytes received but not read (a late answer to an earlier request).</summary>
    void DiscardInput();
}

/// <summary>Opens the buses named in a site file: Linux device files, or emulators.</summary>
public interface IBusProvider
{
    /// <param name="bus">"i2c-1" or "/dev/i2c-1".</param>
    II2cDevice OpenI2c(string bus, int address);

    /// <param name="port">"/dev/ttyAMA0", "/dev/ttyUSB0"…</param>
    ISerialPort OpenSerial(string port);

    /// <summary>The I2C buses present ("i2c-1", …), for `sensors doctor`.</summary>
    IReadOnlyList<string> I2cBuses();

    /// <summary>An SPI device as .NET IoT speaks it (an LED strip's binding writes to it), mode 0, 8-bit words, at <paramref name="clockFrequency"/> Hz.</summary>
    /// <param name="device">"spidev0.0" or "/dev/spidev0.0": bus 0, chip select 0.</param>
    System.Device.Spi.SpiDevice OpenSpi(string device, int clockFrequency);
}

/// <summary>Names of SPI devices as the site file writes them.</summary>
public static class SpiNames
{
    /// <summary>"spidev0.0", "/dev/spidev1.2" → (0, 0), (1, 2); false for anything else.</summary>
    public static bool TryParse(string? device, out int bus, out int chipSelect)
    {
        (bus, chipSelect) = (0, 0);
        var name = device?.Trim() ?? string.Empty;
        name = name.StartsWith("/dev/", StringComparison.Ordinal) ? name[5..] : name;
        if (!name.StartsWith("spidev", StringComparison.Ordinal) || name[6..].Split('.') is not [var b, var c])
        {
            return false;
        }

        return int.TryParse(b, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bus)
            && int.TryParse(c, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out chipSelect);
    }
}
