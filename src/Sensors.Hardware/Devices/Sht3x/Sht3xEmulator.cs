using Sensors.Hardware.Bus;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Devices.Sht3x;

/// <summary>
/// A Sensirion SHT3x temperature and humidity sensor (SHT30/31/35, datasheet SHT3x-DIS v7,
/// §4) on an emulated bus, for the .NET IoT binding (Iot.Device.Sht3x) run over our seam.
/// Two-byte commands: single shot without clock stretching at high, medium or low repeatability
/// (0x2400, 0x240B, 0x2416: ready after 15, 6 and 4 ms; a read before that is NACKed, §4.3), with
/// clock stretching (0x2C06, 0x2C0D, 0x2C10: the sensor holds SCL until the answer is ready, so
/// the read gets it), soft reset (0x30A2), heater on and off (0x306D, 0x3066), status register
/// (0xF32D: heater bit 13, reset-detected bit 4) and clear status (0x3041). The answer is two
/// words, each with its CRC-8 (0x31, init 0xFF): S_T = (T + 45) × 65535 / 175, S_RH = RH × 65535 / 100.
/// </summary>
public sealed class Sht3xEmulator(Air air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c", int address = Sht3xEmulator.DefaultAddress) : II2cDevice
{
    /// <summary>ADDR pin low; 0x45 with ADDR high.</summary>
    public const int DefaultAddress = 0x44;

    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private ushort[]? _answer;
    private long _readyAt;
    private bool _resetDetected = true;

    public SensorFaults Faults { get; } = faults ?? new SensorFaults();

    public string Describe => $"{bus} 0x{address:x2}";

    public bool Heater { get; private set; }

    /// <summary>The commands received, in order.</summary>
    public List<ushort> Commands { get; } = [];

    public void Write(ReadOnlySpan<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (data.Length != 2)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: the SHT3x takes two-byte commands, not {data.Length} bytes.");
        }

        var command = (ushort)((data[0] << 8) | data[1]);
        var now = time.GetUtcNow();
        (TimeSpan After, ushort[]? Answer) result = command switch
        {
            0x2400 => (TimeSpan.FromMilliseconds(15), Sample(now)),
            0x240B => (TimeSpan.FromMilliseconds(6), Sample(now)),
            0x2416 => (TimeSpan.FromMilliseconds(4), Sample(now)),
            0x2C06 or 0x2C0D or 0x2C10 => (TimeSpan.Zero, Sample(now)), // clock stretching: the read waits for the answer
            0x30A2 => Reset(),
            0x306D => SetHeater(true),
            0x3066 => SetHeater(false),
            0xF32D => (TimeSpan.Zero, [(ushort)((Heater ? 1 << 13 : 0) | (_resetDetected ? 1 << 4 : 0))]),
            0x3041 => ClearStatus(),
            _ => throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: 0x{command:x4} is not an SHT3x command."),
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
        for (var i = 0; i < _answer.Length && (3 * i) + 2 < data.Length; i++)
        {
            data[3 * i] = (byte)(_answer[i] >> 8);
            data[(3 * i) + 1] = (byte)_answer[i];
            data[(3 * i) + 2] = (byte)(SensirionCrc.Compute(_answer[i]) ^ (corrupt && i == 0 ? 0x5A : 0));
        }

        _answer = null;
    }

    public void Dispose()
    {
    }

    private (TimeSpan, ushort[]?) Reset()
    {
        (Heater, _resetDetected) = (false, true);
        return (TimeSpan.FromMilliseconds(1.5), null);
    }

    private (TimeSpan, ushort[]?) SetHeater(bool on)
    {
        Heater = on;
        return (TimeSpan.Zero, null);
    }

    private (TimeSpan, ushort[]?) ClearStatus()
    {
        _resetDetected = false;
        return (TimeSpan.Zero, null);
    }

    private ushort[] Sample(DateTimeOffset at)
    {
        var (_, t, rh) = _measurement.Take(at);
        return [(ushort)Math.Round(Math.Clamp((t + 45) * 65535 / 175, 0, 65535)), (ushort)Math.Round(Math.Clamp(rh * 65535 / 100, 0, 65535))];
    }
}
