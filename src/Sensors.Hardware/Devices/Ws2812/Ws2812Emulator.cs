using System.Device.Spi;
using System.Drawing;

namespace Sensors.Hardware.Devices.Ws2812;

/// <summary>
/// A strip of WS2812B LEDs (Worldsemi datasheet: 24 bits per LED, G then R then B, most
/// significant bit first; a bit is a 1.25 µs period, high 0.4 µs for a 0 and 0.8 µs for a 1; a
/// low line for 50 µs or more latches what was sent) wired to an SPI MOSI line, as the .NET IoT
/// binding (Iot.Device.Ws28xx) drives it: at 2.4 MHz each bit is three SPI bits, 100 for a 0 and
/// 110 for a 1. The emulator decodes the SPI stream the way the first LED does: it takes 24 bits,
/// passes the rest on; at the clock the binding sets, the timings hold (2.2–2.6 MHz, else every
/// LED reads noise). It keeps each frame it latched, and counts what did not decode.
/// </summary>
public sealed class Ws2812Emulator(int leds, int bus = 0, int chipSelect = 0) : SpiDevice
{
    private readonly object _gate = new();
    private readonly Color[] _pixels = new Color[leds];

    public override SpiConnectionSettings ConnectionSettings { get; } = new(bus, chipSelect);

    public bool Unplugged { get; set; }

    /// <summary>What each LED shows now.</summary>
    public Color[] Pixels
    {
        get
        {
            lock (_gate)
            {
                return (Color[])_pixels.Clone();
            }
        }
    }

    /// <summary>Every frame latched, in order.</summary>
    public List<Color[]> Frames { get; } = [];

    /// <summary>Transfers that did not decode (a triplet neither 100 nor 110, a partial LED, a wrong clock).</summary>
    public int Garbled { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Unplugged)
        {
            throw new IOException($"spidev{bus}.{chipSelect}: write failed (the strip's data line does not answer; an SPI write never fails on its own, this is the emulator's unplugged line).");
        }

        lock (_gate)
        {
            if (ConnectionSettings.ClockFrequency is < 2_200_000 or > 2_600_000)
            {
                Garbled++;
                return;
            }

            var bits = new List<bool>(buffer.Length * 8 / 3);
            var triplet = 0;
            var count = 0;
            var idle = false;
            foreach (var value in buffer)
            {
                for (var i = 7; i >= 0; i--)
                {
                    triplet = (triplet << 1) | ((value >> i) & 1);
                    if (++count < 3)
                    {
                        continue;
                    }

                    switch (triplet)
                    {
                        case 0b110 when !idle:
                            bits.Add(true);
                            break;
                        case 0b100 when !idle:
                            bits.Add(false);
                            break;
                        case 0b000:
                            idle = true; // the reset: the line stays low
                            break;
                        default:
                            Garbled++;
                            return;
                    }

                    (triplet, count) = (0, 0);
                }
            }

            if (bits.Count % 24 != 0)
            {
                Garbled++;
                return;
            }

            for (var led = 0; led < Math.Min(leds, bits.Count / 24); led++)
            {
                int Component(int index)
                {
                    var v = 0;
                    for (var b = 0; b < 8; b++)
                    {
                        v = (v << 1) | (bits[(led * 24) + (index * 8) + b] ? 1 : 0);
                    }

                    return v;
                }

                _pixels[led] = Color.FromArgb(Component(1), Component(0), Component(2));
            }

            Frames.Add((Color[])_pixels.Clone());
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override byte ReadByte() => 0;

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        readBuffer.Clear();
    }
}
