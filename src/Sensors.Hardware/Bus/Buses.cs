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
}
