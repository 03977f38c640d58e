using Sensors.Hardware.Bus;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Devices.Bme280;

/// <summary>
/// A Bosch BME280 (temperature, pressure, humidity; datasheet BST-BME280-DS002) on an emulated bus,
/// for the .NET IoT binding (Iot.Device.Bmxx80) run over our seam. Registers as the datasheet maps
/// them: chip id 0xD0 = 0x60, reset 0xE0 (0xB6), calibration 0x88–0xA1 and 0xE1–0xE7, ctrl_hum
/// 0xF2, status 0xF3 (measuring, bit 3), ctrl_meas 0xF4 (oversampling and mode), config 0xF5, data
/// 0xF7–0xFE (pressure and temperature 20 bits, humidity 16). A one-byte write sets the register
/// pointer, longer writes are (register, value) pairs, reads go on from the pointer. A forced
/// measurement (mode 01 or 10) takes the datasheet's time (1.25 ms + 2.3 ms per oversampling step of
/// each quantity, + 0.575 ms for pressure and humidity), with the measuring bit set meanwhile; in
/// normal mode (11) the data follows the air. The raw values are what the datasheet's compensation
/// formulas turn back into the air's temperature, pressure and humidity, with its example
/// calibration (dig_T1 27504, dig_T2 26435, dig_T3 −1000, dig_P1 36477 … dig_P9 6000).
/// </summary>
public sealed class Bme280Emulator : II2cDevice
{
    public const int DefaultAddress = 0x76;

    // Calibration: the datasheet's example for temperature and pressure, usual values for humidity.
    private const ushort T1 = 27504;
    private const short T2 = 26435, T3 = -1000;
    private const ushort P1 = 36477;
    private const short P2 = -10685, P3 = 3024, P4 = 2855, P5 = 140, P6 = -7, P7 = 15500, P8 = -14600, P9 = 6000;
    private const byte H1 = 75, H3 = 0;
    private const short H2 = 362, H4 = 313, H5 = 50;
    private const sbyte H6 = 30;

    private readonly Func<DateTimeOffset, (double TemperatureC, double PressureHpa, double HumidityPct)> _air;
    private readonly TimeProvider _time;
    private readonly byte[] _registers = new byte[256];
    private readonly string _bus;
    private byte _pointer;
    private long _measuredAt;

    public Bme280Emulator(Func<DateTimeOffset, (double TemperatureC, double PressureHpa, double HumidityPct)> air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c")
    {
        _air = air;
        _time = time;
        _bus = bus;
        Faults = faults ?? new SensorFaults();
        Reset();
    }

    public SensorFaults Faults { get; }

    public string Describe => $"{_bus} 0x{DefaultAddress:x2}";

    /// <summary>Forced measurements made.</summary>
    public int Measurements { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        if (data.Length == 0)
        {
            return;
        }

        _pointer = data[0];
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            Set(data[i], data[i + 1]);
        }
    }

    public void Read(Span<byte> data)
    {
        Faults.ThrowIfUnplugged(Describe);
        Refresh();
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = _registers[(byte)(_pointer + i)];
        }

