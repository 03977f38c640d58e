using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Status;

namespace Sensors.Gateway.Health;

/// <summary>
/// The gateway's small web server (Kestrel), on <see cref="HttpOptions.Address"/>:<see cref="HttpOptions.Port"/>:
/// <c>/</c> the school's status page, <c>/healthz</c> alive, <c>/readyz</c> ready (JSON, 503 when
/// not), <c>/metrics</c> Prometheus. If it cannot listen (the port is taken), it says so in one
/// line and the gateway goes on without it: readings matter more than the page.
/// </summary>
public sealed partial class StatusServer(
    HttpOptions options,
    GatewayMetrics metrics,
    GatewayHealth health,
    StatusPageBuilder page,
    ILoggerFactory loggers,
    ILogger<StatusServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "sensors" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port);
        });
        var app = builder.Build();
        app.MapGet("/healthz", () =>
        {
            var checks = HealthRules.Liveness(health.Read());
            return checks.All(c => c.Ok)
                ? Results.Text("ok\n", "text/plain; charset=utf-8")
                : Results.Text(string.Join('\n', checks.Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}")) + "\n", "text/plain; charset=utf-8", statusCode: 503);
        });
        app.MapGet("/readyz", () =>
        {
            var checks = HealthRules.Readiness(health.Read());
            var ready = checks.All(c => c.Ok);
            var body = JsonSerializer.Serialize(new { ready, checks = checks.Select(c => new { name = c.Name, ok = c.Ok, detail = c.Detail }) });
            return Results.Text(body, "application/json; charset=utf-8", statusCode: ready ? 200 : 503);
        });
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), PrometheusText.ContentType));
        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";
            return Results.Text(StatusPage.Render(page.Build()), "text/html; charset=utf-8");
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            _app = app;
            LogListening(options.Address, options.Port);
        }
        catch (IOException error) when (error.InnerException is SocketException or null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            LogCannotListen(options.Address, options.Port, error.InnerException?.Message ?? error.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status page on http://{Address}:{Port}/ (health: /healthz, /readyz; metrics: /metrics)")]
    private partial void LogListening(string address, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot listen on {Address}:{Port} ({Reason}): the status page, /healthz, /readyz and /metrics are off; readings still flow. Choose a free Http:Port or stop the other program")]
    private partial void LogCannotListen(string address, int port, string reason);
}
