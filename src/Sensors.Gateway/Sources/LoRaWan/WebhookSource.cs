using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Sensors.Gateway.Http;
using Sensors.Pipeline;
using Sensors.LoRaWan;

namespace Sensors.Gateway.Sources.LoRaWan;

/// <summary>
/// Uplinks pushed over HTTP: <c>POST /chirpstack?event=up</c> (ChirpStack v4's HTTP integration,
/// JSON encoding) and <c>POST /tts/…</c> (a The Things Stack webhook; the body says what it is).
/// Each request must carry the shared secret in <see cref="WebhookOptions.Header"/>. The answer is
/// 200 only once every reading of the message is committed to the journal; 202 when the message
/// could not be decoded but is kept in the unreadable store; 503 when the journal could not take
/// it, so the network server sends it again. Unlike MQTT at QoS 0, a gateway restart loses
/// nothing: the server's retries cover it.
/// </summary>
public sealed partial class WebhookSource(WebhookOptions options, LoRaWanMessageReader ingest, MessageQuarantine quarantine, TimeProvider time, ILogger<WebhookSource> logger) : IReadingSource, IInstrumented
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, StrongBox<long>> _answers = new();

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Secret ?? string.Empty);
    private DateTimeOffset _lastRefusal;

    public string Id => "webhook";

    public string Name => $"uplink endpoint http://{options.Address}:{options.Port}/ (ChirpStack /chirpstack, The Things Stack /tts)";

    public async Task RunAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        var server = new SmallHttpServer(options.MaxBodyBytes, TimeSpan.FromSeconds(20), (request, token) => HandleAsync(request, sink, token), CheckHead, Answered);
        Task serving;
        try
        {
            serving = server.Start(IPAddress.Parse(options.Address), options.Port, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException error)
        {
            throw new IOException($"cannot listen on {options.Address}:{options.Port} ({error.Message}); choose a free Webhook:Port or stop the other program", error);
        }

        LogListening(options.Address, options.Port, options.Header);
        await serving.ConfigureAwait(false);
    }

    /// <summary>
    /// What can be said from the request line and headers alone, before any body is read: the
    /// secret (401), the method (405), the route (404), the encoding (415). Null when the body may come.
    /// </summary>
    public HttpResponse? CheckHead(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(options.Header, out var given) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _secret))
        {
            Refused(request.Path);
            return HttpResponse.Text(401, $"Missing or wrong {options.Header} header.\n");
        }

        if (request.Method != "POST")
        {
            return HttpResponse.Text(405, "Only POST.\n", ("Allow", "POST"));
        }

        if (request.Path == "/chirpstack")
        {
            return request.Headers.TryGetValue("Content-Type", out var type) && type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)
                ? HttpResponse.Text(415, "Protobuf is not read here: set the HTTP integration's payload encoding to JSON.\n")
                : null;
        }

        return request.Path == "/tts" || request.Path.StartsWith("/tts/", StringComparison.Ordinal)
            ? null
            : HttpResponse.Text(404, "Not found. ChirpStack's HTTP integration posts to /chirpstack, The Things Stack's webhook to /tts.\n");
    }

    /// <summary>One request: the head checked again (a direct caller may skip the server), then the readings committed before the answer.</summary>
    public async Task<HttpResponse> HandleAsync(HttpRequest request, IReadingSink sink, CancellationToken cancellationToken)
    {
        if (CheckHead(request) is { } refused)
        {
            return refused;
        }

        var server = request.Path == "/chirpstack" ? NetworkServer.ChirpStack : NetworkServer.TheThingsStack;
        var eventName = server == NetworkServer.ChirpStack
            ? request.QueryValue("event") ?? string.Empty
            : request.Body.AsSpan().IndexOf("\"uplink_message\""u8) >= 0 ? "up" : "other";

        var where = $"POST {request.Path}{(request.Query.Length > 0 ? "?" + request.Query : string.Empty)}";
        var readings = quarantine.Read(Id, where, request.Body, (ingest, server, eventName, where, time.GetUtcNow()), ReadUplink, out var reason);
        if (readings is null)
        {
            return HttpResponse.Text(202, $"Kept, not decoded: {reason}\n");
        }

        try
        {
            await sink.WriteAllAsync(readings, cancellationToken).ConfigureAwait(false); // the answer waits for all of them
        }
        catch (IOException error)
        {
            return HttpResponse.Text(503, $"Not stored ({error.Message}); send it again.\n", ("Retry-After", "30"));
        }
        catch (Exception error) when (MessageQuarantine.IsAboutTheMessage(error))
        {
            var kept = quarantine.SetAside(Id, where, MessageQuarantine.Unexpected(error, personal: false), request.Body);
            return HttpResponse.Text(202, $"Kept, not decoded: {kept}\n");
        }

        return HttpResponse.Text(200, $"{readings.Count} reading(s) stored.\n");
    }

    private static IReadOnlyList<Sensors.Core.Reading> ReadUplink((LoRaWanMessageReader Ingest, NetworkServer Server, string Event, string Where, DateTimeOffset Received) state, ReadOnlySpan<byte> body) =>
        state.Ingest.FromHttp(state.Server, state.Event, state.Where, body, state.Received);

    private void Answered(int status) => Interlocked.Increment(ref _answers.GetOrAdd(status, static _ => new StrongBox<long>()).Value);

    public void CreateInstruments(Meter meter) =>
        meter.CreateObservableCounter("sensors_webhook_requests_total", () => _answers.OrderBy(p => p.Key).Select(p => Measure.Of(Interlocked.Read(ref p.Value.Value), ("status", p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)))), description: "Requests to the uplink endpoint by HTTP status: 200 stored, 202 kept undecoded, 4xx refused, 503 busy or not stored.");

    private void Refused(string path)
    {
        var now = time.GetUtcNow();
        if (now - _lastRefusal < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastRefusal = now;
        LogRefused(path, options.Header);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Uplink endpoint on http://{Address}:{Port}/chirpstack (ChirpStack HTTP integration) and /tts (The Things Stack webhook); requests must carry the {Header} header")]
    private partial void LogListening(string address, int port, string header);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Uplink endpoint: a POST to {Path} came without the right {Header} header and was refused (401). Set the same secret in the network server's integration; one line a minute at most")]
    private partial void LogRefused(string path, string header);
}
