using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using Sensors.Influx;

namespace Sensors.Influx.Tests;

/// <summary>
/// Answers a real InfluxDB 1.6 does not give on demand (413, 429 with Retry-After, a 502 from a
/// proxy), played by a scripted <see cref="HttpMessageHandler"/>, the writer's network seam.
/// </summary>
public class InfluxWriterAnswerTests
{
    private static InfluxWriter Writer(ScriptedHandler handler, Action<InfluxOptions>? configure = null)
    {
        var options = new InfluxOptions { Url = new Uri("http://127.0.0.1:1"), Database = "d", RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 3 };
        configure?.Invoke(options);
        return new InfluxWriter(new HttpClient(handler), options);
    }

    [Fact]
    public async Task TooLarge_SplitsTheBatch_UntilTheHalvesAreAccepted()
    {
        var handler = new ScriptedHandler(lines => lines.Count > 25 ? Answer(HttpStatusCode.RequestEntityTooLarge) : Answer(HttpStatusCode.NoContent));
        var writer = Writer(handler);

        var report = await writer.WriteAsync(Points.Batch(writer, Enumerable.Range(0, 100).Select(i => Points.Classroom(i))));

        Assert.True(report.IsComplete);
        Assert.Equal(100, report.Delivered);
        Assert.Equal(100, handler.Delivered.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => Points.Classroom(i).ToString()), handler.Delivered); // in order, once each
    }

    [Fact]
    public async Task TooLarge_ForOnePointAlone_RejectsThatPoint()
    {
        var writer = Writer(new ScriptedHandler(_ => Answer(HttpStatusCode.RequestEntityTooLarge, "{\"error\":\"request entity too large\"}")));

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        var rejected = Assert.Single(report.Rejected);
        Assert.Equal(413, rejected.StatusCode);
        Assert.Contains("larger than the server accepts", rejected.Reason);
    }

    [Fact]
    public async Task Throttled_WaitsTheServersRetryAfter_ThenDelivers()
    {
        var calls = new List<long>();
        var handler = new ScriptedHandler(_ =>
        {
            calls.Add(Stopwatch.GetTimestamp());
            if (calls.Count > 1)
            {
                return Answer(HttpStatusCode.NoContent);
            }

            var busy = Answer(HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return busy;
        });
        var writer = Writer(handler);

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.True(report.IsComplete);
        Assert.Equal(2, calls.Count);
        Assert.True(Stopwatch.GetElapsedTime(calls[0], calls[1]) >= TimeSpan.FromMilliseconds(950), "the retry came before the server's Retry-After");
    }

    [Fact]
    public async Task ServerError_IsRetried_ThenDelivered()
    {
        var calls = 0;
        var writer = Writer(new ScriptedHandler(_ => ++calls < 3 ? Answer(HttpStatusCode.BadGateway, "<html>proxy</html>") : Answer(HttpStatusCode.NoContent)));

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.True(report.IsComplete);
        Assert.Equal(3, report.Requests);
    }

    [Fact]
    public async Task ServerError_AfterAllRetries_IsAFailure_WithEverythingStillPending()
    {
        var writer = Writer(new ScriptedHandler(_ => Answer(HttpStatusCode.InternalServerError, "{\"error\":\"engine: disk full\"}")), o => o.MaxRetries = 2);

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1), Points.Classroom(2)]));

        Assert.Equal(AnswerKind.Unavailable, report.Failure!.Value.Kind);
        Assert.Equal("engine: disk full", report.Failure.Value.Reason);
        Assert.Equal(0, report.Settled);
        Assert.Equal(3, report.Requests);
    }

    [Fact]
    public async Task OtherClientError_KeepsThePoints_AndSaysTheAddressIsWrong()
    {
        var writer = Writer(new ScriptedHandler(_ => Answer(HttpStatusCode.MethodNotAllowed)));

        var report = await writer.WriteAsync(Points.Batch(writer, [Points.Classroom(1)]));

        Assert.Equal(AnswerKind.Misconfigured, report.Failure!.Value.Kind);
        Assert.Empty(report.Rejected);
        Assert.Equal(1, report.Requests);
    }

    [Fact]
    public async Task FailureAfterPartOfABatch_SettlesOnlyThePrefix()
    {
        // 400 for the whole batch, then the first half lands and the second half meets a 401.
        var calls = 0;
        var writer = Writer(new ScriptedHandler(_ => ++calls switch
        {
            1 => Answer(HttpStatusCode.BadRequest, "{\"error\":\"partial write\"}"),
            2 => Answer(HttpStatusCode.NoContent),
            _ => Answer(HttpStatusCode.Unauthorized),
        }));

        var report = await writer.WriteAsync(Points.Batch(writer, Enumerable.Range(0, 10).Select(i => Points.Classroom(i))));

        Assert.Equal(5, report.Settled);
        Assert.Equal(5, report.Delivered);
        Assert.Equal(AnswerKind.Unauthorized, report.Failure!.Value.Kind);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string? body = null) =>
        new(status) { Content = new StringContent(body ?? string.Empty) };

    /// <summary>Unzips each request and answers from a script that sees the lines sent.</summary>
    private sealed class ScriptedHandler(Func<IReadOnlyList<string>, HttpResponseMessage> script) : HttpMessageHandler
    {
        public List<string> Delivered { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var raw = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var gzipped = request.Content.Headers.ContentEncoding.Contains("gzip");
            var text = gzipped ? Encoding.UTF8.GetString(Unzip(raw)) : Encoding.UTF8.GetString(raw);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var response = script(lines);
            if (response.IsSuccessStatusCode)
            {
                Delivered.AddRange(lines);
            }

            return response;
        }

        private static byte[] Unzip(byte[] raw)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress))
            {
                gzip.CopyTo(output);
            }

            return output.ToArray();
        }
    }
}
