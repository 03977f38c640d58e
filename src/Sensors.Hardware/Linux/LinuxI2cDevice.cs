using System.Runtime.InteropServices;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Linux;

/// <summary>
/// A device on /dev/i2c-N through the kernel's i2c-dev interface (Documentation/i2c/dev-interface):
/// open the bus, ioctl(I2C_SLAVE, address), then each read(2)/write(2) is one transfer with its
/// own start and stop, which is what the Sensirion sensors expect. Errors become
/// <see cref="HardwareException"/>s saying what an installer should do.
/// </summary>
public sealed unsafe class LinuxI2cDevice : II2cDevice
{
    private const nuint I2C_SLAVE = 0x0703;

    private readonly int _fd;

    public LinuxI2cDevice(string bus, int address)
    {
        var path = bus.StartsWith('/') ? bus : $"/dev/{bus}";
        Describe = $"{path} 0x{address:x2}";
        _fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ENOENT => new HardwareException(HardwareFault.BusMissing, $"{path} does not exist: I2C is not enabled. On a Raspberry Pi: sudo raspi-config → Interface Options → I2C → Yes, then reboot."),
                Libc.EACCES or Libc.EPERM => new HardwareException(HardwareFault.PermissionDenied, $"{path}: permission denied. Add the service user to the i2c group (sudo usermod -aG i2c sensors) and restart the service."),
                _ => new HardwareException(HardwareFault.BusMissing, $"{path}: cannot open ({Libc.Describe(errno)})."),
            };
        }

        if (Libc.Ioctl(_fd, I2C_SLAVE, address) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_fd);
            throw errno == Libc.EBUSY
                ? new HardwareException(HardwareFault.Busy, $"{Describe}: the address is claimed by a kernel driver (a dtoverlay for this sensor?). Remove it from /boot/config.txt or use another address.")
                : new HardwareException(HardwareFault.Protocol, $"{Describe}: cannot select the address ({Libc.Describe(errno)}).");
        }
    }

    public string Describe { get; }

    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* buffer = data)
        {
            var written = Libc.Write(_fd, buffer, (nuint)data.Length);
            if (written != data.Length)
            {
                throw Failure(written < 0 ? Marshal.GetLastPInvokeError() : Libc.EIO, "write");
            }
        }
    }

    public void Read(Span<byte> data)
    {
        fixed (byte* buffer = data)
        {
            var read = Libc.Read(_fd, buffer, (nuint)data.Length);
            if (read != data.Length)
            {
                throw Failure(read < 0 ? Marshal.GetLastPInvokeError() : Libc.EIO, "read");
            }
        }
    }

    public void Dispose() => Libc.Close(_fd);

    private HardwareException Failure(int errno, string what) => errno switch
    {
        Libc.ENXIO or Libc.EREMOTEIO or Libc.EIO => new HardwareException(HardwareFault.NoAnswer, $"{Describe}: no answer to {what} (NACK). Check the wiring (SDA, SCL, 3.3 V, GND), the address, or that the sensor is not still busy."),
        Libc.EAGAIN or Libc.EBUSY or Libc.ETIMEDOUT => new HardwareException(HardwareFault.Busy, $"{Describe}: the bus is busy ({Libc.Describe(errno)}); a sensor may be holding SCL low. Power-cycle the sensors if it lasts."),
        _ => new HardwareException(HardwareFault.Protocol, $"{Describe}: {what} failed ({Libc.Describe(errno)})."),
    };
}
