using Sensors.Hardware.Devices.Mhz19b;
using System.Runtime.InteropServices;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Hardware.Linux;

namespace Sensors.Hardware.Tests;

/// <summary>
/// The Linux access itself. No I2C bus exists here, so its errors are checked; the serial port is
/// checked for real on a pseudo-terminal: the driver opens the pty's slave side as /dev/pts/N
/// (termios raw 9600 8N1, poll timeouts), and an MH-Z19B emulator answers on the master side.
/// </summary>
public sealed partial class LinuxBusTests
{
    [Fact]
    public void MissingI2cBus_SaysToEnableI2c()
    {
        var error = Assert.Throws<HardwareException>(() => new LinuxI2cDevice("i2c-97", 0x62));
        Assert.Equal(HardwareFault.BusMissing, error.Fault);
        Assert.Contains("/dev/i2c-97 does not exist: I2C is not enabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("raspi-config", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSerialPort_SaysWhatToCheck_AndAFileIsNotASerialPort()
    {
        var missing = Assert.Throws<HardwareException>(() => new LinuxSerialPort("/dev/ttyUSB97"));
        Assert.Equal(HardwareFault.BusMissing, missing.Fault);
        Assert.Contains("ls /dev/ttyUSB*", missing.Message, StringComparison.Ordinal);

        var file = Path.GetTempFileName();
        try
        {
            var notSerial = Assert.Throws<HardwareException>(() => new LinuxSerialPort(file));
            Assert.Contains("is not a serial port", notSerial.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("SerialPort")] // .NET's System.IO.Ports through the seam
    public async Task Mhz19b_OverARealPseudoTerminal(string access)
    {
        var master = PosixOpenpt(O_RDWR | O_NOCTTY);
        Assert.True(master >= 0 && Grantpt(master) == 0 && Unlockpt(master) == 0, "no pseudo-terminal");
        var name = new byte[128];
        Assert.Equal(0, PtsnameR(master, name, (nuint)name.Length));
        var slave = System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
        var emulator = new Mhz19bEmulator(_ => (1234, 22, 40), TimeProvider.System, port: "pty master");
        using var stop = new CancellationTokenSource();
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var line = Task.Factory.StartNew(() =>
        {
            // The sensor's side: bytes from the driver go to the emulator, its answers back.
            var buffer = new byte[64];
            var answer = new byte[64];
            while (!stop.IsCancellationRequested)
            {
                var n = ReadFd(master, buffer, (nuint)buffer.Length);
                if (n <= 0)
                {
                    Thread.Sleep(5);
                    continue;
                }

                events.Enqueue($"in {Convert.ToHexString(buffer, 0, (int)n)}");
                emulator.Write(buffer.AsSpan(0, (int)n));
                var m = emulator.Read(answer, TimeSpan.Zero);
                if (m > 0)
                {
                    events.Enqueue($"out {Convert.ToHexString(answer, 0, m)} ({WriteFd(master, answer, (nuint)m)})");
                }
            }
        }, TaskCreationOptions.LongRunning); // its own thread: the other tests may keep the pool busy

        try
        {
            using var port = access == "ours" ? new LinuxSerialPort(slave) : new System.IO.Ports.SerialPort(slave, 9600).AsSeam();
            var sensor = new Mhz19b(port, TimeProvider.System);
            try
            {
                Assert.Equal(1234, await sensor.ReadCo2Async(CancellationToken.None));
            }
            catch (HardwareException error)
            {
                throw new InvalidOperationException($"{error.Message} Line: {string.Join(" | ", events)}", error);
            }

            // Nothing answers a frame with a wrong checksum: a timeout, not a hang.
            port.Write([0xFF, 0x01, 0x86, 0, 0, 0, 0, 0, 0x00]);
            Assert.Equal(0, port.Read(new byte[9], TimeSpan.FromMilliseconds(200)));
        }
        finally
        {
            stop.Cancel();
            CloseFd(master);
            await line;
        }
    }

    private const int O_RDWR = 0x2;
    private const int O_NOCTTY = 0x100;

    [LibraryImport("libc", EntryPoint = "posix_openpt")]
    private static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt")]
    private static partial int Grantpt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt")]
    private static partial int Unlockpt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r")]
    private static partial int PtsnameR(int fd, [Out] byte[] buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint ReadFd(int fd, [Out] byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint WriteFd(int fd, byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFd(int fd);
}
