using System.Text;
using Sensors.LoRaWan.Pickups;
using Sensors.LoRaWan.Registry;
using Sensors.Testing;

namespace Sensors.LoRaWan.Tests;

/// <summary>RFID pickups from the trucks: one lift counted once, and the chip id never in clear.</summary>
public sealed class PickupTests
{
    private const string Chip = "E2000017221101441890ABCD";
    private static readonly DateTimeOffset Lift = new(2026, 11, 24, 7, 31, 12, TimeSpan.Zero);
    private readonly PickupReader _pickups;
    private readonly DeviceRegistry _registry;
    private readonly ChipPseudonymiser _pseudonyms = new(ChipPseudonymiser.ParseKey("9f0c2b7a41d35e68c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"));

    public PickupTests()
    {
        var (registry, errors) = DeviceRegistryLoader.Load(RepoPaths.Of("firmware-config/registry/devices.yaml"), RepoPaths.Of("firmware-config/codecs"));
        Assert.Empty(errors);
        _registry = registry!;
        _pickups = new PickupReader(_pseudonyms, new LiftWindow(TimeSpan.FromSeconds(60)), () => registry!);
    }

    private static byte[] Read(DateTimeOffset at, string chip = Chip, string truck = "camion-07", string extra = "") =>
        Encoding.UTF8.GetBytes($$"""{"chip_id":"{{chip}}","time":"{{at:O}}","truck_id":"{{truck}}","lat":48.8712,"lon":2.3401,"weight_kg":11.5{{extra}}}""");

