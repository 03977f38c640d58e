using System.Buffers;

namespace Sensors.Core;

/// <summary>
/// Encoded points held back to back in one reusable byte buffer, with the end offset of every
/// line, so that a batch can be sent as one body and cut into halves (by line) when the server
/// refuses part of it. Capped by points and by bytes; <see cref="TryAdd"/> refuses a point that
/// would pass a cap, except into an empty batch, so a single large point is never stuck.
/// Not thread-safe: one batch belongs to one stage at a time.
/// </summary>
public sealed class LineBatch : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;
    private int[] _lineEnds;

    public LineBatch(int maxPoints = 5_000, int maxBytes = 1 << 20, LineProtocol.Options encoding = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 64);
        MaxPoints = maxPoints;
        MaxBytes = maxBytes;
        Encoding = encoding;
        _buffer = new byte[Math.Min(maxBytes, 64 * 1024)];
        _lineEnds = new int[Math.Min(maxPoints, 1024)];
    }

    public int MaxPoints { get; }
    public int MaxBytes { get; }
    public LineProtocol.Options Encoding { get; }

    public int Count { get; private set; }
    public int Bytes => _length;
    public bool IsEmpty => Count == 0;
    public bool IsFull => Count >= MaxPoints || _length >= MaxBytes;

    /// <summary>All lines, each ending with '\n'.</summary>
    public ReadOnlyMemory<byte> Body => _buffer.AsMemory(0, _length);

    /// <summary>Encodes the reading at the end of the batch; false (and nothing added) when a cap would be passed.</summary>
    public bool TryAdd(Reading reading)
    {
        if (Count >= MaxPoints)
        {
            return false;
        }

        var start = _length;
        try
        {
            LineProtocol.Write(this, reading, Encoding);
        }
        catch
        {
            _length = start;
            throw;
        }

        if (_length > MaxBytes && Count > 0)
        {
            _length = start;
            return false;
        }

        CommitLine();
        return true;
    }

    /// <summary>Adds a line that is already encoded (with or without its trailing newline).</summary>
    public bool TryAddEncoded(ReadOnlySpan<byte> line)
    {
        var needsNewline = line.IsEmpty || line[^1] != (byte)'\n';
        var size = line.Length + (needsNewline ? 1 : 0);
        if (Count >= MaxPoints || (_length + size > MaxBytes && Count > 0))
        {
            return false;
        }

        line.CopyTo(GetSpan(size));
        if (needsNewline)
        {
            _buffer[_length + line.Length] = (byte)'\n';
        }

        _length += size;
        CommitLine();
        return true;
    }

    /// <summary>Bytes of lines [start, start + count), back to back.</summary>
    public ReadOnlyMemory<byte> Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        var from = start == 0 ? 0 : _lineEnds[start - 1];
        var to = count == 0 ? from : _lineEnds[start + count - 1];
        return _buffer.AsMemory(from, to - from);
    }

    /// <summary>Line <paramref name="index"/> without its trailing newline.</summary>
    public ReadOnlyMemory<byte> Line(int index)
    {
        var line = Slice(index, 1);
        return line[..^1];
    }

    /// <summary>Drops the first <paramref name="count"/> lines (those settled), keeping the rest in order.</summary>
    public void RemoveFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        if (count == 0)
        {
            return;
        }

        var cut = _lineEnds[count - 1];
        Buffer.BlockCopy(_buffer, cut, _buffer, 0, _length - cut);
        _length -= cut;
        for (var i = count; i < Count; i++)
        {
            _lineEnds[i - count] = _lineEnds[i] - cut;
        }

        Count -= count;
    }

    public void Clear()
    {
        _length = 0;
        Count = 0;
    }

    void IBufferWriter<byte>.Advance(int count) => _length += count;

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsMemory(_length);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => GetSpan(sizeHint);

    private Span<byte> GetSpan(int sizeHint)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void EnsureRoom(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }

    private void CommitLine()
    {
        if (Count == _lineEnds.Length)
        {
            Array.Resize(ref _lineEnds, _lineEnds.Length * 2);
        }

        _lineEnds[Count++] = _length;
    }
}
