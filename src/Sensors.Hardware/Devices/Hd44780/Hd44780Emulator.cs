using Sensors.Hardware.Bus;

namespace Sensors.Hardware.Devices.Hd44780;

/// <summary>
/// A 16×2 character LCD (HD44780, Hitachi datasheet ADE-207-272) behind the usual PCF8574 I2C
/// backpack, on an emulated bus: what the .NET IoT binding (Iot.Device.CharacterLcd) draws is
/// decoded the way the glass shows it. The backpack's byte drives the LCD's pins: P0 RS, P1 R/W,
/// P2 E, P3 the backlight, P4–P7 D4–D7. The HD44780 latches D4–D7 on E's falling edge; it wakes in
/// 8-bit mode, where each latch is one instruction, until a function set with DL = 0 switches it
/// to 4 bits, two latches per byte (high nibble first). Instructions: clear (0x01), home (0x02),
/// entry mode (0x04: I/D), display control (0x08: D), function set (0x20), set DDRAM address
/// (0x80). DDRAM addresses 0x00–0x27 are line 1, 0x40–0x67 line 2; the display shows the first 16
/// of each. It keeps every screen it showed, in order.
/// </summary>
public sealed class Hd44780Emulator(string bus = "emulated-i2c", int address = Hd44780Emulator.DefaultAddress) : II2cDevice
{
    /// <summary>The PCF8574's address with A0–A2 open (0x3F for the PCF8574A).</summary>
    public const int DefaultAddress = CharacterLcdIndicator.DefaultAddress;

    private const byte RegisterSelect = 0x01, Enable = 0x04, Backlight = 0x08;

    private readonly byte[] _ddram = Enumerable.Repeat((byte)' ', 0x80).ToArray();
    private readonly object _gate = new();
    private byte _port = 0xFF;
    private bool _eightBit = true;
    private byte? _highNibble;
    private int _address;
    private bool _increment = true;

    public bool Unplugged { get; set; }

    public string Describe => $"{bus} 0x{address:x2}";

    public bool BacklightOn { get; private set; }

    public bool DisplayOn { get; private set; }

    /// <summary>The two lines as the glass shows them (blank when the display is off).</summary>
    public string[] Lines
    {
        get
        {
            lock (_gate)
            {
                return DisplayOn ? [Line(0x00), Line(0x40)] : [new string(' ', 16), new string(' ', 16)];
            }
        }
    }

    /// <summary>Every distinct screen shown, in order ("line 1|line 2").</summary>
    public List<string> Screens { get; } = [];

    public void Write(ReadOnlySpan<byte> data)
    {
        if (Unplugged)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: no answer (NACK): the display is unplugged.");
        }

        lock (_gate)
        {
            foreach (var value in data)
            {
                var falling = (_port & Enable) != 0 && (value & Enable) == 0;
                _port = value;
                BacklightOn = (value & Backlight) != 0;
                if (falling)
                {
                    Latch((byte)(value & 0xF0), (value & RegisterSelect) != 0);
                }
            }
        }
    }

    /// <summary>The PCF8574's quasi-bidirectional port: it reads what was last written.</summary>
    public void Read(Span<byte> data)
    {
        if (Unplugged)
        {
            throw new HardwareException(HardwareFault.NoAnswer, $"{Describe}: no answer (NACK): the display is unplugged.");
        }

        data.Fill(_port);
    }

    public void Dispose()
    {
    }

    private void Latch(byte nibble, bool data)
    {
        if (_eightBit)
        {
            Execute(nibble, data); // D0–D3 are not wired: they read 0
            return;
        }

        if (_highNibble is not { } high)
        {
            _highNibble = nibble;
            return;
        }

        _highNibble = null;
        Execute((byte)(high | (nibble >> 4)), data);
    }

    private void Execute(byte value, bool data)
    {
        if (data)
        {
            _ddram[_address] = value;
            Move(_increment ? 1 : -1);
            Record();
            return;
        }

        if ((value & 0x80) != 0)
        {
            _address = value & 0x7F;
        }
        else if ((value & 0x40) != 0)
        {
            // CGRAM address: custom characters are not drawn here
        }
        else if ((value & 0x20) != 0)
        {
            _eightBit = (value & 0x10) != 0;
            _highNibble = null;
        }
        else if ((value & 0x08) != 0)
        {
            DisplayOn = (value & 0x04) != 0;
            Record();
        }
        else if ((value & 0x04) != 0)
        {
            _increment = (value & 0x02) != 0;
        }
        else if ((value & 0x02) != 0)
        {
            _address = 0;
        }
        else if (value == 0x01)
        {
            Array.Fill(_ddram, (byte)' ');
            (_address, _increment) = (0, true);
            Record();
        }
    }

    /// <summary>The address counter runs 0x00–0x27, then 0x40–0x67, then back to 0x00.</summary>
    private void Move(int by)
    {
        _address += by;
        _address = _address switch
        {
            0x28 => 0x40,
            0x68 => 0x00,
            0x3F => 0x27,
            -1 => 0x67,
            _ => _address,
        };
    }

    private string Line(int start) => new(_ddram.AsSpan(start, 16).ToArray().Select(b => b is >= 0x20 and < 0x7F ? (char)b : '?').ToArray());

    private void Record()
    {
        if (!DisplayOn)
        {
            return;
        }

        var screen = $"{Line(0x00)}|{Line(0x40)}";
        if (Screens.Count == 0 || Screens[^1] != screen)
        {
            Screens.Add(screen);
        }
    }
}
