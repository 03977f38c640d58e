using Sensors.Hardware.Bus;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Devices.Sht4x;

/// <summary>
/// A Sensirion SHT4x temperature and humidity sensor (SHT40/41/45, datasheet v6.6) on an emulated
/// bus, for the .NET IoT binding (Iot.Device.Sht4x) run over our seam. One-byte commands: measure
/// T and RH at high, medium or low repeatability (0xFD, 0xF6, 0xE0: answer after 8.3, 4.5 and 1.7
/// ms), with the heater (0x39, 0x32, 0x2F, 0x24, 0x1E, 0x15: after 1.1 s or 0.11 s), the serial
/// number (0x89), soft reset (0x94). The answer is two words, each with its CRC-8 (0x31, init 0xFF):
/// S_T = (T + 45) × 65535 / 175, S_RH = (RH + 6) × 65535 / 125. A read before the answer is ready,
/// or with no command pending, is NACKed, as the sensor does while it measures.
/// </summary>
public sealed class Sht4xEmulator(Air air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c", uint serialNumber = 0x0F7A_2C11) : II2cDevice
{
    public const int DefaultAddress = 0x44;

    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private ushort[]? _answer;
    private long _readyAt;

    public SensorFaults Faults { get; } = faults ?? new SensorFaults();

    public string Describe => $"{bus} 0x{DefaultAddress:x2}";

    /// <summary>The commands received, in order.</summary>
    public List<byte> Commands { get; } = [];

    public void Write(ReadOnlySpan<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (data.Length != 1)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: the SHT4x takes one-byte commands, not {data.Length} bytes.");
        }

        var command = data[0];
        var now = time.GetUtcNow();
        (TimeSpan After, ushort[]? Answer) result = command switch
        {
            0xFD => (TimeSpan.FromMilliseconds(8.3), Sample(now)),
            0xF6 => (TimeSpan.FromMilliseconds(4.5), Sample(now)),
            0xE0 => (TimeSpan.FromMilliseconds(1.7), Sample(now)),
            0x39 or 0x2F or 0x1E => (TimeSpan.FromMilliseconds(1100), Sample(now)),
            0x32 or 0x24 or 0x15 => (TimeSpan.FromMilliseconds(110), Sample(now)),
            0x89 => (TimeSpan.Zero, [(ushort)(serialNumber >> 16), (ushort)serialNumber]), // no duration in the datasheet: read at once
            0x94 => (TimeSpan.FromMilliseconds(1), null),
            _ => throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: 0x{command:x2} is not an SHT4x command."),
        };
        Commands.Add(command);
        _answer = result.Answer;
        _readyAt = time.GetTimestamp() + (long)(result.After.TotalSeconds * time.TimestampFrequency);
    }

    public void Read(Span<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (_answer is null || time.GetTimestamp() < _readyAt)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: {(_answer is null ? "no command waits for its answer" : "still measuring")}.");
        }

        var corrupt = Faults.TakeCorruption();
        var bytes = new byte[_answer.Length * 3];
        for (var i = 0; i < _answer.Length; i++)
        {
            bytes[3 * i] = (byte)(_answer[i] >> 8);
            bytes[(3 * i) + 1] = (byte)_answer[i];
            bytes[(3 * i) + 2] = (byte)(SensirionCrc.Compute(_answer[i]) ^ (corrupt && i == 0 ? 0x5A : 0));
        }

        bytes.AsSpan(0, Math.Min(bytes.Length, data.Length)).CopyTo(data);
        _answer = null;
    }

    public void Dispose()
    {
    }

    private ushort[] Sample(DateTimeOffset at)
    {
        var (_, t, rh) = _measurement.Take(at);
        return [(ushort)Math.Round(Math.Clamp((t + 45) * 65535 / 175, 0, 65535)), (ushort)Math.Round(Math.Clamp((rh + 6) * 65535 / 125, 0, 65535))];
    }
}
