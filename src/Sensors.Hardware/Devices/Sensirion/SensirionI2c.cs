using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Sensirion;

/// <summary>
/// The I2C framing shared by the SCD4x and the SCD30: a 16-bit command, big-endian; arguments and
/// answers as 16-bit words, each followed by its CRC-8 (<see cref="SensirionCrc"/>). After a
/// command the sensor needs its execution time before it can be read (it NACKs meanwhile); the
/// wait is taken from the <see cref="TimeProvider"/>, never a Thread.Sleep.
/// </summary>
internal sealed class SensirionI2c(II2cDevice device, TimeProvider time)
{
    public II2cDevice Device => device;

    public async Task SendAsync(ushort command, TimeSpan execution, CancellationToken cancellationToken)
    {
        device.Write([(byte)(command >> 8), (byte)command]);
        await Wait(execution, cancellationToken).ConfigureAwait(false);
    }

    public async Task SendAsync(ushort command, ushort argument, TimeSpan execution, CancellationToken cancellationToken)
    {
        device.Write([(byte)(command >> 8), (byte)command, (byte)(argument >> 8), (byte)argument, SensirionCrc.Compute(argument)]);
        await Wait(execution, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a command, waits, reads <paramref name="words"/> words; a word whose CRC fails is null (it spoils that field only).</summary>
    public async Task<ushort?[]> ReadAsync(ushort command, int words, TimeSpan execution, CancellationToken cancellationToken)
    {
        await SendAsync(command, execution, cancellationToken).ConfigureAwait(false);
        return ReadWords(words);
    }

    /// <summary>Like <see cref="ReadAsync"/> but every word must be good.</summary>
    public async Task<ushort[]> ReadCheckedAsync(ushort command, int words, TimeSpan execution, string what, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(command, words, execution, cancellationToken).ConfigureAwait(false);
        return read.Any(w => w is null)
            ? throw new HardwareException(HardwareFault.Checksum, $"{device.Describe}: CRC error in the answer to {what}; noise on the wires or a loose contact.")
            : read.Select(w => w!.Value).ToArray();
    }

    public ushort?[] ReadWords(int words)
    {
        Span<byte> buffer = stackalloc byte[words * 3];
        device.Read(buffer);
        var result = new ushort?[words];
        for (var i = 0; i < words; i++)
        {
            var chunk = buffer.Slice(i * 3, 3);
            result[i] = SensirionCrc.Compute(chunk[..2]) == chunk[2] ? (ushort)((chunk[0] << 8) | chunk[1]) : null;
        }

        return result;
    }

    /// <summary>
    /// At least the execution time, measured on the monotonic clock: a timer can fire a fraction
    /// of a millisecond early, and a sensor still busy NACKs the read.
    /// </summary>
    private async Task Wait(TimeSpan execution, CancellationToken cancellationToken)
    {
        if (execution <= TimeSpan.Zero)
        {
            return;
        }

        var start = time.GetTimestamp();
        await Task.Delay(execution, time, cancellationToken).ConfigureAwait(false);
        while (time.GetElapsedTime(start) < execution)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
