using Sensors.Hardware.Devices.Sensirion;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Devices.Sht3x;

/// <summary>
/// A Sensirion SHT3x temperature and humidity sensor (SHT30/31/35, datasheet SHT3x-DIS v7,
/// §4) on an emulated bus, for the .NET IoT binding (Iot.Device.Sht3x) run over our seam.
/// Two-byte commands: single shot without clock stretching at high, medium or low repeatability
/// (0x2400, 0x240B, 0x2416: ready after 15, 6 and 4 ms; a read before that is NACKed, §4.3), with
/// clock stretching (0x2C06, 0x2C0D, 0x2C10: the sensor holds SCL until the answer is ready, so
/// the read gets it), soft reset (0x30A2), heater on and off (0x306D, 0x3066), status register
/// (0xF32D: heater bit 13, reset-detected bit 4) and clear status (0x3041). The answer is two
/// words, each with its CRC-8 (0x31, init 0xFF): S_T = (T + 45) × 65535 / 175, S_RH = RH × 65535 / 100.
/// The I2C framing is the one every Sensirion sensor shares (<see cref="SensirionEmulator"/>).
/// </summary>
public sealed class Sht3xEmulator(Air air, TimeProvider time, SensorFaults? faults = null, string bus = "emulated-i2c", int address = Sht3xEmulator.DefaultAddress)
    : SensirionEmulator($"{bus} 0x{address:x2}", time, faults ?? new SensorFaults())
{
    /// <summary>ADDR pin low; 0x45 with ADDR high.</summary>
    public const int DefaultAddress = 0x44;

    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private bool _resetDetected = true;

    public bool Heater { get; private set; }

    protected override TimeSpan Execute(ushort command, ushort? argument, out ushort[]? answer)
    {
        answer = null;
        switch (command)
        {
            case 0x2400 or 0x240B or 0x2416 when argument is null:
                answer = Sample(Time.GetUtcNow());
                return TimeSpan.FromMilliseconds(command switch { 0x2400 => 15, 0x240B => 6, _ => 4 });
            case 0x2C06 or 0x2C0D or 0x2C10 when argument is null:
                answer = Sample(Time.GetUtcNow());
                return TimeSpan.Zero; // clock stretching: the read waits for the answer
            case 0x30A2 when argument is null:
                (Heater, _resetDetected) = (false, true);
                return TimeSpan.FromMilliseconds(1.5);
            case 0x306D or 0x3066 when argument is null:
                Heater = command == 0x306D;
                return TimeSpan.Zero;
            case 0xF32D when argument is null:
                answer = [(ushort)((Heater ? 1 << 13 : 0) | (_resetDetected ? 1 << 4 : 0))];
                return TimeSpan.Zero;
            case 0x3041 when argument is null:
                _resetDetected = false;
                return TimeSpan.Zero;
            default:
                throw Refuse(command, "not an SHT3x command");
        }
    }

    private ushort[] Sample(DateTimeOffset at)
    {
        var (_, t, rh) = _measurement.Take(at);
        return [(ushort)Math.Round(Math.Clamp((t + 45) * 65535 / 175, 0, 65535)), (ushort)Math.Round(Math.Clamp(rh * 65535 / 100, 0, 65535))];
    }
}
