using Sensors.Core;

namespace Sensors.Influx.Tests;

internal static class Points
{
    public const long T0 = 1_790_000_000_000_000_000; // 2026-09-21, inside InfluxDB's default retention

    public static Reading Classroom(int i, double co2 = 0) => new(
        "air_quality",
        [new Tag("site", "ecole-jules-ferry"), new Tag("room", $"salle-{i % 7}"), new Tag("sensor_id", $"scd41-{i % 7}"), new Tag("sensor_model", "SCD41")],
        [new Field("co2_ppm", co2 == 0 ? 400.0 + i : co2), new Field("temperature_c", 20.5), new Field("humidity_pct", 45.0)],
        T0 + (i * 1_000_000_000L));

    public static LineBatch Batch(InfluxWriter writer, IEnumerable<Reading> readings)
    {
        var batch = new LineBatch(100_000, 64 << 20, writer.Endpoint.Options.Encoding);
        foreach (var reading in readings)
        {
            Assert.True(batch.TryAdd(reading));
        }

        return batch;
    }
}

/// <summary>Counts requests on their way to the real server, to prove there is no hot retry loop.</summary>
internal sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return base.SendAsync(request, cancellationToken);
    }
}
