using Sensors.Hardware.Emulation;
using System.Buffers.Binary;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Sensirion;

/// <summary>
/// What the SCD4x, SCD30 and SHT3x emulators share: the Sensirion I2C framing seen from the sensor's
/// side. A write is a command (and maybe an argument word with its CRC, checked); a read gets the
/// answer to the last command, and is NACKed while the command's execution time has not passed.
/// </summary>
public abstract class SensirionEmulator(string describe, TimeProvider time, SensorFaults faults) : II2cDevice
{
    private ushort? _command;
    private long _commandAt;
    private ushort[]? _answer;

    public string Describe { get; } = describe;

    public SensorFaults Faults { get; } = faults;

    protected TimeProvider Time { get; } = time;

    /// <summary>Every command received, in order (for tests).</summary>
    public List<ushort> Commands { get; } = [];

    public void Write(ReadOnlySpan<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (data.Length is not (2 or 5))
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: {data.Length} bytes is neither a command nor a command with one argument.");
        }

        var command = BinaryPrimitives.ReadUInt16BigEndian(data);
        ushort? argument = null;
        if (data.Length == 5)
        {
            if (SensirionCrc.Compute(data.Slice(2, 2)) != data[4])
            {
                throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: the argument's CRC is wrong.");
            }

            argument = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        }

        var execution = Execute(command, argument, out var answer);
        Commands.Add(command);
        _command = command;
        _commandAt = Time.GetTimestamp() + (long)(execution.TotalSeconds * Time.TimestampFrequency);
        _answer = answer;
        if (Faults.UnplugMidRead)
        {
            Faults.Unplugged = true;
            Faults.UnplugMidRead = false;
        }
    }

    public void Read(Span<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (_command is not { } command || _answer is null)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: NACK: nothing to read.");
        }

        if (Time.GetTimestamp() < _commandAt)
        {
            throw new HardwareException(HardwareFault.Busy, $"{Describe}: NACK: still executing command 0x{command:x4}.");
        }

        var corrupt = Faults.TakeCorruption();
        for (var i = 0; i * 3 < data.Length && i < _answer.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data[(i * 3)..], _answer[i]);
            data[(i * 3) + 2] = (byte)(SensirionCrc.Compute(data.Slice(i * 3, 2)) ^ (corrupt && i == 0 ? 0x5A : 0));
        }

        _answer = null;
    }

    public void Dispose()
    {
    }

    /// <summary>Carries out a command; returns its execution time and the words a read will get (null: nothing to read).</summary>
    protected abstract TimeSpan Execute(ushort command, ushort? argument, out ushort[]? answer);

    /// <summary>A command the sensor does not take now: it NACKs it.</summary>
    protected HardwareException Refuse(ushort command, string why) => new(HardwareFault.NoAnswer, $"{Describe}: NACK on command 0x{command:x4}: {why}.");
}
