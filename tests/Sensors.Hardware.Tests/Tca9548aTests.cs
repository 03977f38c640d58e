using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Tca9548a;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;

namespace Sensors.Hardware.Tests;

/// <summary>Several SCD41 at 0x62 on one bus, each on its own channel of a TCA9548A (emulated, as the datasheet describes it).</summary>
public sealed class Tca9548aTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ThreeScd41AtTheSameAddress_BehindThreeChannels_EachReadsItsOwnRoom_EvenWhenTheyTalkAtOnce()
    {
        var time = new VirtualTime(Start);
        var buses = new EmulatedBuses().AddBus("i2c-1");
        var rooms = new[] { (Channel: 0, Ppm: 600.0), (Channel: 3, Ppm: 1100.0), (Channel: 7, Ppm: 1800.0) };
        foreach (var (channel, ppm) in rooms)
        {
            buses.Emulate(new SensorLocation("SCD41", MuxPaths.Of("i2c-1", 0x70, channel), null), _ => (ppm, 21, 45), time);
        }

        var sensors = rooms.Select(r => SensorModels.Open(new SensorLocation("SCD41", MuxPaths.Of("i2c-1", 0x70, r.Channel), null), buses, time)).ToList();
        var serials = await Task.WhenAll(sensors.Select(s => s.StartAsync(CancellationToken.None)));
        Assert.Equal(3, serials.Distinct().Count());

        time.Advance(TimeSpan.FromSeconds(5));
        var samples = await Task.WhenAll(sensors.Select(s => s.ReadAsync(CancellationToken.None)));
        Assert.Equal(rooms.Select(r => r.Ppm), samples.Select(s => s!.Co2Ppm!.Value));

        var mux = buses.Multiplexer("i2c-1");
        Assert.Contains(mux.Mask, new[] { 1 << 0, 1 << 3, 1 << 7 }); // one channel connected at a time: the last one read
        Assert.Contains("channel 3", sensors[1].Describe, StringComparison.Ordinal);
    }

    [Fact]
    public void TransfersFromManyThreads_EachReachTheDeviceOnTheirChannel()
    {
        var mux = new Tca9548aEmulator("i2c-1") { AddressPhaseSpins = 200 };
        var devices = Enumerable.Range(0, 4).Select(c => new Recorder()).ToList();
        for (var channel = 0; channel < 4; channel++)
        {
            mux.Attach(channel, 0x44, devices[channel]);
        }

        var driver = new Tca9548a(mux);
        var sensors = Enumerable.Range(0, 4).Select(c => driver.Channel(c, mux.Route(0x44))).ToList();
        using var together = new Barrier(4);
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 4).Select(c => new Thread(() =>
        {
            together.SignalAndWait();
            try
            {
                for (var i = 0; i < 3000; i++)
                {
                    sensors[c].Write([(byte)c]);
                }
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);

        for (var channel = 0; channel < 4; channel++)
        {
            Assert.Equal(3000, devices[channel].Received.Count);
            Assert.All(devices[channel].Received, b => Assert.Equal(channel, b)); // none went to another channel's device
        }
    }

    [Fact]
    public void ASelectedChannel_IsNotWrittenAgain_AndAMissingMultiplexer_SaysWhatToCheck()
    {
        var mux = new Tca9548aEmulator("i2c-1");
        var driver = new Tca9548a(mux);
        driver.Select(2);
        driver.Select(2);
        driver.Select(5);
        Assert.Equal(2, mux.Writes);
        Assert.Equal(1 << 5, driver.ReadMask());

        mux.Faults.Unplugged = true;
        driver.Forget();
        var error = Assert.Throws<HardwareException>(() => driver.Select(1));
        Assert.Contains("the TCA9548A multiplexer does not answer, so channel 1 cannot be selected", error.Message, StringComparison.Ordinal);
        Assert.Contains("RESET held high", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoConnectedChannels_WithDevicesAtTheSameAddress_GarbleWhatIsRead()
    {
        var time = new VirtualTime(Start);
        var buses = new EmulatedBuses().AddBus("i2c-1");
        buses.Emulate(new SensorLocation("SCD41", "i2c-1/0x70:0", null), _ => (600, 21, 45), time);
        buses.Emulate(new SensorLocation("SCD41", "i2c-1/0x70:1", null), _ => (900, 21, 45), time);
        var control = buses.OpenI2c("i2c-1", 0x70);
        control.Write([0b11]); // both channels at once: a wiring or software mistake
        var scd = new Sensors.Hardware.Devices.Scd4x.Scd4x(buses.OpenI2c("i2c-1", 0x62), time);

        var error = await Assert.ThrowsAsync<HardwareException>(() => scd.GetSerialNumberAsync(CancellationToken.None));
        Assert.Equal(HardwareFault.Checksum, error.Fault);
    }

    /// <summary>A device that keeps what it was sent.</summary>
    private sealed class Recorder : II2cDevice
    {
        public List<byte> Received { get; } = [];

        public string Describe => "recorder";

        public void Write(ReadOnlySpan<byte> data) => Received.AddRange(data.ToArray());

        public void Read(Span<byte> data) => data.Clear();

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("i2c-1/0x70:2", true, "i2c-1", 0x70, 2)]
    [InlineData("/dev/i2c-1/0x77:7", true, "/dev/i2c-1", 0x77, 7)]
    [InlineData("i2c-1", false, "i2c-1", 0, 0)]
    [InlineData("i2c-1/0x70:8", false, "i2c-1/0x70:8", 0, 0)]
    [InlineData("i2c-1/0x70", false, "i2c-1/0x70", 0, 0)]
    public void MuxPaths_Parse(string path, bool parsed, string bus, int mux, int channel)
    {
        Assert.Equal(parsed, MuxPaths.TryParse(path, out var b, out var m, out var c));
        Assert.Equal((bus, mux, channel), (b, m, c));
    }
}
