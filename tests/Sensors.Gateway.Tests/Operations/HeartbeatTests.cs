using Sensors.Gateway.Sources.Self;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>The heartbeat: its pure parts (the Pi's throttling word, card wear per day, the calibration log), then the real gateway's points in a real InfluxDB.</summary>
public sealed class HeartbeatTests : IDisposable
{
    private readonly InfluxServer _influx = new();
    private readonly TempFolder _folder = new("heartbeat");

    [Theory]
    [InlineData("throttled=0x0\n", false, false, false, false)]
    [InlineData("0x50005", true, true, true, true)] // under-voltage and throttled now and since boot: the classic weak-supply word
    [InlineData("50000", false, false, true, true)] // happened since boot, fine now
    [InlineData("0x1", true, false, false, false)]
    [InlineData("0x2", false, true, false, false)] // ARM frequency capped counts as throttled
    [InlineData("0x80008", false, false, false, false)] // soft temperature limit: neither
    public void PiThrottling_ReadsTheFirmwareWord(string text, bool underVoltage, bool throttled, bool underVoltageSinceBoot, bool throttledSinceBoot)
    {
        var word = PiThrottling.Parse(text)!.Value;
        Assert.Equal((underVoltage, throttled, underVoltageSinceBoot, throttledSinceBoot), (word.UnderVoltageNow, word.ThrottledNow, word.UnderVoltageSinceBoot, word.ThrottledSinceBoot));
    }

    [Theory]
    [InlineData("")]
    [InlineData("throttled=")]
    [InlineData("0xZZ")]
    [InlineData("123456789")]
    [InlineData("-1")]
    [InlineData("\0\0")]
    public void PiThrottling_OddWords_AreUnknown(string text) => Assert.Null(PiThrottling.Parse(text));

    [Fact]
    public void WriteRate_ScalesTheLastDayToADay_AndWaitsForTenMinutes()
    {
        var rate = new WriteRate();
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(rate.Add(start, 1_000_000));
        Assert.Null(rate.Add(start.AddMinutes(5), 1_500_000)); // 5 minutes: a start's burst, not a day's wear
        Assert.Equal(144_000_000, rate.Add(start.AddMinutes(10), 2_000_000)); // 1 MB in 10 min = 144 MB a day
        for (var minute = 11; minute <= 36 * 60; minute++)
        {
            rate.Add(start.AddMinutes(minute), 2_000_000 + ((minute - 10) * 10_000L));
        }

        // After 36 h, only the last 24 h count: 10 kB a minute = 14.4 MB a day.
        Assert.Equal(14_400_000, rate.Add(start.AddMinutes((36 * 60) + 1), 2_000_000 + (((36 * 60) + 1 - 10) * 10_000L)));
        Assert.Null(rate.Add(start.AddHours(40), 5)); // the counter went back: start again
    }

    [Fact]
    public void CalibrationLog_KeepsEachSensorsLastCalibration_AndSkipsOddLines()
    {
        var log = CalibrationLog.Parse([
            "2026-09-01T08:00:00Z\tco2-a\tforced\t420",
            "2026-10-02T09:30:00Z\tco2-a\tforced\t415",
            "2026-10-02T09:31:00Z\tco2-a\tasc\toff",
            "garbage",
            "2026-10-02T09:31:00Z\t\tforced\t400",
            "yesterday\tco2-b\tforced\t400",
            "2026-10-03T09:31:00Z\tco2-b\tforced\tlots",
            "2026-10-03T09:31:00Z\tco2-b\tasc\tmaybe",
            "2026-11-01T07:00:00Z\tco2-c\tasc\ton",
        ]);
        Assert.Equal(new CalibrationState(new DateTimeOffset(2026, 10, 2, 9, 30, 0, TimeSpan.Zero), 415, false), log["co2-a"]);
        Assert.Equal(new CalibrationState(null, null, null), log["co2-b"]);
        Assert.Equal(new CalibrationState(null, null, true), log["co2-c"]);
        Assert.Equal(3, log.Count);
    }

    [Fact]
    public async Task TheGatewayReports_ItsVersionConfigurationPowerAndCard_AndEachSensorsHealth()
    {
        var throttled = _folder.File("get_throttled");
        var thermal = _folder.File("temp");
        File.WriteAllText(throttled, "0x50005\n");
        File.WriteAllText(thermal, "61234\n");
        _influx.CreateDatabase("fleet");
        var journal = Path.Combine(_folder.Path, "journal");
        CalibrationLog.AppendForced(journal, "scd30-ce2-a", 420, new DateTimeOffset(2026, 11, 30, 8, 15, 0, TimeSpan.Zero));
        CalibrationLog.AppendSelfCalibration(journal, "scd30-ce2-a", true, new DateTimeOffset(2026, 11, 30, 8, 16, 0, TimeSpan.Zero));
        using var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-heartbeat")
            .ExampleSchool()
            .Influx(_influx, "fleet").With("Influx", new { CreateDatabase = true })
            .With("Pipeline", new { FlushInterval = "00:00:00.500" })
            .With("Hardware", new { Emulate = true })
            .With("Journal", new { Directory = journal })
            .With("Gateway", new { ReportInterval = "00:00:01", ThrottledPath = throttled, SocTemperaturePath = thermal })
            .Build(), new Dictionary<string, string> { ["SENSORS_Hardware__Enabled"] = "true" }).Start();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && (_influx.Count("fleet", "sensor_health", "last_reading_age_s") < 1 || _influx.Count("fleet", "gateway", "uptime_s") < 2))
        {
            await Task.Delay(500);
        }

        var beat = _influx.Query("fleet", "SELECT * FROM gateway ORDER BY time DESC LIMIT 1").Single();
        Assert.Equal("gw-heartbeat", beat["gateway_id"].GetString());
        var version = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(Sensors.Gateway.Health.GatewayMetrics).Assembly)!.InformationalVersion;
        Assert.Equal(version, beat["version"].GetString());
        Assert.Matches("^[0-9a-f]{12}$", beat["config_hash"].GetString());
        Assert.Equal(1, beat["report_interval_s"].GetInt64());
        Assert.True(beat["clock_synced"].GetBoolean());
        Assert.True(beat["under_voltage"].GetBoolean());
        Assert.True(beat["throttled"].GetBoolean());
        Assert.True(beat["under_voltage_since_boot"].GetBoolean());
        Assert.Equal(61.2, beat["soc_temperature_c"].GetDouble());
        Assert.True(beat["disk_free_bytes"].GetInt64() > 0);
        Assert.Equal(0, beat["sources_stuck"].GetInt64());
        Assert.Equal(0, beat["quarantined_total"].GetInt64());
        Assert.True(beat["last_delivery_age_s"].GetInt64() is >= 0 and < 30, gateway.Output);

        // Every wired sensor of the school reports its health; the SCD30's calibration is the one the log holds.
        Assert.Equal(7, _influx.Query("fleet", "SHOW TAG VALUES FROM sensor_health WITH KEY = sensor_id").Count);
        var scd30 = _influx.Query("fleet", "SELECT * FROM sensor_health WHERE sensor_id = 'scd30-ce2-a' ORDER BY time DESC LIMIT 1").Single();
        Assert.Equal("SCD30", scd30["sensor_model"].GetString());
        Assert.Equal("ce2-a", scd30["room"].GetString());
        Assert.Contains(scd30["state"].GetString(), new[] { "warming_up", "ok" });
        Assert.Equal("2026-11-30T08:15:00Z", scd30["last_calibration"].GetString());
        Assert.Equal(420, scd30["last_calibration_ppm"].GetInt64());
        Assert.Equal("on", scd30["self_calibration"].GetString()); // the SCD30 leaves the factory with it off; `sensors calibrate --asc on` set it
        Assert.Equal("sensors calibrate", scd30["self_calibration_by"].GetString());
        var mhz = _influx.Query("fleet", "SELECT * FROM sensor_health WHERE sensor_id = 'mhz19b-cm1-a' ORDER BY time DESC LIMIT 1").Single();
        Assert.Equal("on", mhz["self_calibration"].GetString());
        Assert.Equal("factory", mhz["self_calibration_by"].GetString());
        Assert.StartsWith("altitude ", mhz["compensation"].GetString()); // a serial sensor takes no pressure
        var bme = _influx.Query("fleet", "SELECT * FROM sensor_health WHERE sensor_id = 'bme280-ce2-a' ORDER BY time DESC LIMIT 1").Single();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, bme["self_calibration"].ValueKind); // no CO2, nothing to calibrate
    }

    public void Dispose()
    {
        _influx.Dispose();
        _folder.Dispose();
    }
}
