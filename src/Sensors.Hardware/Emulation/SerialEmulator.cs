using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Emulation;

/// <summary>
/// A serial sensor in memory, behind the same <see cref="ISerialPort"/> as /dev/tty*: requests
/// are collected byte by byte into frames of the protocol's length, answers queue up to be read.
/// A read with nothing to give waits its timeout on the <see cref="TimeProvider"/>, as a silent
/// line would.
/// </summary>
public abstract class SerialEmulator(string describe, TimeProvider time, SensorFaults faults, int requestLength, TimeSpan frameGap) : ISerialPort
{
    private readonly List<byte> _request = [];
    private readonly Queue<byte> _answer = new();
    private readonly object _gate = new();
    private long _lastWrite;

    public string Describe { get; } = describe;

    public SensorFaults Faults { get; } = faults;

    protected TimeProvider Time { get; } = time;

    /// <summary>Every request frame received, as hex (for tests).</summary>
    public List<string> Requests { get; } = [];

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (Faults.Unplugged)
            {
                return; // the bytes go nowhere
            }

            // A pause ends a frame (Modbus RTU: 3.5 character times, about 4 ms at 9600 baud):
            // leftover bytes of a frame of another protocol do not spoil the next one.
            if (_request.Count > 0 && Time.GetElapsedTime(_lastWrite) > frameGap)
            {
                _request.Clear();
            }

            _lastWrite = Time.GetTimestamp();
            _request.AddRange(data);
            while (_request.Count >= requestLength)
            {
                var frame = _request.GetRange(0, requestLength).ToArray();
                _request.RemoveRange(0, requestLength);
                Requests.Add(Convert.ToHexString(frame));
                if (Answer(frame) is { } answer)
                {
                    if (Faults.TakeCorruption())
                    {
                        answer[^1] ^= 0x5A;
                    }

                    foreach (var b in answer)
                    {
                        _answer.Enqueue(b);
                    }
                }
            }

            if (Faults.UnplugMidRead)
            {
                Faults.Unplugged = true;
                Faults.UnplugMidRead = false;
            }
        }
    }

    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (!Faults.Unplugged && _answer.Count > 0)
            {
                var n = 0;
                while (n < buffer.Length && _answer.TryDequeue(out var b))
                {
                    buffer[n++] = b;
                }

                return n;
            }
        }

        // Silence for the whole timeout, as on a real line (without blocking on a pool thread).
        if (Time is VirtualTime virtualTime)
        {
            virtualTime.Advance(timeout);
        }
        else
        {
            Thread.Sleep(timeout);
        }

        return 0;
    }

    public void DiscardInput()
    {
        lock (_gate)
        {
            _answer.Clear();
        }
    }

    public void Dispose()
    {
    }

    /// <summary>The answer to one request frame, or null for silence (a bad checksum, a command without answer).</summary>
    protected abstract byte[]? Answer(byte[] request);
}
