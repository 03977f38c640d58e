using Sensors.Hardware.Emulation;
using System.Buffers.Binary;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Devices.SenseAirS8;

/// <summary>
/// A SenseAir S8 on a serial line, Modbus RTU: input registers IR1 (meter status, bit 5 when the
/// CO2 is out of range), IR4 (CO2), IR30–31 (sensor id); holding registers HR1 (acknowledgement),
/// HR2 (special command: 0x7C06 background calibration), HR32 (ABC period); exception 2 for an
/// unknown register; silence for a frame with a wrong CRC; the faults of <see cref="SensorFaults"/>.
/// </summary>
public sealed class SenseAirS8Emulator(Air air, TimeProvider time, SensorFaults? faults = null, string port = "/dev/emulated-s8", uint sensorId = 0x0AB1_C2D3)
    : SerialEmulator(port, time, faults ?? new SensorFaults(), 8, TimeSpan.FromMilliseconds(4))
{
    private readonly EmulatedMeasurement _measurement = new(air, faults ?? new SensorFaults());
    private double _offset;
    private ushort _acknowledgement;

    public ushort AbcPeriodHours { get; private set; } = SenseAirS8.DefaultAbcPeriodHours;

    protected override byte[]? Answer(byte[] request)
    {
        if (request[0] is not (SenseAirS8.AnyAddress or 0x68) || BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)) != ModbusCrc.Compute(request.AsSpan(0, 6)))
        {
            return null;
        }

        var function = request[1];
        var register = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(2));
        var value = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(4));
        switch (function)
        {
            case SenseAirS8.ReadInputRegisters or SenseAirS8.ReadHoldingRegisters:
                var registers = new ushort[value];
                var co2 = _measurement.Take(Time.GetUtcNow()).Co2 + _offset;
                for (var i = 0; i < value; i++)
                {
                    if (Register(function, (ushort)(register + i), co2) is not { } content)
                    {
                        return Exception(function, 2);
                    }

                    registers[i] = content;
                }

                var answer = new byte[3 + (2 * value) + 2];
                answer[0] = request[0];
                answer[1] = function;
                answer[2] = (byte)(2 * value);
                for (var i = 0; i < value; i++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(3 + (2 * i)), registers[i]);
                }

                return WithCrc(answer);
            case SenseAirS8.WriteSingleRegister:
                switch (register)
                {
                    case SenseAirS8.AcknowledgementRegister:
                        _acknowledgement = value;
                        break;
                    case SenseAirS8.SpecialCommandRegister when value == SenseAirS8.BackgroundCalibration:
                        _offset = 400 - _measurement.Take(Time.GetUtcNow()).Co2;
                        _acknowledgement |= 0x20;
                        break;
                    case SenseAirS8.AbcPeriodRegister:
                        AbcPeriodHours = value;
                        break;
                    default:
                        return Exception(function, 2);
                }

                return WithCrc([.. request.AsSpan(0, 6), 0, 0]);
            default:
                return Exception(function, 1);
        }
    }

    private ushort? Register(byte function, ushort register, double value) =>
        (function, register) switch
        {
            (SenseAirS8.ReadInputRegisters, 0x0000) => value is < 0 or > 10_000 ? (ushort)0x20 : (ushort)0,
            (SenseAirS8.ReadInputRegisters, 0x0001 or 0x0002) => 0,
            (SenseAirS8.ReadInputRegisters, 0x0003) => (ushort)(short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue),
            (SenseAirS8.ReadInputRegisters, 0x001D) => (ushort)(sensorId >> 16),
            (SenseAirS8.ReadInputRegisters, 0x001E) => (ushort)sensorId,
            (SenseAirS8.ReadHoldingRegisters, SenseAirS8.AcknowledgementRegister) => _acknowledgement,
            (SenseAirS8.ReadHoldingRegisters, SenseAirS8.AbcPeriodRegister) => AbcPeriodHours,
            _ => null,
        };

    private static byte[] Exception(byte function, byte code) => WithCrc([SenseAirS8.AnyAddress, (byte)(function | 0x80), code, 0, 0]);

    private static byte[] WithCrc(byte[] frame)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(frame.Length - 2), ModbusCrc.Compute(frame.AsSpan(0, frame.Length - 2)));
        return frame;
    }
}
