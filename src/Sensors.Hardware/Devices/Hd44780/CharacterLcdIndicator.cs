using System.Globalization;
using System.Text;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.TrafficLight;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Hd44780;

/// <summary>
/// A 16×2 character LCD (HD44780 on a PCF8574 I2C backpack) as a classroom indicator, drawn by the
/// .NET IoT binding (Iot.Device.CharacterLcd's Lcd1602 over our seam). Line 1: the CO2 and the
/// colour in words ("1250 ppm  ORANGE"); line 2: the advice ("Air charge"). The HD44780's
/// character ROM has no accents, so the words are written without them. A grey frame reads
/// "---- ppm    GRIS" and says why; an off frame clears the glass and turns the backlight off.
/// A line is sent only when it changed (each character is four I2C writes).
/// </summary>
public sealed class CharacterLcdIndicator : IIndicator
{
    /// <summary>A PCF8574 backpack with A0–A2 open (a PCF8574A answers at 0x3f).</summary>
    public const int DefaultAddress = 0x27;

    private readonly Iot.Device.CharacterLcd.Lcd1602 _lcd;
    private readonly string _describe;
    private string[] _shown = ["", ""];

    public CharacterLcdIndicator(II2cDevice device, string bus, int address)
    {
        _describe = $"LCD 16×2 at {device.Describe}";
        _lcd = BindingCalls.Run(device.Describe, "LCD backpack", () => new Iot.Device.CharacterLcd.Lcd1602(device.AsI2cDevice(bus, address), uses8Bit: false));
        Show(new IndicatorFrame(LightShown.Off, null, string.Empty, false));
    }

    public string Describe => _describe;

    public bool MutePressed => false;

    /// <summary>The two lines a frame draws, 16 characters each.</summary>
    public static (string Line1, string Line2) Lines(IndicatorFrame frame)
    {
        var word = frame.Light switch
        {
            LightShown.Green => "VERT",
            LightShown.Orange => "ORANGE",
            LightShown.Red => "ROUGE",
            LightShown.Grey => "GRIS",
            _ => string.Empty,
        };
        var ppm = frame.Ppm is { } value ? Math.Round(value).ToString("0", CultureInfo.InvariantCulture) : "----";
        var line1 = frame.Light == LightShown.Off ? string.Empty : $"{ppm,4} ppm".PadRight(16 - word.Length) + word;
        return (Fit(line1), Fit(Ascii(frame.Words)));
    }

    public void Show(IndicatorFrame frame)
    {
        var (line1, line2) = Lines(frame);
        BindingCalls.Run(_describe, "LCD backpack", () => _lcd.BacklightOn = frame.Light != LightShown.Off);
        Write(line1, line2);
    }

    /// <summary>For `sensors doctor`: every cell lit, the backlight off and on twice, then the screen before.</summary>
    public async Task BlinkAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var (line1, line2) = (_shown[0], _shown[1]);
        Write("Test indicateur ", new string('#', 16));
        for (var i = 0; i < 2; i++)
        {
            BindingCalls.Run(_describe, "LCD backpack", () => _lcd.BacklightOn = false);
            await Task.Delay(TimeSpan.FromMilliseconds(300), time, cancellationToken).ConfigureAwait(false);
            BindingCalls.Run(_describe, "LCD backpack", () => _lcd.BacklightOn = true);
            await Task.Delay(TimeSpan.FromMilliseconds(300), time, cancellationToken).ConfigureAwait(false);
        }

        Write(line1, line2);
    }

    public void Dispose()
    {
        try
        {
            Show(new IndicatorFrame(LightShown.Off, null, string.Empty, false));
        }
        catch (HardwareException)
        {
            // unplugged: nothing left to darken
        }

        _lcd.Dispose();
    }

    /// <summary>Sends each line that differs from what the glass shows.</summary>
    private void Write(string line1, string line2) => BindingCalls.Run(_describe, "LCD backpack", () =>
    {
        for (var row = 0; row < 2; row++)
        {
            var text = Fit(row == 0 ? line1 : line2);
            if (_shown[row] != text)
            {
                _lcd.SetCursorPosition(0, row);
                _lcd.Write(text);
                _shown[row] = text;
            }
        }

        return true;
    });

    private static string Fit(string text) => text.Length >= 16 ? text[..16] : text.PadRight(16);

    /// <summary>"Air très chargé" → "Air tres charge": the ROM (A00) has no accented letters (folded by hand: the gateway runs with invariant globalization, which does not decompose them).</summary>
    private static string Ascii(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            var plain = lower switch
            {
                'à' or 'â' or 'ä' => "a",
                'ç' => "c",
                'é' or 'è' or 'ê' or 'ë' => "e",
                'î' or 'ï' => "i",
                'ô' or 'ö' => "o",
                'ù' or 'û' or 'ü' => "u",
                'ÿ' => "y",
                'œ' => "oe",
                'æ' => "ae",
                _ => c < 0x7F ? c.ToString() : "?",
            };
            folded.Append(char.IsUpper(c) && plain != "?" ? plain.ToUpperInvariant() : plain);
        }

        return folded.ToString();
    }
}
