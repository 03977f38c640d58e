using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>One packet as cut from the stream. <see cref="Oversize"/> is 0, or the size of a PUBLISH over the limit, of which <see cref="Body"/> holds only the head (topic, packet id, properties).</summary>
internal readonly record struct MqttFrame(byte First, byte[] Body, int Oversize = 0);

/// <summary>
/// Cuts a byte stream into packets: fixed header, Remaining Length (§2.1.4), body. The size is
/// checked against the limit before anything is allocated for the body. A PUBLISH over the limit
/// is not a reason to drop the connection (the broker would send it again, forever, and nothing
/// behind it would ever arrive): its head is read, the rest skipped on the wire without being
/// buffered, and it comes out as an oversize frame for the client to acknowledge and report. Any
/// other packet over the limit costs only the connection [MQTT-3.1.2-24].
/// </summary>
internal sealed class MqttFrameReader(Stream stream, int maximumPacketSize)
{
    /// <summary>What an oversize PUBLISH's head may need: topic (2 + 65,535), packet id (2), and properties that fit.</summary>
    internal const int MaxPublishHead = 68 * 1024;

    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next packet; null when the peer closed the connection between packets.</summary>
    public async ValueTask<MqttFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(2, cancellationToken).ConfigureAwait(false))
        {
            if (_end - _start == 0)
            {
                return null;
            }

            throw new EndOfStreamException("The connection closed in the middle of a packet header.");
        }

        var first = _buffer[_start];
        var length = 0;
        var headerSize = 1;
        for (var i = 0; ; i++)
        {
            if (i == 4)
            {
                throw new MqttProtocolException("Remaining Length longer than four bytes [MQTT-1.5.5-1].");
            }

            if (!await FillAsync(headerSize + 1, cancellationToken).ConfigureAwait(false))
            {
                throw new EndOfStreamException("The connection closed in the middle of a packet header.");
            }

            var digit = _buffer[_start + headerSize];
            headerSize++;
            length |= (digit & 0x7F) << (7 * i);
            if ((digit & 0x80) == 0)
            {
                break;
            }
        }

        if (headerSize + (long)length > maximumPacketSize)
        {
            if (first >> 4 != (int)Packets.MqttPacketType.Publish)
            {
                throw new MqttProtocolException($"A packet of {headerSize + length} bytes is over the maximum packet size of {maximumPacketSize} [MQTT-3.1.2-24].", MqttProtocolException.PacketTooLarge);
            }

            _start += headerSize;
            var head = new byte[Math.Min(length, MaxPublishHead)];
            await ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
            await SkipAsync(length - head.Length, cancellationToken).ConfigureAwait(false);
            return new MqttFrame(first, head, headerSize + length);
        }

        _start += headerSize;
        var body = new byte[length];
        await ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return new MqttFrame(first, body);
    }

    /// <summary>Fills <paramref name="target"/> from what is buffered, then from the stream.</summary>
    private async ValueTask ReadExactlyAsync(byte[] target, CancellationToken cancellationToken)
    {
        var buffered = Math.Min(target.Length, _end - _start);
        _buffer.AsSpan(_start, buffered).CopyTo(target);
        _start += buffered;
        var filled = buffered;
        while (filled < target.Length)
        {
            var read = await stream.ReadAsync(target.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"The connection closed after {filled} of a packet's {target.Length} bytes.");
            }

            filled += read;
        }
    }

    /// <summary>Reads past <paramref name="count"/> bytes through the small buffer, keeping none of them.</summary>
    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        var buffered = (int)Math.Min(count, _end - _start);
        _start += buffered;
        count -= buffered;
        if (count == 0)
        {
            return;
        }

        _start = _end = 0; // all that was buffered is consumed
        while (count > 0)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(0, (int)Math.Min(_buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"The connection closed with {count} bytes of an oversize packet still to come.");
            }

            count -= read;
        }
    }
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}
