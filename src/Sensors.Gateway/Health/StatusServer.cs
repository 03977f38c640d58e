using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Status;

namespace Sensors.Gateway.Health;

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
    private const int MaxRequestBytes = 8 * 1024;
    private const int MaxConnections = 32;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private int _connections;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Parse(options.Address), options.Port);
        try
        {
            listener.Start(backlog: 64);
        }
        catch (SocketException error)
        {
            LogCannotListen(options.Address, options.Port, error.Message);
            return;
        }

        LogListening(options.Address, options.Port);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptSocketAsync(stoppingToken).ConfigureAwait(false);
                if (Interlocked.Increment(ref _connections) > MaxConnections)
                {
                    Interlocked.Decrement(ref _connections);
                    client.Dispose();
                    continue;
                }

                _ = ServeAsync(client, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            var (method, target) = await ReadRequestAsync(stream, timeout.Token).ConfigureAwait(false);
            var response = method is null ? Answer(400, "text/plain; charset=utf-8", "Bad request.\n") : Route(method, target!);
            await stream.WriteAsync(Serialise(response, method == "HEAD"), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException)
        {
            // A client that went away or never finished its request: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>Reads up to the blank line ending the header section; returns the method and target, or nulls for a request we refuse.</summary>
    private static async Task<(string? Method, string? Target)> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        var complete = false;
        while (!complete && length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (null, null);
            }

            length += read;
            complete = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0;
        }

        if (!complete)
        {
            return (null, null); // headers larger than we take
        }

        var requestLine = Encoding.ASCII.GetString(buffer, 0, Math.Max(0, buffer.AsSpan(0, length).IndexOf("\r\n"u8)));
        var parts = requestLine.Split(' ');
        return parts.Length == 3 && parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) && parts[1].StartsWith('/')
            ? (parts[0], parts[1])
            : (null, null);
    }

    /// <summary>Which page answers; pure apart from reading the gateway's state.</summary>
    private Response Route(string method, string target)
    {
        if (method is not ("GET" or "HEAD"))
        {
            return Answer(405, "text/plain; charset=utf-8", "Only GET and HEAD.\n", ("Allow", "GET, HEAD"));
        }

        var path = target.Split('?', 2)[0];
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
                return Answer(200, PrometheusText.ContentType, metrics.Render());
            case "/" or "/index.html":
                return Answer(200, "text/html; charset=utf-8", StatusPage.Render(page.Build()), ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"));
            default:
                return Answer(404, "text/plain; charset=utf-8", "Not found. Try / (status page), /healthz, /readyz or /metrics.\n");
        }
    }

    private static Response Answer(int status, string contentType, string body, params (string Name, string Value)[] headers) => new(status, contentType, body, headers);

    private static byte[] Serialise(Response response, bool headOnly)
    {
        var body = Encoding.UTF8.GetBytes(response.Body);
        var head = new StringBuilder(256);
        head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in response.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return headOnly ? headBytes : [.. headBytes, .. body];
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Status",
    };

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

    private sealed record Response(int Status, string ContentType, string Body, (string Name, string Value)[] Headers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Status page on http://{Address}:{Port}/ (health: /healthz, /readyz; metrics: /metrics)")]
    private partial void LogListening(string address, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot listen on {Address}:{Port} ({Reason}): the status page, /healthz, /readyz and /metrics are off; readings still flow. Choose a free Http:Port or stop the other program")]
    private partial void LogCannotListen(string address, int port, string reason);
}
