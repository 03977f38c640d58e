using Microsoft.Extensions.Logging.Abstractions;
using Sensors.Central;
using Sensors.Operations.Fleet;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>The rules on a fleet written by hand into a real InfluxDB (<see cref="FleetData"/>), each answer worked out on paper.</summary>
public sealed class FleetRulesTests : IClassFixture<FleetRulesTests.Fleet>
{
    private readonly FleetSnapshot _fleet;

    public FleetRulesTests(Fleet fleet) => _fleet = fleet.Snapshot;

    public sealed class Fleet : IDisposable
    {
        private readonly InfluxServer _influx = new();
        private readonly TempFolder _folder = new("fleet");

        public Fleet()
        {
            FleetData.Seed(_influx);
            File.WriteAllText(_folder.File("devices.yaml"), FleetData.Registry);
            var options = Options(_influx, _folder.File("devices.yaml"));
            var registry = new RegistrySource(options.Registry, NullLogger<RegistrySource>.Instance);
            var reader = new FleetReader(new InfluxQueryClient(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, options.Influx), options, new SiteDirectory([]), registry.Current);
            Snapshot = reader.ReadAsync(FleetData.Now, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Null(registry.Problem);
        }

        public FleetSnapshot Snapshot { get; }

        public void Dispose()
        {
            _influx.Dispose();
            _folder.Dispose();
        }
    }

    public static ConsoleOptions Options(InfluxServer influx, string registry) => new()
    {
        Influx = new InfluxReadOptions { Url = influx.Url.ToString(), Database = FleetData.Database },
        Registry = registry,
        GatewayServices = new() { ["gw-c"] = "waste" },
    };

    private static string[] RulesOf(IFleetRow row) => [.. row.Problems.Select(p => p.Rule).Order(StringComparer.Ordinal)];

    [Fact]
    public void Gateways_NotReportingAfterThreeIntervals_AndEachFigureOverItsThreshold()
    {
        var a = _fleet.Gateways.Single(g => g.Id == "gw-a");
        Assert.Equal(["card_writes", "dead_letters_growing", "journal_backlog", "under_voltage"], RulesOf(a));
        Assert.Contains("3 relevé(s) refusé(s)", a.Problems.Single(p => p.Rule == "dead_letters_growing").Fr, StringComparison.Ordinal);
        Assert.Equal(FleetData.Now.AddSeconds(-30).AddHours(-2), a.Problems.Single(p => p.Rule == "journal_backlog").Since); // the oldest reading waits since the report's time less its age
        Assert.Equal(["gateway_not_reporting"], RulesOf(_fleet.Gateways.Single(g => g.Id == "gw-b"))); // 181 s > 3 × 60 s
        Assert.Equal(FleetData.Now.AddSeconds(-181), _fleet.Gateways.Single(g => g.Id == "gw-b").Problems[0].Since);
        var c = _fleet.Gateways.Single(g => g.Id == "gw-c");
        Assert.Empty(c.Problems); // 179 s: within
        Assert.Equal("waste", c.Service); // Console:GatewayServices
        Assert.Equal("environment", a.Service);
    }

    [Fact]
    public void AGatewayWithMissingAndAbsurdFields_IsShownWithWhatItHas()
    {
        var odd = _fleet.Gateways.Single(g => g.Id.StartsWith("gw-odd", StringComparison.Ordinal));
        Assert.Equal("gw-odd <script>", odd.Id);
        Assert.Null(odd.Text("version"));
        Assert.Null(odd.Number("report_interval_s"));
        Assert.Equal(1e300, odd.Number("soc_temperature_c")); // absurd, kept as written: the page shows it, nothing breaks
        Assert.Equal(-5, odd.Number("journal_points"));
        Assert.Empty(odd.Problems); // reported 10 s ago (default interval 60 s), nothing known to be wrong
    }

