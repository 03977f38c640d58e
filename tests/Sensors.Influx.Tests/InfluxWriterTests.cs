using Sensors.Core;
using Sensors.Influx;
using Sensors.Testing;

namespace Sensors.Influx.Tests;

/// <summary>The writer against a real InfluxDB 1.6 on loopback.</summary>
public sealed class InfluxWriterTests(InfluxServerFixture influx) : IClassFixture<InfluxServerFixture>
{
    private readonly InfluxServer _server = influx.Server;

    private InfluxWriter Writer(string database, Action<InfluxOptions>? configure = null, HttpMessageHandler? handler = null)
    {
        var options = new InfluxOptions { Url = _server.Url, Database = database, RetryDelay = TimeSpan.FromMilliseconds(50), BreakDuration = TimeSpan.FromSeconds(1) };
        configure?.Invoke(options);
        return new InfluxWriter(new HttpClient(handler ?? new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan }, options);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_ThousandReadings_AllReadBackWithTheirValues(bool gzip)
    {
        var db = $"write_{gzip}";
        _server.CreateDatabase(db);
        var writer = Writer(db, o => o.Gzip = gzip);

        var report = await writer.WriteAsync(Points.Batch(writer, Enumerable.Range(0, 1000).Select(i => Points.Classroom(i))));

        Assert.True(report.IsComplete);
        Assert.Equal(1000, report.Delivered);
        Assert.Equal(1, report.Requests);
        Assert.Equal(1000, _server.Count(db, "air_quality", "co2_ppm"));
        var row = Assert.Single(_server.Query(db, $"SELECT co2_ppm, temperature_c FROM air_quality WHERE time = {Points.T0 + 17_000_000_000L} GROUP BY *"));
        Assert.Equal(417.0, row["co2_ppm"].GetDouble());
        Assert.Equal("salle-3", row["room"].GetString());
        Assert.Equal("SCD41", row["sensor_model"].GetString());
    }

    [Fact]
    public async Task PartialWrite_OneBadPointAmongMany_GoodOnesLand_BadOneComesBackWithTheReason()
    {
        const string db = "partial";
        _server.CreateDatabase(db);
        var writer = Writer(db);
        await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(0)])); // co2_ppm is now a float field

        var readings = Enumerable.Range(1, 200).Select(i => Points.Classroom(i)).ToList();
        var poison = new Reading("air_quality", [new Tag("room", "salle-1"), new Tag("site", "ecole-jules-ferry")], [new Field("co2_ppm", "high")], Points.T0 + 5_000_000_000_000L);
        readings.Insert(137, poison);

        var report = await writer.WriteAsync(Points.Batch(writer, readings));

        Assert.True(report.IsComplete);
        Assert.Equal(201, report.Settled);
        Assert.Equal(200, report.Delivered);
        var rejected = Assert.Single(report.Rejected);
        Assert.Equal(137, rejected.Index);
        Assert.Equal(400, rejected.StatusCode);
        Assert.Contains("field type conflict", rejected.Reason);
        Assert.Equal(poison.ToString(), rejected.Line);
        Assert.Equal(201, _server.Count(db, "air_quality", "co2_ppm"));
        Assert.True(report.Requests <= 2 * 8 + 1, $"{report.Requests} requests to isolate one point among 201");
    }

    [Fact]
    public async Task MissingDatabase_IsAClearFailure_AndNothingIsSettled()
    {
        var writer = Writer("no_such_db");

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.False(report.IsComplete);
        Assert.Equal(0, report.Settled);
        Assert.Equal(AnswerKind.NotFound, report.Failure!.Value.Kind);
        Assert.Contains("database not found", report.Failure.Value.Reason);
        Assert.Equal(1, report.Requests); // not retried: waiting will not create it
    }

    [Fact]
    public async Task MissingDatabase_IsCreated_WhenConfiguredTo()
    {
        var writer = Writer("created_on_demand", o => o.CreateDatabase = true);

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1), Points.Classroom(2)]));

        Assert.True(report.IsComplete);
        Assert.Equal(2, _server.Count("created_on_demand", "air_quality", "co2_ppm"));
    }

    [Fact]
    public async Task UnsignedFields_LandOnInfluxDb1_AsIntegers()
    {
        const string db = "unsigned";
        _server.CreateDatabase(db);
        var writer = Writer(db);
        var reading = new Reading("bin_pickup", [new Tag("sector", "nord")], [new Field("count", 3UL)], Points.T0);

        var report = await writer.WriteAsync(Points.Batch(writer, [reading]));

        Assert.True(report.IsComplete, report.Failure?.Reason);
        Assert.Equal(3, Assert.Single(_server.Query(db, "SELECT count FROM bin_pickup"))["count"].GetInt64());
    }

    [Fact]
    public async Task ServerStoppedThenStarted_NothingLost_AndNoHotLoopWhileDown()
    {
        using var server = new InfluxServer();
        server.CreateDatabase("outage");
        var counting = new CountingHandler();
        var options = new InfluxOptions { Url = server.Url, Database = "outage", MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(100), BreakDuration = TimeSpan.FromSeconds(2) };
        var writer = new InfluxWriter(new HttpClient(counting) { Timeout = Timeout.InfiniteTimeSpan }, options);
        var pending = new LineBatch(1_000_000, 256 << 20, options.Encoding);
        var next = 0;

        async Task Round()
        {
            for (var i = 0; i < 50; i++)
            {
                pending.TryAdd(Points.Classroom(next++));
            }

            var report = await writer.WriteAsync(pending);
            pending.RemoveFirst(report.Settled);
        }

        await Round();
        Assert.True(pending.IsEmpty);

        server.Stop();
        var requestsBefore = counting.Requests;
        var outageEnds = DateTime.UtcNow.AddSeconds(5);
        var rounds = 0;
        while (DateTime.UtcNow < outageEnds)
        {
            await Round(); // a caller that keeps trying every 20 ms
            rounds++;
            await Task.Delay(20);
        }

        var requestsWhileDown = counting.Requests - requestsBefore;
        Assert.Equal(50 * rounds, pending.Count); // everything written during the outage is still held
        Assert.True(rounds > requestsWhileDown, $"{requestsWhileDown} requests for {rounds} write calls: the circuit breaker should keep most calls off the network");
        Assert.True(requestsWhileDown <= 3 * (1 + (5 / 2) + 1), $"{requestsWhileDown} requests in a 5 s outage");

        server.Start();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!pending.IsEmpty && DateTime.UtcNow < deadline)
        {
            var report = await writer.WriteAsync(pending);
            pending.RemoveFirst(report.Settled);
            if (!pending.IsEmpty)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(pending.IsEmpty, $"{pending.Count} points still pending 30 s after InfluxDB came back");
        Assert.Equal(next, server.Count("outage", "air_quality", "co2_ppm"));
    }
}

