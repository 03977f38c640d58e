namespace Sensors.Hardware.Bus;

/// <summary>
/// Sensirion's CRC-8 over each 16-bit word (SCD4x datasheet §3.11, SCD30 interface description
/// §1.1.3): polynomial 0x31 (x⁸ + x⁵ + x⁴ + 1), initial value 0xFF, no reflection, no final XOR.
/// Test vector from both: CRC(0xBEEF) = 0x92.
/// </summary>
public static class SensirionCrc
{
    public static byte Compute(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    public static byte Compute(ushort word) => Compute([(byte)(word >> 8), (byte)word]);
}

/// <summary>
/// Modbus RTU's CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF), sent low byte first. Test
/// vector from SenseAir's S8 Modbus documentation: the request FE 04 00 03 00 01 ends D5 C5.
/// </summary>
public static class ModbusCrc
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
        }

        return crc;
    }
}

/// <summary>
/// Winsen MH-Z19B's frame checksum (datasheet, "checksum calculation"): the two's complement of
/// the sum of bytes 1 to 7. The read request FF 01 86 00 00 00 00 00 ends in 0x79.
/// </summary>
public static class WinsenChecksum
{
    public static byte Compute(ReadOnlySpan<byte> frame)
    {
        byte sum = 0;
        for (var i = 1; i < 8; i++)
        {
            sum += frame[i];
        }

        return (byte)(0xFF - sum + 1);
    }
}
