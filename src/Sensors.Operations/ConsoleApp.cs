using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Sensors.Central;
using Sensors.Look;
using Sensors.Operations.Alerts;
using Sensors.Operations.Auth;
using Sensors.Operations.Fleet;
using Sensors.Operations.Pages;
using Sensors.Sites;

namespace Sensors.Operations;

/// <summary>
/// The console as a web application: settings, services, sign-in, routes. <see cref="Build"/> is
/// what Program runs and what the tests start.
/// </summary>
public static class ConsoleApp
{
    private const string Html = "text/html; charset=utf-8";

    private static readonly string Css = PageLook.Css + ConsoleLayout.ExtraCss;

    private static readonly string StyleTag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Css)))[..16];

    public static (WebApplication? App, IReadOnlyList<string> Errors) Build(string[] args, Action<IServiceCollection>? services = null)
    {
        var (builder, options, errors) = CentralApp.Create<ConsoleOptions>(args, "Console", "SENSORS_CONSOLE_", o => o.Validate());
        if (builder is null || options is null)
        {
            return (null, errors);
        }

        var (sites, siteErrors) = SiteFiles.LoadFolder(Path.GetFullPath(options.Sites, Directory.GetCurrentDirectory()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = System.Net.IPAddress.Parse(options.Address);
            kestrel.Listen(address, options.Port, listen =>
            {
                if (options.Https.Enabled)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(options.Https.CertificateFile, options.Https.KeyFile));
                }
            });
        });
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Behind the city's TLS proxy on the same machine: the scheme it says is the one the
            // browser used, so that the session cookie is Secure and the redirect URI https.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Influx);
        builder.Services.AddSingleton(new SiteDirectory(sites));
        builder.Services.AddHttpClient<IInfluxQuery, InfluxQueryClient>(http => http.Timeout = options.Influx.Timeout);
        builder.Services.AddSingleton(sp => new RegistrySource(Path.GetFullPath(options.Registry, Directory.GetCurrentDirectory()), sp.GetRequiredService<ILogger<RegistrySource>>()));
        builder.Services.AddSingleton(sp => new FleetReader(sp.GetRequiredService<IInfluxQuery>(), options, sp.GetRequiredService<SiteDirectory>(), sp.GetRequiredService<RegistrySource>().Current));
        builder.Services.AddSingleton<FleetState>();
        builder.Services.AddSingleton(sp => new AlertSender(new HttpClient { Timeout = options.Alertmanager.Timeout }, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertSender>>()));
        builder.Services.AddSingleton<ConsolePages>();
        builder.Services.AddSingleton<Waste.WasteData>();
        builder.Services.AddSingleton<Waste.ExportAudit>();
        builder.Services.AddSingleton<WastePages>();
        builder.Services.AddHostedService<FleetService>();
        ConsoleAuth.Add(builder.Services, options);
        if (options.KeysDirectory.Length > 0)
        {
            builder.Services.AddDataProtection().PersistKeysToFileSystem(Directory.CreateDirectory(options.KeysDirectory)).SetApplicationName("sensors-console");
        }
        services?.Invoke(builder.Services);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sensors.Operations");
        foreach (var problem in siteErrors)
        {
            log.LogWarning("Site file problem, that school shows by its identifiers until fixed: {Problem}", problem);
        }

        var authority = new Uri(options.Oidc.Authority).GetLeftPart(UriPartial.Authority);
        var policy = $"default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self' {authority}; frame-ancestors 'none'";
        app.UseForwardedHeaders();
        app.Use(async (context, next) =>
        {
            // Every answer, errors included (set as it starts, after any Clear()): no script, no
            // frame, nothing cached (private data), no referrer.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                if (context.Request.Path != "/style.css")
                {
                    headers.CacheControl = "no-store";
                }

                if (context.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = "max-age=31536000";
                }

                return Task.CompletedTask;
            });
            await next();
        });
        app.Use(async (context, next) =>
        {
            try
            {
                await next();
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
            catch (Exception error) when (!context.Response.HasStarted)
            {
                var (status, page) = error switch
                {
                    CentralDataException => (503, ConsoleLayout.Unavailable(options.City)),
                    _ when IsIdentityProviderDown(error) => (503, ConsoleLayout.IdentityDown(options.City)),
                    _ => (500, ConsoleLayout.Failed(options.City)),
                };
                if (status == 503)
                {
                    log.LogWarning("{Path} not answered, {What} did not answer: {Reason}", context.Request.Path, error is CentralDataException ? "the database" : $"the identity provider at {options.Oidc.Authority}", error.Message);
                }
                else
                {
                    log.LogError(error, "{Path} not built: {Type}: {Reason} This is the console's fault; the stack trace says where.", context.Request.Path, error.GetType().Name, error.Message);
                }

                context.Response.Clear();
                context.Response.StatusCode = status;
                if (status == 503)
                {
                    context.Response.Headers.RetryAfter = "60";
                }

                context.Response.ContentType = Html;
                await context.Response.WriteAsync(page);
            }
        });
        app.UseAuthentication();
        app.UseAuthorization();
        Routes(app, options);
        return (app, []);
    }

    /// <summary>The OpenID Connect handler could not read the provider's metadata: the provider is down or unreachable.</summary>
    private static bool IsIdentityProviderDown(Exception error) =>
        error.Message.Contains("IDX20803", StringComparison.Ordinal) || error is HttpRequestException || error.InnerException is HttpRequestException || (error.InnerException is { } inner && IsIdentityProviderDown(inner));

    private static void Routes(WebApplication app, ConsoleOptions options)
    {
        var city = options.City;
        app.MapGet("/", (ConsolePages pages, HttpContext http) => Page(http, null, viewer => pages.HomeAsync(viewer, http.RequestAborted)!));
        app.MapGet("/passerelles", (ConsolePages pages, HttpContext http) => Page(http, null, viewer => pages.GatewaysAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/passerelles/{**id}", (string id, ConsolePages pages, HttpContext http) => Page(http, null, viewer => Routable(id) ? pages.GatewayAsync(viewer, Id(id), http.RequestAborted) : NotFound()));
        app.MapGet("/capteurs", (ConsolePages pages, HttpContext http) => Page(http, "environment", viewer => pages.SensorsAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/capteurs/{**id}", (string id, ConsolePages pages, HttpContext http) => Page(http, "environment", viewer => Routable(id) ? pages.SensorAsync(viewer, Id(id), http.RequestAborted) : NotFound()));
        app.MapGet("/appareils", (ConsolePages pages, HttpContext http) => Page(http, null, viewer => pages.DevicesAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/appareils/{**eui}", (string eui, ConsolePages pages, HttpContext http) => Page(http, null, viewer => Routable(eui) ? pages.DeviceAsync(viewer, Id(eui), http.RequestAborted) : NotFound()));
        app.MapGet("/eclairage", (ConsolePages pages, HttpContext http) => Page(http, "lighting", viewer => pages.LightingAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/alertes", (ConsolePages pages, HttpContext http) => Page(http, null, viewer => Task.FromResult<string?>(pages.Alerts(viewer))));
        app.MapGet("/etat", (ConsolePages pages, HttpContext http) => Page(http, null, viewer => Task.FromResult<string?>(pages.Status(viewer))));
        app.MapGet("/dechets", (WastePages waste, HttpContext http) => Page(http, "waste!", viewer => waste.HomeAsync(viewer, http.Request.Query, http.RequestAborted)!));
        foreach (var format in new[] { "csv", "json" })
        {
            app.MapGet($"/dechets/levees.{format}", async (WastePages waste, HttpContext http) =>
                Refused(http, "waste!", out var viewer) ?? await waste.ExportAsync(viewer, http.User.FindFirst("sub")?.Value ?? string.Empty, http.Request.Query, format, http.RequestAborted));
        }

        app.MapGet("/dechets/bac", (HttpContext http) => Refused(http, "waste!", out _) ?? (http.Request.Query["bac"].ToString() is { Length: > 0 and <= 256 } bin
            ? Results.Redirect($"/dechets/bac/{Uri.EscapeDataString(bin.Trim())}?mois={Uri.EscapeDataString(http.Request.Query["mois"].ToString())}")
            : Results.Redirect("/dechets")));
        app.MapGet("/dechets/bac/{**bin}", (string bin, WastePages waste, HttpContext http) => Page(http, "waste!", viewer => Routable(bin) ? waste.StatementAsync(viewer, Id(bin), http.Request.Query, http.RequestAborted) : NotFound()));
        app.MapGet("/dechets/conteneurs", (WastePages waste, HttpContext http) => Page(http, "waste!", viewer => waste.ContainersPageAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/dechets/tournee", (WastePages waste, HttpContext http) => Page(http, "waste!", viewer => waste.RoundSheetAsync(viewer, http.RequestAborted)!));
        app.MapGet("/dechets/bilan", (WastePages waste, HttpContext http) => Page(http, "waste!", viewer => waste.FitAsync(viewer, http.Request.Query, http.RequestAborted)!));
        app.MapGet("/journal-des-exports", (WastePages waste, HttpContext http) => Page(http, "admin!", viewer => Task.FromResult<string?>(waste.Audit(viewer))));
        app.MapPost("/deconnexion", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return Results.Text(ConsoleLayout.Message(city, null, "Demande refusée", "Request refused", "Ce formulaire a expiré ou ne vient pas de la console. <a href=\"/\">Retour</a>.", "This form expired or did not come from the console. <a href=\"/\" hreflang=\"fr\">Back</a>."), Html, statusCode: 400);
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Text(ConsoleLayout.SignedOut(city), Html);
        });
        app.MapGet("/style.css", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            http.Response.Headers.ETag = $"\"{StyleTag}\"";
            return http.Request.Headers.IfNoneMatch == $"\"{StyleTag}\"" ? Results.StatusCode(304) : Results.Text(Css, "text/css; charset=utf-8");
        }).AllowAnonymous();
        app.MapGet("/healthz", () => Results.Text("ok\n")).AllowAnonymous();
        app.MapFallback((HttpContext http) => Results.Text(ConsoleLayout.NotFound(city, null), Html, statusCode: 404));

        Task<string?> NotFound() => Task.FromResult<string?>(null);

        // Who asks, and the 403 page when their roles do not open the page; null when they do.
        IResult? Refused(HttpContext http, string? role, out Viewer viewer)
        {
            var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
            var user = http.User;
            viewer = new Viewer(user.Identity?.Name ?? user.FindFirst("email")?.Value ?? user.FindFirst("sub")?.Value ?? "?", ConsoleAuth.Roles(user), tokens.FormFieldName, tokens.RequestToken ?? string.Empty);
            return viewer.Roles.Count == 0 || !ConsoleLayout.MayOpen(viewer, role)
                ? Results.Text(ConsoleLayout.Forbidden(city, viewer.Roles.Count == 0 ? null : viewer), Html, statusCode: 403)
                : null;
        }

        async Task<IResult> Page(HttpContext http, string? role, Func<Viewer, Task<string?>> render)
        {
            if (Refused(http, role, out var viewer) is { } refusal)
            {
                return refusal;
            }

            return await render(viewer) is { } page ? Results.Text(page, Html) : Results.Text(ConsoleLayout.NotFound(city, viewer), Html, statusCode: 404);
        }
    }

    /// <summary>The id as the data holds it (a gateway named "gw-&lt;/script&gt;" is linked with %2F): <see cref="SiteDirectory.FromRoute"/>.</summary>
    private static string Id(string routed) => SiteDirectory.FromRoute(routed);

    /// <summary>An id from an address that may be looked up: what the data can hold, at most 256 characters, no control character.</summary>
    private static bool Routable(string id) => SiteDirectory.IsRoutable(id);

    public static Uri Address(WebApplication app) => CentralApp.Address(app);
}
