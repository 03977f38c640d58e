using System.Buffers.Binary;

namespace Sensors.Journal;

/// <summary>
/// One segment file read at open: its good records, and what was not good. Pure (bytes in), so
/// that every kind of damage can be tested without a disk. A record is
/// <c>[u32 length][u32 CRC-32C of seq and line][i64 seq][line]</c>. Where a record does not check
/// out, the scan looks byte by byte for the next place where one does: a length within bounds, a
/// sequence number at most <see cref="MaxSkip"/> ahead of the last good one, and a CRC that
/// matches (a random match is about one in 2^76). So one flipped byte costs one record, not the
/// rest of the segment.
/// </summary>
public sealed class SegmentScan
{
    public const int HeaderSize = 16;

    /// <summary>Most sequence numbers one damaged stretch may hide; a segment of 8 MiB holds about 150,000 records.</summary>
    public const long MaxSkip = 1 << 20;

    private SegmentScan(byte[] data) => Data = data;

    /// <summary>The segment's bytes.</summary>
    public byte[] Data { get; }

    /// <summary>The good records, in order: offset and size (header included) in <see cref="Data"/>, and sequence number.</summary>
    public List<(int Offset, int Size, long Seq)> Records { get; } = [];

    /// <summary>Damaged stretches followed by a good record.</summary>
    public int CorruptRegions { get; private set; }

    /// <summary>Bytes in those stretches.</summary>
    public long CorruptBytes { get; private set; }

    /// <summary>Bytes at the end after the last good record, with no good record after them (a write cut short).</summary>
    public long TornTail { get; private set; }

    /// <summary>Bytes of the good records.</summary>
    public long GoodBytes => Records.Sum(r => (long)r.Size);

    public static SegmentScan Of(byte[] data, long firstSeq, int maxLineBytes)
    {
        var scan = new SegmentScan(data);
        var position = 0;
        var expected = firstSeq;
        while (position < data.Length)
        {
            if (RecordAt(data, position, expected, maxLineBytes) is { } record)
            {
                scan.Records.Add((position, record.Size, record.Seq));
                position += record.Size;
                expected = record.Seq + 1;
                continue;
            }

            var next = -1;
            for (var candidate = position + 1; candidate + HeaderSize < data.Length; candidate++)
            {
                if (RecordAt(data, candidate, expected, maxLineBytes) is not null)
                {
                    next = candidate;
                    break;
                }
            }

            if (next < 0)
            {
                scan.TornTail = data.Length - position;
                break;
            }

            scan.CorruptRegions++;
            scan.CorruptBytes += next - position;
            position = next;
        }

        return scan;
    }

    /// <summary>The record at <paramref name="offset"/> when it checks out; null otherwise.</summary>
    private static (int Size, long Seq)? RecordAt(byte[] data, int offset, long expected, int maxLineBytes)
    {
        if (offset + HeaderSize > data.Length)
        {
            return null;
        }

        var header = data.AsSpan(offset, HeaderSize);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length <= 0 || length > maxLineBytes || offset + HeaderSize + (long)length > data.Length)
        {
            return null;
        }

        var seq = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (seq < expected || seq - expected > MaxSkip)
        {
            return null;
        }

        var crc = Crc32C.Compute(data.AsSpan(offset + HeaderSize, length), Crc32C.Compute(header.Slice(8, 8)));
        return crc == BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) ? (HeaderSize + length, seq) : null;
    }
}