/// <summary>Wrong credentials against an influxd with authentication on.</summary>
public sealed class InfluxWriterAuthTests : IDisposable
{
    private readonly InfluxServer _server = new(auth: true);

    [Fact]
    public async Task WrongPassword_IsAnUnauthorizedFailure_SentOnce_NotRetried()
    {
        _server.CreateDatabase("secured");
        var counting = new CountingHandler();
        var writer = new InfluxWriter(new HttpClient(counting), new InfluxOptions { Url = _server.Url, Database = "secured", Username = InfluxServer.AdminUser, Password = "wrong" });

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.Equal(AnswerKind.Unauthorized, report.Failure!.Value.Kind);
        Assert.Equal(401, report.Failure.Value.StatusCode);
        Assert.Contains("authorization failed", report.Failure.Value.Reason);
        Assert.Equal(1, counting.Requests);
        Assert.Equal(0, report.Settled);
    }

    [Fact]
    public async Task RightPassword_Lands()
    {
        _server.CreateDatabase("secured_ok");
        var writer = new InfluxWriter(new HttpClient(), new InfluxOptions { Url = _server.Url, Database = "secured_ok", Username = InfluxServer.AdminUser, Password = InfluxServer.AdminPassword });

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.True(report.IsComplete, report.Failure?.Reason);
        Assert.Equal(1, _server.Count("secured_ok", "air_quality", "co2_ppm"));
    }

    public void Dispose() => _server.Dispose();
}

public sealed class InfluxServerFixture : IDisposable
{
    public InfluxServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
