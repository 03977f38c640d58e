using System.Runtime.InteropServices;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Linux;

/// <summary>
/// A serial port on /dev/tty* in raw mode (termios(3): cfmakeraw, 8N1, no flow control, CLOCAL
/// and CREAD), at 9600 baud for the MH-Z19B and the S8. Reads wait with poll(2), so a silent
/// sensor is a timeout, never a hang.
/// </summary>
public sealed unsafe class LinuxSerialPort : ISerialPort
{
    // struct termios on Linux (glibc, 32- and 64-bit): c_iflag, c_oflag, c_cflag, c_lflag (4 bytes
    // each), c_line, c_cc[32], then c_ispeed and c_ospeed: 60 bytes.
    private const int TermiosSize = 60;
    private const int CflagOffset = 8;
    private const int CcOffset = 17;
    private const int VTIME = 5;
    private const int VMIN = 6;
    private const uint CSTOPB = 0x40;
    private const uint CREAD = 0x80;
    private const uint PARENB = 0x100;
    private const uint CLOCAL = 0x800;
    private const uint CRTSCTS = 0x80000000;
    private const uint B9600 = 13;
    private const int TCSANOW = 0;
    private const int TCIFLUSH = 0;

    private readonly int _fd;

    public LinuxSerialPort(string port)
    {
        Describe = port;
        _fd = Libc.Open(port, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (_fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ENOENT or Libc.ENODEV or Libc.ENXIO => new HardwareException(HardwareFault.BusMissing, $"{port} does not exist: for the Pi's UART enable the serial port and disable the serial console (sudo raspi-config → Interface Options → Serial Port: login shell No, hardware Yes), then reboot; for a USB adapter check it is plugged in (ls /dev/ttyUSB*)."),
                Libc.EACCES or Libc.EPERM => new HardwareException(HardwareFault.PermissionDenied, $"{port}: permission denied. Add the service user to the dialout group (sudo usermod -aG dialout sensors) and restart the service."),
                Libc.EBUSY => new HardwareException(HardwareFault.Busy, $"{port} is in use by another program (a serial console?). Disable the login shell on the serial port with raspi-config."),
                _ => new HardwareException(HardwareFault.BusMissing, $"{port}: cannot open ({Libc.Describe(errno)})."),
            };
        }

        var termios = stackalloc byte[TermiosSize + 64];
        if (Libc.TcGetAttr(_fd, termios) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_fd);
            throw new HardwareException(HardwareFault.Protocol, $"{port} is not a serial port ({Libc.Describe(errno)}).");
        }

        Libc.CfMakeRaw(termios);
        var cflag = (uint*)(termios + CflagOffset);
        *cflag = (*cflag | CLOCAL | CREAD) & ~(CSTOPB | PARENB | CRTSCTS);
        termios[CcOffset + VMIN] = 0;
        termios[CcOffset + VTIME] = 0;
        if (Libc.CfSetSpeed(termios, B9600) < 0 || Libc.TcSetAttr(_fd, TCSANOW, termios) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_fd);
            throw new HardwareException(HardwareFault.Protocol, $"{port}: cannot set 9600 8N1 raw ({Libc.Describe(errno)}).");
        }
    }

    public string Describe { get; }

    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* buffer = data)
        {
            var offset = 0;
            while (offset < data.Length)
            {
                var written = Libc.Write(_fd, buffer + offset, (nuint)(data.Length - offset));
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Libc.EAGAIN or Libc.EINTR)
                    {
                        Thread.Sleep(1);
                        continue;
                    }

                    throw new HardwareException(HardwareFault.Protocol, $"{Describe}: write failed ({Libc.Describe(errno)}).");
                }

                offset += (int)written;
            }
        }
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        var ready = Libc.Poll(&poll, 1, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Libc.EINTR ? 0 : throw new HardwareException(HardwareFault.Protocol, $"{Describe}: poll failed ({Libc.Describe(errno)}).");
        }

        if (ready == 0)
        {
            return 0;
        }

        fixed (byte* target = buffer)
        {
            var read = Libc.Read(_fd, target, (nuint)buffer.Length);
            if (read < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is Libc.EAGAIN or Libc.EINTR ? 0 : throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: read failed ({Libc.Describe(errno)}); was the USB adapter unplugged?");
            }

            return (int)read;
        }
    }

    public void DiscardInput() => Libc.TcFlush(_fd, TCIFLUSH);

    public void Dispose() => Libc.Close(_fd);
}

/// <summary>The real buses of this Linux machine.</summary>
public sealed class LinuxBuses : IBusProvider
{
    public II2cDevice OpenI2c(string bus, int address) => new LinuxI2cDevice(bus, address);

    public ISerialPort OpenSerial(string port) => new LinuxSerialPort(port);

    public IReadOnlyList<string> I2cBuses() =>
        Directory.Exists("/dev") ? Directory.GetFiles("/dev", "i2c-*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>.NET IoT's SPI device on /dev/spidevB.C (its own access: an LED strip's binding is the only user).</summary>
    public System.Device.Spi.SpiDevice OpenSpi(string device, int clockFrequency)
    {
        if (!SpiNames.TryParse(device, out var bus, out var chipSelect))
        {
            throw new HardwareException(HardwareFault.BusMissing, $"{device}: not an SPI device name; expected spidev0.0 (bus 0, chip select 0).");
        }

        var path = $"/dev/spidev{bus}.{chipSelect}";
        if (!File.Exists(path))
        {
            throw new HardwareException(HardwareFault.BusMissing, $"{path} does not exist: SPI is not enabled. On a Raspberry Pi: sudo raspi-config → Interface Options → SPI → Yes, then reboot.");
        }

        return System.Device.Spi.SpiDevice.Create(new System.Device.Spi.SpiConnectionSettings(bus, chipSelect) { ClockFrequency = clockFrequency, Mode = System.Device.Spi.SpiMode.Mode0, DataBitLength = 8 });
    }
}