    [Fact]
    public void ClassroomSensors_DriftFromTheNightsMedian_StuckOverTwoHoursOfLessons_SilentAfterAnHour()
    {
        var ok = _fleet.Sensors.Single(s => s.SensorId == "co2-ok");
        Assert.Equal(431, ok.NightBaseline); // sorted 425 428 430 431 432 435 440: median 431
        Assert.Equal(7, ok.Nights);
        Assert.Empty(ok.Problems);

        var drift = _fleet.Sensors.Single(s => s.SensorId == "co2-drift");
        Assert.Equal(600, drift.NightBaseline);
        Assert.Equal(["sensor_drift"], RulesOf(drift));
        Assert.Contains("600 ppm (7 nuits)", drift.Problems[0].Fr, StringComparison.Ordinal);

        var few = _fleet.Sensors.Single(s => s.SensorId == "co2-few");
        Assert.Equal((700, 3), (few.NightBaseline, few.Nights));
        Assert.Empty(few.Problems); // 3 nights < 4: not judged

        var stuck = _fleet.Sensors.Single(s => s.SensorId == "co2-stuck");
        Assert.Equal((0, 24L), (stuck.LessonSpread, stuck.LessonReadings));
        Assert.Equal(["sensor_stuck"], RulesOf(stuck));
        Assert.Equal((161, 24L), (ok.LessonSpread, ok.LessonReadings)); // 800 … 800 + 23 × 7: moving
    }

    [Fact]
    public void ClassroomSensors_SilentAndFailed()
    {
        Assert.Equal(["sensor_silent"], RulesOf(_fleet.Sensors.Single(s => s.SensorId == "co2-silent")));
        var failed = _fleet.Sensors.Single(s => s.SensorId == "co2-failed");
        Assert.Equal(["sensor_failed"], RulesOf(failed));
        Assert.Equal("gw-a", failed.GatewayId);
        Assert.Equal("on (factory)", failed.SelfCalibration);
        Assert.Equal("2026-11-02T08:00:00Z", failed.LastCalibration);
        Assert.Contains("no answer on /dev/ttyAMA0", failed.Problems[0].Fr, StringComparison.Ordinal);
    }

    [Fact]
    public void LoRaWanDevices_SilentAfterThreeMissedUplinks_BatteryLow_FrameLossFromCounterGaps_NotFromRejoinOrWrap()
    {
        DeviceRow Device(string eui) => _fleet.Devices.Single(d => d.Eui == eui);
        Assert.Empty(Device("a000000000000001").Problems); // 29 min < 3 × 10 min
        Assert.True(RulesOf(Device("a000000000000002")).SequenceEqual(["device_silent"]), $"{Device("a000000000000002")}"); // 31 min
        Assert.Equal(["battery_low"], RulesOf(Device("a000000000000003")));
        Assert.Empty(Device("a000000000000007").Problems); // the same 15 %, its type's threshold is 10 %
        var gaps = Device("a000000000000004");
        Assert.Equal((12L, 2L), (gaps.Frames, gaps.Lost));
        Assert.Equal(["frame_loss"], RulesOf(gaps));
        Assert.Equal(100.0 * 2 / 14, gaps.LossPct!.Value, 6);
        var wrap = Device("a000000000000005");
        Assert.Equal((12L, 0L), (wrap.Frames, wrap.Lost));
        Assert.Empty(wrap.Problems);
        Assert.Equal(["device_silent"], RulesOf(Device("a000000000000006"))); // registered, never heard
        Assert.Equal(("bin", "waste", "pav-gaps", "sud"), (gaps.Kind, gaps.Service, gaps.Asset, gaps.Site));
        Assert.Equal(-85.5, gaps.RssiMedian); // -80 … -91: median of 12 is (-85 + -86) / 2
    }

    [Fact]
    public void StreetLights_FaultDayNightAndPower()
    {
        LampRow Lamp(string id) => _fleet.Lamps.Single(l => l.LampId == id);
        Assert.Equal(["lamp_lit_by_day"], RulesOf(Lamp("lp-day")));
        Assert.Equal(["lamp_fault"], RulesOf(Lamp("lp-fault")));
        Assert.Equal(["lamp_dark_at_night"], RulesOf(Lamp("lp-dark")));
        Assert.Equal(["lamp_power"], RulesOf(Lamp("lp-weak")));
        Assert.Contains("19 W pour 50 W attendus", Lamp("lp-weak").Problems[0].Fr, StringComparison.Ordinal);
        Assert.Empty(Lamp("lp-fine").Problems);
        Assert.Equal(100, Lamp("lp-fine").RatedW);
        Assert.All(_fleet.Devices.Where(d => d.Kind == "lamp"), d => Assert.Equal("lighting", d.Service));
    }
}
