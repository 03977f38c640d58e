using Sensors.Testing;

namespace Sensors.Gateway.Tests;

/// <summary>The real `sensors run` process, a simulated school, and a real InfluxDB on loopback.</summary>
public sealed class GatewayEndToEndTests : IDisposable
{
    private const int Rooms = 7;
    private readonly InfluxServer _influx = new();

    private object Settings(string database, TimeSpan backfill, object? influx = null) => new GatewaySettingsBuilder("test-gateway")
        .ExampleSchool()
        .Influx(_influx, database).With("Influx", influx ?? new { BreakDuration = "00:00:01", RetryDelay = "00:00:00.200" })
        .With("Pipeline", new { FlushInterval = "00:00:00.500", FailurePause = "00:00:02" })
        .Simulation(TimeSpan.FromSeconds(10), backfill)
        .Build();

    private long WaitForCount(string database, long expected, TimeSpan timeout, GatewayProcess gateway)
    {
        var deadline = DateTime.UtcNow + timeout;
        long count;
        while ((count = _influx.Count(database, "air_quality", "co2_ppm")) < expected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
        }

        Assert.True(count >= expected, $"{count} of {expected} readings in InfluxDB after {timeout.TotalSeconds} s. Gateway said:\n{gateway.Output}");
        return count;
    }

    [Fact]
    public void SimulatedSchool_HourOfHistoryAndLiveReadings_LandInInfluxWithTheirTags()
    {
        _influx.CreateDatabase("school");
        using var gateway = new GatewayProcess(Settings("school", TimeSpan.FromHours(1))).Start();

        WaitForCount("school", Rooms * 360, TimeSpan.FromSeconds(60), gateway);

        var rooms = _influx.Query("school", "SELECT COUNT(co2_ppm), MIN(co2_ppm), MAX(co2_ppm), MIN(temperature_c), MAX(humidity_pct) FROM air_quality GROUP BY site, room, sensor_id, sensor_model");
        Assert.Equal(Rooms, rooms.Count);
        // The model's bounds, room by room: outdoor air, and the steady state of the room full with
        // the windows shut, plus the sensor's noise (a fixed 3,500 ppm failed at 11:14 Paris, when the
        // canteen of 90 had filled up to 3,605).
        var site = Sensors.Gateway.Sites.SiteFileLoader.Load(RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml")).Site!;
        Assert.All(rooms, room =>
        {
            Assert.Equal("ecole-jules-ferry", room["site"].GetString());
            Assert.Equal("simulated", room["sensor_model"].GetString());
            var spec = site.Rooms.Single(r => r.Id == room["room"].GetString());
            var most = Sensors.Simulation.ClassroomModel.MaxCo2Ppm(new Sensors.Simulation.ClassroomProfile(spec.VolumeM3, spec.Pupils)) + 10; // noise of ±8, rounded
            Assert.InRange(room["min"].GetDouble(), 380, most);
            Assert.InRange(room["max"].GetDouble(), 380, most);
            Assert.InRange(room["min_1"].GetDouble(), 10, 30);
            Assert.InRange(room["max_1"].GetDouble(), 20, 95); // the model's bounds: a full canteen passes 80 % (42 % + 0.5 % a person), seen at 09:25 Paris
        });
        Assert.Contains(rooms, r => r["room"].GetString() == "cm2-b" && r["sensor_id"].GetString() == "s8-cm2-b");

        Assert.Equal(0, gateway.Stop());
        Assert.DoesNotContain(" ERROR ", gateway.Output);
    }

    [Fact]
    public void InfluxDownAtStart_ReadingsWait_AndAllLandWhenItComesBack()
    {
        _influx.CreateDatabase("late");
        _influx.Stop();
        using var gateway = new GatewayProcess(Settings("late", TimeSpan.FromMinutes(30))).Start();
        gateway.Process.WaitForOutput("unavailable", TimeSpan.FromSeconds(30));

        _influx.Start();

        var count = WaitForCount("late", Rooms * 180, TimeSpan.FromSeconds(60), gateway);
        Assert.InRange(count, Rooms * 180, (Rooms * 180) + (Rooms * 10)); // the history, plus a few live readings
        gateway.Process.WaitForOutput("takes writes again", TimeSpan.FromSeconds(10));
        Assert.Equal(0, gateway.Stop());
    }

    [Fact]
    public void EnvironmentVariable_OverridesTheSettingsFile()
    {
        _influx.CreateDatabase("from_env");
        using var gateway = new GatewayProcess(
            Settings("from_file", TimeSpan.FromMinutes(10)),
            new Dictionary<string, string> { ["SENSORS_Influx__Database"] = "from_env" }).Start();

        WaitForCount("from_env", Rooms * 60, TimeSpan.FromSeconds(60), gateway);
        Assert.Contains("database 'from_env'", gateway.Output);
    }

    [Fact]
    public void WrongSetting_StopsTheGatewayAtStart_WithOneLineNamingKeyAndValue()
    {
        using var gateway = new GatewayProcess(Settings("x", TimeSpan.Zero, influx: new { Url = _influx.Url.ToString(), Database = "x", RequestTimeout = "10 seconds" })).Start();

        Assert.Equal(78, gateway.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("Configuration error: Influx:RequestTimeout = '10 seconds': expected a duration as hh:mm:ss", gateway.Output);
        Assert.Contains("The gateway did not start: 1 configuration error(s).", gateway.Output);
    }

    public void Dispose() => _influx.Dispose();
}
