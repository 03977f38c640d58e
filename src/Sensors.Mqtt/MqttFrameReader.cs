using Sensors.Mqtt.Packets;

namespace Sensors.Mqtt;

/// <summary>
/// Cuts a byte stream into packets: fixed header, Remaining Length (§2.1.4), body. The size is
/// checked against the limit before anything is allocated for the body, so a peer that announces
/// a huge packet costs nothing but the connection [MQTT-3.1.2-24].
/// </summary>
internal sealed class MqttFrameReader(Stream stream, int maximumPacketSize)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next packet's first byte and body; null when the peer closed the connection between packets.</summary>
    public async ValueTask<(byte First, byte[] Body)?> ReadAsync(CancellationToken cancellationToken)
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
            throw new MqttProtocolException($"A packet of {headerSize + length} bytes is over the maximum packet size of {maximumPacketSize} [MQTT-3.1.2-24].", MqttProtocolException.PacketTooLarge);
        }

        _start += headerSize;
        var body = new byte[length];
        var buffered = Math.Min(length, _end - _start);
        _buffer.AsSpan(_start, buffered).CopyTo(body);
        _start += buffered;
        var filled = buffered;
        while (filled < length)
        {
            var read = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"The connection closed after {filled} of a packet's {length} bytes.");
            }

            filled += read;
        }

        return (first, body);
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
