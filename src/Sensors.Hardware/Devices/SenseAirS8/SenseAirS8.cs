using Sensors.Hardware.Drivers;
using System.Buffers.Binary;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.SenseAirS8;

/// <summary>
/// SenseAir S8 on a serial port (9600 8N1), Modbus RTU, from SenseAir's "Modbus on S8"
/// specification: read input registers (0x04) IR1 meter status and IR4 CO2, the sensor id in
/// IR30–IR31; holding registers (0x03 read, 0x06 write) HR1 acknowledgement, HR2 special command
/// (0x7C06 background calibration), HR32 ABC period in hours (0 = off). Address 0xFE reaches
/// whichever sensor is on the line. Frames end with the Modbus CRC-16, low byte first.
/// </summary>
public sealed class SenseAirS8(ISerialPort port, TimeProvider time) : ICo2Sensor
{
    public const byte AnyAddress = 0xFE;
    public const byte ReadHoldingRegisters = 0x03;
    public const byte ReadInputRegisters = 0x04;
    public const byte WriteSingleRegister = 0x06;

    public const ushort MeterStatusRegister = 0x0000; // IR1
    public const ushort Co2Register = 0x0003; // IR4
    public const ushort SensorIdHighRegister = 0x001D; // IR30
    public const ushort AcknowledgementRegister = 0x0000; // HR1
    public const ushort SpecialCommandRegister = 0x0001; // HR2
    public const ushort AbcPeriodRegister = 0x001F; // HR32
    public const ushort BackgroundCalibration = 0x7C06;

    /// <summary>HR32's factory value: 180 hours (7.5 days).</summary>
    public const ushort DefaultAbcPeriodHours = 180;

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMilliseconds(500);

    public string Model => "S8";

    public string Describe => port.Describe;

    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(4);

    public TimeSpan WarmUp => TimeSpan.FromSeconds(60);