    [Fact]
    public void FiveReadsOfOneLift_CountOnce_UnderAPseudonym()
    {
        var readings = Enumerable.Range(0, 5)
            .Select(i => _pickups.Read("trucks/camion-07/pickups", Read(Lift.AddSeconds(i * 3)), Lift))
            .ToList();

        // Every read gives the lift's one point (same series, same time): InfluxDB keeps one pickup.
        Assert.Single(readings.Select(r => r.ToString()).Distinct());
        var pickup = readings[0];
        Assert.Equal(1, _pickups.Pickups);
        Assert.Equal("bin_pickup", pickup.Measurement);
        Assert.Equal(1L, pickup.Field("count")!.Value.AsInteger);
        Assert.Equal(11.5, pickup.Field("weight_kg")!.Value.AsNumber);
        Assert.Equal(Lift, pickup.Timestamp);
        Assert.Equal("nord", pickup.Tag("sector"));
        Assert.Equal("camion-07", pickup.Tag("truck_id"));
        Assert.Equal(_pseudonyms.Pseudonym(Chip), pickup.Tag("bin_id"));
        Assert.DoesNotContain(Chip, pickup.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("48.87", pickup.ToString());
        Assert.Equal(4, _pickups.RepeatedReads);
    }

    [Fact]
    public void TheSameBin_LaterOrByAnotherTruck_IsAnotherPickup()
    {
        var points = new[]
        {
            _pickups.Read("trucks/camion-07/pickups", Read(Lift), Lift),
            _pickups.Read("trucks/camion-07/pickups", Read(Lift.AddMinutes(5)), Lift),
            _pickups.Read("trucks/camion-12/pickups", Read(Lift.AddMinutes(5), truck: "camion-12"), Lift),
        };

        Assert.Equal(3, _pickups.Pickups);
        Assert.Equal(3, points.Select(p => p.ToString()).Distinct().Count());
    }

    [Fact]
    public void LiftsSurviveARestart_SoARedeliveredReadGivesTheSamePoint_AndATornLineIsSkipped() => WithLiftState(state =>
    {
        var before = ReaderWith(new LiftWindow(TimeSpan.FromSeconds(60), state));
        var first = before.Read("trucks/camion-07/pickups", Read(Lift), Lift);
        before.Read("trucks/camion-07/pickups", Read(Lift.AddSeconds(50)), Lift);
        File.AppendAllText(state, "lift1\tbroken"); // a kill -9 in the middle of a line

        // A new process: the read 50 s into the lift comes again, then one 100 s in (the window slides), then a later lift.
        var window = new LiftWindow(TimeSpan.FromSeconds(60), state);
        var after = ReaderWith(window);
        var again = after.Read("trucks/camion-07/pickups", Read(Lift.AddSeconds(50)), Lift);
        var slid = after.Read("trucks/camion-07/pickups", Read(Lift.AddSeconds(100)), Lift);
        var next = after.Read("trucks/camion-07/pickups", Read(Lift.AddMinutes(10)), Lift);

        Assert.Equal(1, window.Restored);
        Assert.Equal(first.ToString(), again.ToString());
        Assert.Equal(first.ToString(), slid.ToString());
        Assert.Equal(Lift.AddMinutes(10), next.Timestamp);
        Assert.Equal(1, after.Pickups);
        Assert.Equal(2, after.RepeatedReads);
    });

    [Fact]
    public void AReadRedeliveredAfterLaterLifts_StillFindsItsLift_AfterARestart() => WithLiftState(state =>
    {
        // A kill -9 with a batch in hand: reads of this bin and of bins lifted ten minutes later were
        // taken (their lifts saved) but not acknowledged; the broker sends them all again.
        var before = ReaderWith(new LiftWindow(TimeSpan.FromSeconds(60), state));
        var first = before.Read("trucks/camion-07/pickups", Read(Lift), Lift);
        before.Read("trucks/camion-07/pickups", Read(Lift.AddMinutes(10), chip: "E2000017221101441890FFFF"), Lift);

        var after = ReaderWith(new LiftWindow(TimeSpan.FromSeconds(60), state));
        var again = after.Read("trucks/camion-07/pickups", Read(Lift.AddSeconds(2)), Lift);

        Assert.Equal(first.ToString(), again.ToString());
        Assert.Equal(0, after.Pickups);
    });

    /// <summary>Runs <paramref name="test"/> with the path of a lift state file in a folder of its own.</summary>
    private static void WithLiftState(Action<string> test)
    {
        var folder = Directory.CreateTempSubdirectory("lifts-");
        try
        {
            test(Path.Combine(folder.FullName, "lifts"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private PickupReader ReaderWith(LiftWindow window) => new(_pseudonyms, window, () => _registry);

    [Fact]
    public void Pseudonym_IsStableAcrossSpellings_AndDependsOnTheKey()
    {
        var other = new ChipPseudonymiser(ChipPseudonymiser.ParseKey("a different key of at least sixteen bytes"));

        Assert.Equal(_pseudonyms.Pseudonym(Chip), _pseudonyms.Pseudonym("e2 00 00 17 22 11 01 44 18 90 ab cd"));
        Assert.NotEqual(_pseudonyms.Pseudonym(Chip), other.Pseudonym(Chip));
        Assert.Matches("^[0-9a-f]{32}$", _pseudonyms.Pseudonym(Chip));
        Assert.Throws<ArgumentException>(() => new ChipPseudonymiser(ChipPseudonymiser.ParseKey("short")));
    }

    [Fact]
    public void Sector_ComesFromTheMessage_ThenThePosition_ThenTheTrucksRound()
    {
        var given = _pickups.Read("trucks/camion-07/pickups", Read(Lift, chip: "01", extra: ",\"sector\":\"centre\""), Lift)!;
        var bySouthBox = _pickups.Read("trucks/camion-07/pickups", Encoding.UTF8.GetBytes("""{"chip":"02","ts":1795500000,"position":{"lat":48.85,"lon":2.34}}"""), Lift)!;
        var byTruck = _pickups.Read("trucks/camion-12/pickups", Encoding.UTF8.GetBytes("""{"chip":"03"}"""), Lift)!;

        Assert.Equal("centre", given.Tag("sector"));
        Assert.Equal("sud", bySouthBox.Tag("sector"));
        Assert.Equal("camion-07", bySouthBox.Tag("truck_id"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795500000), bySouthBox.Timestamp);
        Assert.Equal("sud", byTruck.Tag("sector"));
        Assert.Equal(Lift, byTruck.Timestamp);
    }

    [Theory]
    [InlineData("{\"chip_id\":\"E2000017221101441890ABCD\",", "not JSON")]
    [InlineData("{\"chip_id\":\"E2000017221101441890ABCD\",\"truck_id\":\"Camion 7\"}", "truck_id")]
    [InlineData("{\"chip_id\":\"E2000017221101441890ABCD\",\"time\":\"yesterday\"}", "is not a time")]
    [InlineData("{\"truck_id\":\"camion-07\"}", "no chip id")]
    public void UnreadableRead_IsExplained_WithoutTheChip(string json, string expected)
    {
        var error = Assert.Throws<PickupException>(() => _pickups.Read("trucks/x/y", Encoding.UTF8.GetBytes(json), Lift));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(Chip, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
