using Sensors.Gateway.Health;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Http;
using Sensors.Gateway.Status;

namespace Sensors.Gateway.Endpoints;

/// <summary>
/// The gateway's small web server, on <see cref="HttpOptions.Address"/>:<see cref="HttpOptions.Port"/>:
/// <c>/</c> the school's status page, <c>/healthz</c> alive, <c>/readyz</c> ready (JSON, 503 when
/// not), <c>/metrics</c> Prometheus. Four GET pages on a school network do not need a web
/// framework: this is HTTP/1.1 (RFC 9112) reduced to what they need, one request per connection
/// (<c>Connection: close</c>), GET and HEAD, requests up to 8 KiB read within 5 seconds, 32
/// connections at a time. It keeps ASP.NET Core's ≈12 MB of loaded code off a Pi whose whole
/// budget is 64 MB. If it cannot listen (the port is taken), it says so in one line and the
/// gateway goes on without it: readings matter more than the page.
/// </summary>
public sealed partial class StatusServer(
    HttpOptions options,
    GatewayMetrics metrics,
    GatewayHealth health,
    StatusPageBuilder page,
    ILogger<StatusServer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        var server = new SmallHttpServer(maxBodyBytes: 0, TimeSpan.FromSeconds(10), (request, _) => Task.FromResult(Route(request.Method, request.Path)));
        Task serving;
        try
        {
            serving = server.Start(IPAddress.Parse(options.Address), options.Port, stoppingToken);
        }
        catch (SocketException error)
        {
            LogCannotListen(options.Address, options.Port, error.Message);
            return;
        }

        LogListening(options.Address, options.Port);
        await serving.ConfigureAwait(false);
    }

    /// <summary>Which page answers; pure apart from reading the gateway's state.</summary>
    private HttpResponse Route(string method, string path)
    {
        if (method is not ("GET" or "HEAD"))
        {
            return Answer(405, "text/plain; charset=utf-8", "Only GET and HEAD.\n", ("Allow", "GET, HEAD"));
        }

        switch (path)
        {
            case "/healthz":
            {
                var failing = HealthRules.Liveness(health.Read()).Where(c => !c.Ok).ToList();
                return Answer(failing.Count == 0 ? 200 : 503, "text/plain; charset=utf-8", failing.Count == 0 ? "ok\n" : string.Join('\n', failing.Select(c => $"{c.Name}: {c.Detail}")) + "\n");
            }

            case "/readyz":
            {
                var checks = HealthRules.Readiness(health.Read());
                var ready = checks.All(c => c.Ok);
                return Answer(ready ? 200 : 503, "application/json; charset=utf-8", ReadinessJson(ready, checks));
            }

            case "/metrics":
                return Answer(200, Sensors.Pipeline.Metrics.PrometheusExporter.ContentType, metrics.Render());
            case "/" or "/index.html" or "/ecran":
                return Answer(200, "text/html; charset=utf-8", StatusPage.Render(page.Build(path == "/ecran" ? 30 : null)), ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"));
            default:
                return Answer(404, "text/plain; charset=utf-8", "Not found. Try / (status page), /ecran (the same for a classroom screen, reloading itself), /healthz, /readyz or /metrics.\n");
        }
    }

    private static HttpResponse Answer(int status, string contentType, string body, params (string Name, string Value)[] headers) => new(status, contentType, body, headers);

    /// <summary>{"ready":…,"checks":[{"name","ok","detail"}…]}.</summary>
    private static string ReadinessJson(bool ready, IReadOnlyList<HealthCheck> checks)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("ready", ready);
            json.WriteStartArray("checks");
            foreach (var check in checks)
            {
                json.WriteStartObject();
                json.WriteString("name", check.Name);
                json.WriteBoolean("ok", check.Ok);
                json.WriteString("detail", check.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status page on http://{Address}:{Port}/ (health: /healthz, /readyz; metrics: /metrics)")]
    private partial void LogListening(string address, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot listen on {Address}:{Port} ({Reason}): the status page, /healthz, /readyz and /metrics are off; readings still flow. Choose a free Http:Port or stop the other program")]
    private partial void LogCannotListen(string address, int port, string reason);
}
