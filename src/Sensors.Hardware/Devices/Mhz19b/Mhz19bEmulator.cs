using Sensors.Hardware.Emulation;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.Mhz19b;

/// <summary>
/// A Winsen MH-Z19B on a serial line: 9-byte frames with their checksum (a wrong one is ignored,
/// as the sensor does), read CO2 (0x86, with the temperature + 40 in byte 4), zero calibration
/// (0x87: the current air becomes 400 ppm), span (0x88), ABC on/off (0x79), detection range
/// (0x99), values clipped to the range, and the faults of <see cref="SensorFaults"/>.
/// </summary>
public sealed class Mhz19bEmulator(Air air, TimeProvider time, SensorFaults? faults = null, string port = "/dev/emulated-mhz19b")
    : SerialEmulator(port, time, faults ?? new SensorFaults(), 9, TimeSpan.FromMilliseconds(200))
{
    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private double _zeroOffset;

    public bool Abc { get; private set; } = true;

    public int RangePpm { get; private set; } = 5000;

    protected override byte[]? Answer(byte[] request)
    {
        if (request[0] != 0xFF || request[1] != 0x01 || WinsenChecksum.Compute(request) != request[8])
        {
            return null;
        }

        var now = Time.GetUtcNow();
        switch (request[2])
        {
            case Mhz19b.ReadCo2Command:
                var (co2, t, _) = _measurement.Take(now);
                var value = (int)Math.Clamp(Math.Round(co2 + _zeroOffset), 0, Faults.Co2Override is null ? RangePpm : 65535);
                var answer = new byte[] { 0xFF, 0x86, (byte)(value >> 8), (byte)value, (byte)Math.Clamp(t + 40, 0, 255), 0, 0, 0, 0 };
                answer[8] = WinsenChecksum.Compute(answer);
                return answer;
            case Mhz19b.ZeroCalibrationCommand:
                _zeroOffset = 400 - _measurement.Take(now).Co2;
                return null;
            case Mhz19b.AbcCommand:
                Abc = request[3] == 0xA0;
                return null;
            case Mhz19b.DetectionRangeCommand:
                RangePpm = (request[6] << 8) | request[7];
                return null;
            default:
                return null;
        }
    }
}
