using Sensors.Central;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Sensors.Look;
using Sensors.Sites;
using Sensors.Portal.Data;
using Sensors.Portal.Influx;
using Sensors.Portal.OpenData;
using Sensors.Portal.Pages;
using Sensors.Portal.Rollups;

namespace Sensors.Portal;

/// <summary>
/// The portal as a web application: settings, services, routes. <see cref="Build"/> is what
/// Program runs and what the tests and the benchmark start, with their own clock.
/// </summary>
public static class PortalApp
{
    private const string Html = "text/html; charset=utf-8";

    /// <summary>No script, no frame, nothing from elsewhere: what the browser may load, said to the browser.</summary>
    private const string Policy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly string StyleTag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(PageLook.Css)))[..16];

    /// <summary>The application, or the settings' problems (one line each) when they do not make sense.</summary>
    public static (WebApplication? App, IReadOnlyList<string> Errors) Build(string[] args, Action<IServiceCollection>? services = null)
    {
        var (builder, options, errors) = CentralApp.Create<PortalOptions>(args, "Portal", "SENSORS_PORTAL_", o => o.Validate());
        if (builder is null || options is null)
        {
            return (null, errors);
        }

        var (sites, siteErrors) = SiteFiles.LoadFolder(Path.GetFullPath(options.Sites, Directory.GetCurrentDirectory()));
        builder.WebHost.UseUrls($"http://{(options.Address.Contains(':', StringComparison.Ordinal) ? $"[{options.Address}]" : options.Address)}:{options.Port}");
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new SiteDirectory(sites));
        builder.Services.AddSingleton(options.Influx);
        builder.Services.AddHttpClient<IInfluxQuery, InfluxQueryClient>(http => http.Timeout = options.Influx.Timeout);
        builder.Services.AddSingleton<AirQualityData>();
        builder.Services.AddSingleton<CityData>();
        builder.Services.AddSingleton<AirPages>();
        builder.Services.AddSingleton<CityPages>();
        builder.Services.AddSingleton(sp => new RollupJob(
            new InfluxQueryClient(new HttpClient { Timeout = TimeSpan.FromMinutes(5) }, options.Influx), // a backfill counts a year of points at once
            new InfluxWriteClient(new HttpClient { Timeout = TimeSpan.FromMinutes(2) }, options),
            options,
            sp.GetRequiredService<ILogger<RollupJob>>()));
        if (options.Rollups.Enabled && !args.Contains("rollup"))
        {
            builder.Services.AddHostedService<RollupService>();
        }

        builder.Services.AddSingleton(options.Downloads);
        builder.Services.AddSingleton<DownloadCache>();
        builder.Services.AddSingleton<Downloads>();
        builder.Services.AddOutputCache(cache => cache.AddBasePolicy(policy => policy.Expire(options.CacheFor > TimeSpan.Zero ? options.CacheFor : TimeSpan.FromTicks(1)).SetVaryByQuery("du", "au", "semaine")));
        builder.Services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.Providers.Add<GzipCompressionProvider>();
            compression.MimeTypes = ["text/html", "text/css", "text/csv", "application/json", "application/ld+json"];
        });
        services?.Invoke(builder.Services);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sensors.Portal");
        foreach (var problem in siteErrors)
        {
            log.LogWarning("Site file problem, that school shows by its identifiers until fixed: {Problem}", problem);
        }

        app.Use(async (context, next) =>
        {
            // Whatever a page or a download throws is said in the log with its cause, and to the
            // reader in words: 503 with Retry-After when the database is the cause, 500 otherwise.
            try
            {
                await next();
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // the reader went away: nothing to answer
            }
            catch (Exception error) when (!context.Response.HasStarted)
            {
                var database = error is CentralDataException;
                if (database)
                {
                    log.LogWarning("{Path} not built, the database did not answer: {Reason}", context.Request.Path, error.Message);
                }
                else
                {
                    log.LogError(error, "{Path} not built: {Type}: {Reason} This is the portal's fault; the log's stack trace says where.", context.Request.Path, error.GetType().Name, error.Message);
                }

                context.Response.Clear();
                context.Response.StatusCode = database ? 503 : 500;
                if (database)
                {
                    context.Response.Headers.RetryAfter = "60";
                }

                context.Response.ContentType = Html;
                await context.Response.WriteAsync(database ? Layout.Unavailable(options.City) : Layout.Failed(options.City));
            }
        });
        app.UseResponseCompression();
        app.Use(async (context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = Policy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next();
        });
        if (options.CacheFor > TimeSpan.Zero)
        {
            app.UseOutputCache();
        }

        Routes(app, options, log);
        return (app, []);
    }

    private static void Routes(WebApplication app, PortalOptions options, ILogger log)
    {
        var city = options.City;
        app.MapGet("/", (AirPages pages, HttpContext http) => Page(city, async () => (string?)await pages.HomeAsync(http.RequestAborted))).CacheOutput();
        app.MapGet("/ecoles", (AirPages pages, HttpContext http) => Page(city, async () => (string?)await pages.SchoolsAsync(http.RequestAborted))).CacheOutput();
        app.MapGet("/ecoles/{site}", (string site, AirPages pages, HttpContext http) =>
            Page(city, () => SiteDirectory.IsRoutable(site) ? pages.SchoolAsync(SiteDirectory.FromRoute(site), http.RequestAborted) : Task.FromResult<string?>(null))).CacheOutput();
        app.MapGet("/ecoles/{site}/{room}", (string site, string room, AirPages pages, HttpContext http) =>
            Page(city, () => SiteDirectory.IsRoutable(site) && SiteDirectory.IsRoutable(room) ? pages.ClassroomAsync(SiteDirectory.FromRoute(site), SiteDirectory.FromRoute(room), http.RequestAborted) : Task.FromResult<string?>(null))).CacheOutput();
        app.MapGet("/ecoles/{site}/{room}/semaine", (string site, string room, AirPages pages, HttpContext http) =>
            Page(city, () => SiteDirectory.IsRoutable(site) && SiteDirectory.IsRoutable(room) ? pages.WeekSheetAsync(SiteDirectory.FromRoute(site), SiteDirectory.FromRoute(room), http.Request.Query["semaine"], http.RequestAborted) : Task.FromResult<string?>(null))).CacheOutput();
        app.MapGet("/dechets", (CityPages pages, HttpContext http) => Page(city, async () => (string?)await pages.WasteAsync(http.RequestAborted))).CacheOutput();
        app.MapGet("/dechets/{sector}", (string sector, CityPages pages, HttpContext http) =>
            Page(city, () => SiteDirectory.IsRoutable(sector) ? pages.SectorAsync(SiteDirectory.FromRoute(sector), http.RequestAborted) : Task.FromResult<string?>(null))).CacheOutput();
        app.MapGet("/eclairage", (CityPages pages, HttpContext http) => Page(city, async () => (string?)await pages.LightingAsync(http.RequestAborted))).CacheOutput();
        app.MapGet("/comment-ca-marche", () => Results.Text(InfoPages.HowItWorks(options), Html));
        app.MapGet("/donnees", () => Results.Text(InfoPages.OpenData(options), Html));
        app.MapGet("/donnees/{file}", (string file, Downloads downloads, HttpContext http) => downloads.SendAsync(http, file)); // streamed: never through the page cache, which would hold it whole
        app.MapGet("/donnees/{id}/schema.json", (string id) =>
            Datasets.Find(id) is { } dataset ? Results.Text(Formats.Schema(dataset, options), "application/json; charset=utf-8") : Results.Text(Layout.NotFound(city), Html, statusCode: 404));
        app.MapGet("/catalogue.jsonld", (HttpContext http, TimeProvider time) =>
            Results.Text(Catalogue.Write(options, BaseUrl(http, options), time.GetUtcNow()), "application/ld+json; charset=utf-8"));
        app.MapGet("/style.css", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            http.Response.Headers.ETag = $"\"{StyleTag}\"";
            return http.Request.Headers.IfNoneMatch == $"\"{StyleTag}\"" ? Results.StatusCode(304) : Results.Text(PageLook.Css, "text/css; charset=utf-8");
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapFallback((HttpContext http) => Results.Text(Layout.NotFound(city), Html, statusCode: 404));
    }

    /// <summary>A page, or 404 when it has nothing to show. What it throws is answered by the middleware of <see cref="Build"/>.</summary>
    private static async Task<IResult> Page(string city, Func<Task<string?>> render) =>
        await render() is { } page ? Results.Text(page, Html) : Results.Text(Layout.NotFound(city), Html, statusCode: 404);

    /// <summary>The period of a download: both dates or neither; at most 366 days; never after today.</summary>
    public static (DateOnly From, DateOnly To, string? Problem) Period(string? du, string? au, DateOnly today)
    {
        if (string.IsNullOrEmpty(du) && string.IsNullOrEmpty(au))
        {
            return (today.AddDays(-29), today, null);
        }

        if (!DateOnly.TryParseExact(du, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !DateOnly.TryParseExact(string.IsNullOrEmpty(au) ? du : au, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
        {
            return (default, default, $"du={du}&au={au}: dates attendues sous la forme AAAA-MM-JJ, par exemple ?du=2026-09-01&au=2026-09-30. / expected dates as YYYY-MM-DD.");
        }

        if (to < from || to.DayNumber - from.DayNumber > 365)
        {
            return (default, default, $"du={du}&au={au}: la période doit aller d'une date à une date postérieure, 366 jours au plus. / the period must run forward, 366 days at most.");
        }

        return (from, to > today ? today : to, null);
    }

    internal static string BaseUrl(HttpContext http, PortalOptions options) =>
        options.BaseUrl.Length > 0 ? options.BaseUrl.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";


    /// <summary>Where a started app listens (the first address), e.g. http://127.0.0.1:41234/.</summary>
    public static Uri Address(WebApplication app) => CentralApp.Address(app);
}