        _pointer = (byte)(_pointer + data.Length);
    }

    public void Dispose()
    {
    }

    private void Set(byte register, byte value)
    {
        switch (register)
        {
            case 0xE0 when value == 0xB6:
                Reset();
                return;
            case 0xF2:
                _registers[0xF2] = (byte)(value & 0x07);
                return;
            case 0xF5:
                _registers[0xF5] = (byte)(value & 0xFD);
                return;
            case 0xF4:
                _registers[0xF4] = value;
                if ((value & 0x03) is 0x01 or 0x02)
                {
                    // Forced (01 or 10, §3.3): one measurement with the oversampling set now, then back to sleep.
                    Measure();
                    _measuredAt = _time.GetTimestamp() + (long)(MeasurementTime().TotalSeconds * _time.TimestampFrequency);
                    _registers[0xF4] = (byte)(value & 0xFC);
                    Measurements++;
                }

                return;
            default:
                return; // read-only registers ignore writes
        }
    }

    /// <summary>Status's measuring bit while a forced measurement runs; in normal mode the data follows the air.</summary>
    private void Refresh()
    {
        var measuring = _time.GetTimestamp() < _measuredAt;
        _registers[0xF3] = (byte)(measuring ? 0x08 : 0x00);
        if ((_registers[0xF4] & 0x03) == 0x03)
        {
            Measure();
        }
    }

    /// <summary>§9.1: 1.25 ms + 2.3 ms × oversampling of T, of P (+ 0.575), of H (+ 0.575); a quantity skipped costs nothing.</summary>
    private TimeSpan MeasurementTime()
    {
        static int Osr(int code) => code == 0 ? 0 : 1 << Math.Min(code - 1, 4);
        var t = Osr((_registers[0xF4] >> 5) & 7);
        var p = Osr((_registers[0xF4] >> 2) & 7);
        var h = Osr(_registers[0xF2] & 7);
        return TimeSpan.FromMilliseconds(1.25 + (2.3 * t) + (p > 0 ? (2.3 * p) + 0.575 : 0) + (h > 0 ? (2.3 * h) + 0.575 : 0));
    }

    private void Measure()
    {
        var (celsius, hpa, percent) = _air(_time.GetUtcNow());
        var adcT = Search(0, (1 << 20) - 1, adc => Temperature(adc).Celsius, celsius);
        var fine = Temperature(adcT).Fine;
        var adcP = Search(0, (1 << 20) - 1, adc => -Pressure(adc, fine), -hpa * 100);
        var adcH = Search(0, 65535, adc => Humidity(adc, fine), percent);
        var skipT = ((_registers[0xF4] >> 5) & 7) == 0;
        var skipP = ((_registers[0xF4] >> 2) & 7) == 0;
        var skipH = (_registers[0xF2] & 7) == 0;
        Put20(0xF7, skipP ? 0x80000 : adcP);
        Put20(0xFA, skipT ? 0x80000 : adcT);
        _registers[0xFD] = (byte)((skipH ? 0x8000 : adcH) >> 8);
        _registers[0xFE] = (byte)(skipH ? 0x8000 : adcH);
    }

    private void Put20(int register, int value)
    {
        _registers[register] = (byte)(value >> 12);
        _registers[register + 1] = (byte)(value >> 4);
        _registers[register + 2] = (byte)((value & 0x0F) << 4);
    }

    /// <summary>The raw value in [low, high] whose compensated value is nearest <paramref name="target"/> (the formulas rise with the raw value).</summary>
    private static int Search(int low, int high, Func<int, double> compensated, double target)
    {
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (compensated(middle) < target)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // §8.1, the floating-point compensation formulas.
    private static (double Celsius, double Fine) Temperature(int adc)
    {
        var var1 = ((adc / 16384.0) - (T1 / 1024.0)) * T2;
        var var2 = ((adc / 131072.0) - (T1 / 8192.0)) * ((adc / 131072.0) - (T1 / 8192.0)) * T3;
        return ((var1 + var2) / 5120.0, var1 + var2);
    }

    private static double Pressure(int adc, double fine)
    {
        var var1 = (fine / 2.0) - 64000.0;
        var var2 = var1 * var1 * P6 / 32768.0;
        var2 += var1 * P5 * 2.0;
        var2 = (var2 / 4.0) + (P4 * 65536.0);
        var1 = ((P3 * var1 * var1 / 524288.0) + (P2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * P1;
        var p = 1048576.0 - adc;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = P9 * p * p / 2147483648.0;
        var2 = p * P8 / 32768.0;
        return p + ((var1 + var2 + P7) / 16.0);
    }

    private static double Humidity(int adc, double fine)
    {
        var h = fine - 76800.0;
        h = (adc - ((H4 * 64.0) + (H5 / 16384.0 * h))) * (H2 / 65536.0 * (1.0 + (H6 / 67108864.0 * h * (1.0 + (H3 / 67108864.0 * h)))));
        h *= 1.0 - (H1 * h / 524288.0);
        return Math.Clamp(h, 0, 100);
    }

    private void Reset()
    {
        Array.Clear(_registers);
        _registers[0xD0] = 0x60;
        void U16(int at, int value)
        {
            _registers[at] = (byte)value;
            _registers[at + 1] = (byte)(value >> 8);
        }

        U16(0x88, T1);
        U16(0x8A, T2);
        U16(0x8C, T3);
        U16(0x8E, P1);
        U16(0x90, P2);
        U16(0x92, P3);
        U16(0x94, P4);
        U16(0x96, P5);
        U16(0x98, P6);
        U16(0x9A, P7);
        U16(0x9C, P8);
        U16(0x9E, P9);
        _registers[0xA1] = H1;
        U16(0xE1, H2);
        _registers[0xE3] = H3;
        _registers[0xE4] = (byte)(H4 >> 4);
        _registers[0xE5] = (byte)((H4 & 0x0F) | ((H5 & 0x0F) << 4));
        _registers[0xE6] = (byte)(H5 >> 4);
        _registers[0xE7] = (byte)H6;
        Put20(0xF7, 0x80000);
        Put20(0xFA, 0x80000);
        _registers[0xFD] = 0x80;
    }
}
