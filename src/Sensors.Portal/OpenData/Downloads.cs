using Sensors.Central;
using System.Diagnostics;
using Sensors.Portal.Influx;
using Sensors.Portal.Pages;
using Sensors.Sites;

namespace Sensors.Portal.OpenData;

/// <summary>
/// /donnees/{id}.csv and .json: a dataset for a period, streamed. The rows come a batch at a time
/// (<see cref="Datasets.BatchesAsync"/>: statements of <see cref="Dataset.SliceDays"/> local days,
/// read as InfluxDB streams them or a slice ahead), and each batch leaves as bytes before the next
/// is read, so memory holds a batch or two whatever the period, and the first bytes leave as soon
/// as the first batch is in. A client that goes away cancels the statements.
/// <para>
/// How a client knows it has the whole file: the body is sent chunked and ends with its closing
/// chunk only when complete; a failure midway aborts the connection instead, so the client sees
/// an incomplete transfer (curl: exit 18), never a 200 that looks whole. JSON also ends with
/// "rows": N, which a cut document lacks.
/// </para>
/// </summary>
public sealed class Downloads(IInfluxQuery influx, PortalOptions options, DownloadCache cache, TimeProvider time, ILogger<Downloads> log)
{
    private const string Html = "text/html; charset=utf-8";

    public async Task SendAsync(HttpContext http, string file)
    {
        var format = Path.GetExtension(file).TrimStart('.');
        if (Datasets.Find(Path.GetFileNameWithoutExtension(file)) is not { } dataset || format is not ("csv" or "json"))
        {
            await Answer(http, 404, Layout.NotFound(options.City), Html);
            return;
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), options.Zone).DateTime);
        var (from, to, problem) = PortalApp.Period(http.Request.Query["du"], http.Request.Query["au"], today);
        if (problem is not null)
        {
            await Answer(http, 400, problem + "\n", "text/plain; charset=utf-8");
            return;
        }

        var baseUrl = PortalApp.BaseUrl(http, options);
        var name = $"{dataset.Id}_{from:yyyy-MM-dd}_{to:yyyy-MM-dd}.{format}";
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{name}\"";
        var cacheName = DownloadCache.Name(dataset.Id, format, from, to, $"{baseUrl}|{options.Licence.Url}|{options.TimeZone}");
        var cached = cache.Caches(from, to, today);
        if (cached && cache.Find(cacheName) is { } kept)
        {
            await SendFileAsync(http, kept, format);
            return;
        }

        http.Response.Headers.CacheControl = cached ? "public, max-age=3600" : "no-cache";
        var watch = Stopwatch.StartNew();
        var slices = Slices(from, to, dataset.SliceDays).ToList();
        var writer = Formats.For(format, dataset, from, to, options, baseUrl);
        var cancellation = http.RequestAborted;
        await using var batches = Datasets.BatchesAsync(dataset, influx, options, slices, cancellation).GetAsyncEnumerator(cancellation);
        try
        {
            await batches.MoveNextAsync();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return;
        }
        catch (CentralDataException error)
        {
            log.LogWarning("Download {Name} not started, the database did not answer: {Reason}", name, error.Message);
            http.Response.Headers.RetryAfter = "60";
            await Answer(http, 503, "La base de données ne répond pas ; réessayez dans quelques minutes. / The database does not answer; try again in a few minutes.\n", "text/plain; charset=utf-8");
            return;
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = Formats.ContentType(format);
        var copy = cached ? cache.Begin(cacheName) : null;
        try
        {
            writer.Start();
            await WriteAsync(http, copy, writer.Written, cancellation);
            do
            {
                writer.Rows(batches.Current);
                await WriteAsync(http, copy, writer.Written, cancellation);
            }
            while (await batches.MoveNextAsync());

            writer.End();
            await WriteAsync(http, copy, writer.Written, cancellation);
            if (copy is not null)
            {
                await cache.KeepAsync(copy, cacheName);
                copy = null;
            }

            log.LogInformation("Download {Name}: {Rows} rows in {Seconds:0.0} s ({Slices} statements).", name, writer.Count, watch.Elapsed.TotalSeconds, slices.Count);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            log.LogInformation("Download {Name}: the client went away after {Rows} rows; its statements were stopped.", name, writer.Count);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            // Headers and rows are gone already: abort the connection so the client sees an incomplete file, not a 200 that looks whole.
            log.LogError(error, "Download {Name} cut after {Rows} rows: {Reason} The client's transfer was aborted (incomplete); it may try again.", name, writer.Count, error.Message);
            http.Abort();
        }
        finally
        {
            if (copy is not null)
            {
                await cache.DropAsync(copy);
            }

            if (writer.Count >= MemoryRelease.HeavyRows)
            {
                MemoryRelease.Now();
            }
        }
    }

    /// <summary>[from, to] as local days, in slices of <paramref name="days"/> days, each as UTC instants [start, end).</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Slices(DateOnly from, DateOnly to, int days)
    {
        for (var day = from; day <= to; day = day.AddDays(days))
        {
            var last = day.AddDays(days - 1) < to ? day.AddDays(days - 1) : to;
            yield return (LessonHours.Instant(day.ToDateTime(TimeOnly.MinValue), options.Zone), LessonHours.Instant(last.AddDays(1).ToDateTime(TimeOnly.MinValue), options.Zone));
        }
    }

    private static async Task WriteAsync(HttpContext http, FileStream? copy, ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        await http.Response.Body.WriteAsync(bytes, cancellation);
        await http.Response.Body.FlushAsync(cancellation);
        if (copy is not null)
        {
            await copy.WriteAsync(bytes, cancellation);
        }
    }

    private static async Task SendFileAsync(HttpContext http, FileInfo file, string format)
    {
        var result = Results.File(file.FullName, Formats.ContentType(format), lastModified: file.LastWriteTimeUtc, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue(DownloadCache.Tag(file)), enableRangeProcessing: true);
        http.Response.Headers.CacheControl = "public, max-age=86400";
        await result.ExecuteAsync(http);
    }

    private static async Task Answer(HttpContext http, int status, string text, string type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = type;
        await http.Response.WriteAsync(text);
    }
}