    public (double Min, double Max) Co2Range => (1, 10_000);

    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var id = await ReadRegistersAsync(ReadInputRegisters, SensorIdHighRegister, 2, cancellationToken).ConfigureAwait(false);
        return $"sensor id {((uint)id[0] << 16) | id[1]:x8}";
    }

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken)
    {
        var registers = await ReadRegistersAsync(ReadInputRegisters, MeterStatusRegister, 4, cancellationToken).ConfigureAwait(false);
        if (DescribeStatus(registers[0]) is { } problem)
        {
            throw new HardwareException(HardwareFault.Refused, $"{port.Describe}: the S8 reports {problem} (meter status 0x{registers[0]:x4}).");
        }

        return new SensorSample((short)registers[3], null, null);
    }

    /// <summary>Background calibration: the sensor takes the air around it as 400 ppm (after minutes in outdoor air).</summary>
    public async Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken)
    {
        if (referencePpm != 400)
        {
            throw new ArgumentOutOfRangeException(nameof(referencePpm), referencePpm, "The S8 calibrates to background air (400 ppm) only: put it in outdoor air and use 400.");
        }

        await WriteRegisterAsync(AcknowledgementRegister, 0, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(SpecialCommandRegister, BackgroundCalibration, cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken).ConfigureAwait(false);
        var acknowledged = (await ReadRegistersAsync(ReadHoldingRegisters, AcknowledgementRegister, 1, cancellationToken).ConfigureAwait(false))[0];
        if ((acknowledged & 0x20) == 0)
        {
            throw new HardwareException(HardwareFault.Refused, $"{port.Describe}: the S8 did not acknowledge the background calibration (HR1 = 0x{acknowledged:x4}); try again.");
        }
    }

    /// <summary>The S8 has no pressure setting (its register map has none).</summary>
    public Task<bool> CompensatePressureAsync(double hectopascals, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken) =>
        SetAbcPeriodAsync(enabled ? DefaultAbcPeriodHours : (ushort)0, cancellationToken);

    public Task SetAbcPeriodAsync(ushort hours, CancellationToken cancellationToken) => WriteRegisterAsync(AbcPeriodRegister, hours, cancellationToken);

    public async Task<int> GetAbcPeriodAsync(CancellationToken cancellationToken) =>
        (await ReadRegistersAsync(ReadHoldingRegisters, AbcPeriodRegister, 1, cancellationToken).ConfigureAwait(false))[0];

    public void Dispose() => port.Dispose();

    /// <summary>The meter status bits in words, or null when all is well (bit 5, out of range, included).</summary>
    public static string? DescribeStatus(ushort status)
    {
        if (status == 0)
        {
            return null;
        }

        var names = new[] { "a fatal error", "an offset regulation error", "an algorithm error", "an output error", "a self-diagnostics error", "a value out of range", "a memory error" };
        var set = names.Where((_, bit) => (status & (1 << bit)) != 0).ToList();
        return set.Count == 0 ? null : string.Join(", ", set);
    }

    /// <summary>A request frame: address, function, register, value or count, CRC (low byte first).</summary>
    public static byte[] Request(byte function, ushort register, ushort valueOrCount)
    {
        var frame = new byte[8];
        frame[0] = AnyAddress;
        frame[1] = function;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), register);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), valueOrCount);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), ModbusCrc.Compute(frame.AsSpan(0, 6)));
        return frame;
    }

    private Task<ushort[]> ReadRegistersAsync(byte function, ushort first, ushort count, CancellationToken cancellationToken)
    {
        port.DiscardInput();
        port.Write(Request(function, first, count));
        var answer = ReadAnswer(function, 3 + (2 * count) + 2);
        if (answer[2] != 2 * count)
        {
            throw new HardwareException(HardwareFault.Protocol, $"{port.Describe}: S8 answered {answer[2]} bytes for {count} registers.");
        }

        var registers = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            registers[i] = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(3 + (2 * i)));
        }

        return Task.FromResult(registers);
    }

    private Task WriteRegisterAsync(ushort register, ushort value, CancellationToken cancellationToken)
    {
        port.DiscardInput();
        var request = Request(WriteSingleRegister, register, value);
        port.Write(request);
        var answer = ReadAnswer(WriteSingleRegister, 8);
        return answer.AsSpan(0, 6).SequenceEqual(request.AsSpan(0, 6))
            ? Task.CompletedTask
            : throw new HardwareException(HardwareFault.Protocol, $"{port.Describe}: S8 echoed {Convert.ToHexString(answer)} to {Convert.ToHexString(request)}.");
    }

    /// <summary>Reads one answer of <paramref name="length"/> bytes (or a 5-byte exception), checks address, function and CRC.</summary>
    private byte[] ReadAnswer(byte function, int length)
    {
        var start = time.GetTimestamp();
        var frame = new byte[length];
        var have = 0;
        while (have < length)
        {
            var left = AnswerTimeout - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                throw new HardwareException(HardwareFault.NoAnswer, have == 0
                    ? $"{port.Describe}: the S8 does not answer. Check its power (5 V), TX/RX crossed to the Pi, and the port."
                    : $"{port.Describe}: the S8's answer stopped after {have} of {length} bytes.");
            }

            var read = port.Read(frame.AsSpan(have), left);
            if (have == 0 && read > 0 && frame[0] != AnyAddress && frame[0] != 0x68)
            {
                // Not the start of an answer: drop the first byte and look again.
                frame.AsSpan(1, read - 1).CopyTo(frame);
                read--;
            }

            have += read;
            if (have >= 5 && frame[1] == (function | 0x80))
            {
                var code = frame[2];
                throw new HardwareException(HardwareFault.Refused, $"{port.Describe}: the S8 refused the request (Modbus exception {code}).");
            }
        }

        var crc = ModbusCrc.Compute(frame.AsSpan(0, length - 2));
        if (BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(length - 2)) != crc)
        {
            throw new HardwareException(HardwareFault.Checksum, $"{port.Describe}: S8 answer with a wrong CRC ({Convert.ToHexString(frame)}); noise on the wires?");
        }

        return frame[1] == function ? frame : throw new HardwareException(HardwareFault.Protocol, $"{port.Describe}: S8 answered function {frame[1]} to {function}.");
    }
}
