using Sensors.Hardware.Devices.SenseAirS8;
using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Devices.Scd30;
using Sensors.Hardware.Devices.Mhz19b;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Hardware.Tests;

/// <summary>The datasheets' own test vectors.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void SensirionCrc8_Of0xBEEF_Is0x92() => Assert.Equal(0x92, SensirionCrc.Compute(0xBEEF));

    [Fact]
    public void ModbusCrc16_OfTheS8ReadCo2Request_EndsD5C5()
    {
        Assert.Equal(0xC5D5, ModbusCrc.Compute([0xFE, 0x04, 0x00, 0x03, 0x00, 0x01]));
        Assert.Equal("FE0400030001D5C5", Convert.ToHexString(SenseAirS8.Request(SenseAirS8.ReadInputRegisters, SenseAirS8.Co2Register, 1)));
    }

    [Theory]
    [InlineData(Mhz19b.ReadCo2Command, new byte[0], "FF0186000000000079")] // read CO2
    [InlineData(Mhz19b.ZeroCalibrationCommand, new byte[0], "FF0187000000000078")] // zero point calibration
    [InlineData(Mhz19b.AbcCommand, new byte[] { 0xA0 }, "FF0179A000000000E6")] // ABC on
    [InlineData(Mhz19b.AbcCommand, new byte[] { 0x00 }, "FF0179000000000086")] // ABC off
    public void WinsenFrames_MatchTheDatasheet(byte command, byte[] arguments, string expected) =>
        Assert.Equal(expected, Convert.ToHexString(Mhz19b.Frame(command, arguments)));

    [Fact]
    public void WinsenChecksum_OfAReadAnswer_Matches()
    {
        // Datasheet example answer: FF 86 02 60 47 00 00 00 D1 (CO2 = 0x0260 = 608 ppm).
        byte[] answer = [0xFF, 0x86, 0x02, 0x60, 0x47, 0x00, 0x00, 0x00, 0xD1];
        Assert.Equal(0xD1, WinsenChecksum.Compute(answer));
    }

    [Fact]
    public void Scd4xConversions_MatchTheDatasheetExample()
    {
        // read_measurement example (§3.6.2): 0x01F4 → 500 ppm, 0x6667 → 25 °C, 0x5EB9 → 37 % RH.
        Assert.Equal(25.0, Scd4x.ToTemperature(0x6667), 2);
        Assert.Equal(37.0, Scd4x.ToHumidity(0x5EB9), 2);
        // set_temperature_offset example (§3.7.1): 5.4 °C → 0x07E6.
        Assert.Equal(0x07E6, Scd4x.FromTemperatureOffset(5.4));
        // perform_forced_recalibration example (§3.7.1): 0x7FCE → −50 ppm; 0xFFFF → failed.
        Assert.Equal(-50, Scd4x.ToCorrection(0x7FCE));
        Assert.Null(Scd4x.ToCorrection(0xFFFF));
        Assert.False(Scd4x.IsReady(0x8000));
        Assert.True(Scd4x.IsReady(0x8006));
    }

    [Fact]
    public void Scd30Float_RoundTripsThroughTwoWords()
    {
        // Interface description §1.4.5 example: 0x43DB 0x8C2E is a CO2 concentration of 439 ppm.
        var co2 = Scd30.ToFloat(0x43DB, 0x8C2E)!.Value;
        Assert.Equal(439, Math.Round(co2));
        var (high, low) = Scd30.FromFloat((float)co2);
        Assert.Equal((0x43DB, 0x8C2E), (high, low));
        Assert.Null(Scd30.ToFloat(0x43DB, null));
    }

    [Fact]
    public void S8MeterStatus_NamesEachBit()
    {
        Assert.Null(SenseAirS8.DescribeStatus(0));
        Assert.Equal("a value out of range", SenseAirS8.DescribeStatus(0x20));
        Assert.Equal("a fatal error, a memory error", SenseAirS8.DescribeStatus(0x41));
    }
}
