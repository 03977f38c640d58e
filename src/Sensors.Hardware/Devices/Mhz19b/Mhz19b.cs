using Sensors.Hardware.Drivers;
using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Mhz19b;

/// <summary>
/// Winsen MH-Z19B on a serial port (9600 8N1), from its datasheet (version 1.0): 9-byte frames
/// <c>FF 01 cmd b3 … b7 checksum</c> (<see cref="WinsenChecksum"/>). Read CO2 (0x86), zero point
/// calibration (0x87, in 400 ppm air), span calibration (0x88), automatic baseline correction
/// on/off (0x79), detection range (0x99). The answer reader resynchronises on the FF 86 header,
/// so a stray byte or a late answer costs one reading, not the stream.
/// </summary>
public sealed class Mhz19b(ISerialPort port, TimeProvider time) : ICo2Sensor
{
    public const byte ReadCo2Command = 0x86;
    public const byte ZeroCalibrationCommand = 0x87;
    public const byte SpanCalibrationCommand = 0x88;
    public const byte AbcCommand = 0x79;
    public const byte DetectionRangeCommand = 0x99;

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMilliseconds(1000);

    public string Model => "MH-Z19B";

    public string Describe => port.Describe;

    public TimeSpan MeasurementInterval => TimeSpan.FromSeconds(5);

    /// <summary>Preheat time: 3 minutes (datasheet, "main parameters").</summary>
    public TimeSpan WarmUp => TimeSpan.FromMinutes(3);

    public (double Min, double Max) Co2Range => (1, RangePpm);

    /// <summary>The detection range set at start: 2000 or 5000 ppm (5000 covers a crowded classroom).</summary>
    public int RangePpm { get; init; } = 5000;

    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        port.DiscardInput();
        Send(Frame(DetectionRangeCommand, 0, 0, 0, (byte)(RangePpm >> 8), (byte)RangePpm));
        await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);

        // It has no serial number: a first reading proves it answers.
        var first = await ReadCo2Async(cancellationToken).ConfigureAwait(false);
        return $"no serial number; answers, {first} ppm";
    }

    public async Task<SensorSample?> ReadAsync(CancellationToken cancellationToken) => new(await ReadCo2Async(cancellationToken).ConfigureAwait(false), null, null);

    public Task<int> ReadCo2Async(CancellationToken cancellationToken)
    {
        port.DiscardInput();
        Send(Frame(ReadCo2Command));
        var answer = ReadAnswer(ReadCo2Command);
        return Task.FromResult((answer[2] << 8) | answer[3]);
    }

    /// <summary>Zero point calibration: the sensor takes the air around it as 400 ppm. Only 400 is possible; after 20 minutes outdoors.</summary>
    public Task CalibrateAsync(int referencePpm, CancellationToken cancellationToken)
    {
        if (referencePpm != 400)
        {
            throw new ArgumentOutOfRangeException(nameof(referencePpm), referencePpm, "The MH-Z19B calibrates its zero point to 400 ppm only: put it in outdoor air for 20 minutes and use 400.");
        }

        Send(Frame(ZeroCalibrationCommand));
        return Task.CompletedTask;
    }

    /// <summary>Span calibration at <paramref name="spanPpm"/> (after a zero calibration, in a reference gas).</summary>
    public Task CalibrateSpanAsync(int spanPpm, CancellationToken cancellationToken)
    {
        Send(Frame(SpanCalibrationCommand, (byte)(spanPpm >> 8), (byte)spanPpm));
        return Task.CompletedTask;
    }

    /// <summary>The MH-Z19B has no pressure setting.</summary>
    public Task<bool> CompensatePressureAsync(double hectopascals, CancellationToken cancellationToken) => Task.FromResult(false);

    public async Task SetAutomaticCalibrationAsync(bool enabled, CancellationToken cancellationToken)
    {
        Send(Frame(AbcCommand, enabled ? (byte)0xA0 : (byte)0x00));
        await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        port.DiscardInput(); // some firmware answers FF 79 01 …, some not
    }

    public void Dispose() => port.Dispose();

    /// <summary>A request: FF 01 command, five argument bytes, checksum.</summary>
    public static byte[] Frame(byte command, params ReadOnlySpan<byte> arguments)
    {
        var frame = new byte[9];
        frame[0] = 0xFF;
        frame[1] = 0x01;
        frame[2] = command;
        arguments[..Math.Min(arguments.Length, 5)].CopyTo(frame.AsSpan(3));
        frame[8] = WinsenChecksum.Compute(frame);
        return frame;
    }

    private void Send(byte[] frame) => port.Write(frame);

    /// <summary>Reads until FF &lt;command&gt; then 7 more bytes, checks the checksum.</summary>
    private byte[] ReadAnswer(byte command)
    {
        var start = time.GetTimestamp();
        var frame = new byte[9];
        var have = 0;
        Span<byte> chunk = stackalloc byte[32];
        while (have < 9)
        {
            var left = AnswerTimeout - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                throw new HardwareException(HardwareFault.NoAnswer, have == 0
                    ? $"{port.Describe}: the MH-Z19B does not answer. Check its power (5 V), that its TX goes to the Pi's RX and RX to TX, and the port."
                    : $"{port.Describe}: the MH-Z19B's answer stopped after {have} of 9 bytes.");
            }

            var read = port.Read(chunk, left);
            foreach (var b in chunk[..read])
            {
                // Resynchronise: a frame starts with FF, then the command echoed.
                if ((have == 0 && b != 0xFF) || (have == 1 && b != command))
                {
                    have = b == 0xFF ? 1 : 0;
                    if (have == 1)
                    {
                        frame[0] = 0xFF;
                    }

                    continue;
                }

                frame[have++] = b;
                if (have == 9)
                {
                    break;
                }
            }
        }

        return WinsenChecksum.Compute(frame) == frame[8]
            ? frame
            : throw new HardwareException(HardwareFault.Checksum, $"{port.Describe}: MH-Z19B answer with a wrong checksum ({Convert.ToHexString(frame)}); noise on the wires?");
    }
}
