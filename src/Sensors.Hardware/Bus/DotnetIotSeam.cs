using System.Device.I2c;

namespace Sensors.Hardware.Bus;

/// <summary>
/// Our I2C seam and .NET IoT's, both ways. <see cref="I2cDevice"/> is what every .NET IoT binding
/// speaks (Iot.Device.Bindings: TCA9548A, SHT4x, BME280, displays…); <see cref="II2cDevice"/> is
/// ours, behind which sit our Linux access (whose errors carry the fault and the installer's fix)
/// and our emulators. <see cref="AsI2cDevice"/> lets a binding run on either;
/// <see cref="AsSeam"/> lets our drivers run on any I2cDevice (a multiplexer's channel, another
/// platform's bus).
/// </summary>
public static class DotnetIotSeam
{
    /// <summary>Ours as .NET IoT's: one transfer per call, a <see cref="HardwareException"/> passes through unchanged.</summary>
    public static I2cDevice AsI2cDevice(this II2cDevice device, string bus, int address) => new SeamAsI2cDevice(device, BusId(bus), address);

    /// <summary>.NET IoT's as ours: its IOException becomes a <see cref="HardwareException"/> (NoAnswer) naming the device.</summary>
    public static II2cDevice AsSeam(this I2cDevice device, string describe) => new I2cDeviceAsSeam(device, describe);

    /// <summary>
    /// .NET's SerialPort as our serial seam (opened here at 9600 8N1 if it is not open): our serial
    /// drivers run on it; its errors become <see cref="HardwareException"/>s that say what to check.
    /// </summary>
    public static ISerialPort AsSeam(this System.IO.Ports.SerialPort port)
    {
        if (!port.IsOpen)
        {
            try
            {
                port.Open();
            }
            catch (UnauthorizedAccessException error)
            {
                throw new HardwareException(HardwareFault.PermissionDenied, $"{port.PortName}: permission denied ({error.Message}): add the service user to the dialout group (sudo usermod -aG dialout sensors).", error);
            }
            catch (IOException error)
            {
                throw new HardwareException(HardwareFault.BusMissing, $"{port.PortName}: cannot be opened ({error.Message}): check the adapter is plugged in (ls /dev/ttyUSB*) or that the UART is enabled.", error);
            }
        }

        return new SerialPortAsSeam(port);
    }

    /// <summary>"i2c-1", "/dev/i2c-1" → 1 (the bus id of I2cConnectionSettings).</summary>
    public static int BusId(string bus) =>
        int.TryParse(bus.AsSpan(bus.LastIndexOf('-') + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : 0;

    private sealed class SeamAsI2cDevice(II2cDevice device, int busId, int address) : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings { get; } = new(busId, address);

        public override byte ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            device.Read(one);
            return one[0];
        }

        public override void Read(Span<byte> buffer) => device.Read(buffer);

        public override void WriteByte(byte value) => device.Write([value]);

        public override void Write(ReadOnlySpan<byte> buffer) => device.Write(buffer);

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => device.WriteRead(writeBuffer, readBuffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                device.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class SerialPortAsSeam(System.IO.Ports.SerialPort port) : ISerialPort
    {
        public string Describe => port.PortName;

        public void Write(ReadOnlySpan<byte> data)
        {
            try
            {
                port.BaseStream.Write(data);
            }
            catch (Exception error) when (error is IOException or InvalidOperationException or TimeoutException)
            {
                throw new HardwareException(HardwareFault.NoAnswer, $"{port.PortName}: cannot write ({error.Message}): check the adapter is still plugged in.", error);
            }
        }

        public int Read(Span<byte> buffer, TimeSpan timeout)
        {
            port.ReadTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalMilliseconds));
            try
            {
                return port.BaseStream.Read(buffer);
            }
            catch (TimeoutException)
            {
                return 0;
            }
            catch (Exception error) when (error is IOException or InvalidOperationException)
            {
                throw new HardwareException(HardwareFault.NoAnswer, $"{port.PortName}: cannot read ({error.Message}): check the adapter is still plugged in.", error);
            }
        }

        public void DiscardInput() => port.DiscardInBuffer();

        public void Dispose() => port.Dispose();
    }

    private sealed class I2cDeviceAsSeam(I2cDevice device, string describe) : II2cDevice
    {
        public string Describe => describe;

        public void Write(ReadOnlySpan<byte> data)
        {
            try
            {
                device.Write(data);
            }
            catch (IOException error)
            {
                throw NoAnswer(error);
            }
        }

        public void Read(Span<byte> data)
        {
            try
            {
                device.Read(data);
            }
            catch (IOException error)
            {
                throw NoAnswer(error);
            }
        }

        public void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
        {
            try
            {
                device.WriteRead(write, read);
            }
            catch (IOException error)
            {
                throw NoAnswer(error);
            }
        }

        public void Dispose() => device.Dispose();

        private HardwareException NoAnswer(IOException error) =>
            new(HardwareFault.NoAnswer, $"{describe}: no answer ({error.Message}). Check the wiring (SDA, SCL, power, GND) and the address; `sensors doctor` lists what answers.", error);
    }
}
