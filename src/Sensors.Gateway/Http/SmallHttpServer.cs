using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sensors.Gateway.Http;

/// <summary>One request as the server read it: method, path, query, headers (names case-insensitive), body.</summary>
public sealed record HttpRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The value of <paramref name="name"/> in the query string, or null.</summary>
    public string? QueryValue(string name) =>
        Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => Uri.UnescapeDataString(pair[0]) == name)
            .Select(pair => pair.Length == 2 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : string.Empty)
            .FirstOrDefault();
}

/// <summary>An answer: status, content type, text body, extra headers.</summary>
public sealed record HttpResponse(int Status, string ContentType, string Body, params (string Name, string Value)[] Headers)
{
    public static HttpResponse Text(int status, string body, params (string Name, string Value)[] headers) => new(status, "text/plain; charset=utf-8", body, headers);
}

/// <summary>
/// The gateway's HTTP/1.1 (RFC 9112), reduced to what its endpoints need: one request per
/// connection (<c>Connection: close</c>), headers up to 8 KiB read within 5 seconds, a body only
/// with Content-Length (no chunked uploads: 411) up to a set size (413) read within 10 seconds,
/// <c>Expect: 100-continue</c> honoured. The status page and the uplink endpoint each run one. It
/// keeps ASP.NET Core's ≈12 MB of loaded code off a Pi whose whole budget is 64 MB.
///
/// Every request gets a status line, never a silent close: a head <paramref name="checkHead"/>
/// refuses (a wrong secret: 401) is answered before any body is read; more than
/// 32 connections at a time, or more than 8 from one address, are answered 503 with Retry-After at
/// once, so clients that send a header and then nothing cannot lock out the network server for
/// longer than the deadlines; a handler that fails is answered 500.
/// </summary>
/// <param name="checkHead">Looks at the request line and headers (the body not read yet); an answer refuses the request.</param>
/// <param name="answered">Told the status of every answer (the 503s of turned-away connections included), for metrics.</param>
public sealed class SmallHttpServer(int maxBodyBytes, TimeSpan handlerTimeout, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handle, Func<HttpRequest, HttpResponse?>? checkHead = null, Action<int>? answered = null)
{
    public const int MaxConnections = 32;
    public const int MaxConnectionsPerClient = 8;
    private const int MaxHeaderBytes = 8 * 1024;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Busy = Serialise(HttpResponse.Text(503, "Too many connections; send it again in a few seconds.\n", ("Retry-After", "5")), headOnly: false);

    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _connections;

    /// <summary>Requests answered 503 because too many connections were open (in all, or from one address).</summary>
    public long TurnedAway => Interlocked.Read(ref _turnedAway);

    private long _turnedAway;

    /// <summary>Starts listening (throws <see cref="SocketException"/> when it cannot) and returns the loop that serves until <paramref name="stoppingToken"/>.</summary>
    public Task Start(IPAddress address, int port, CancellationToken stoppingToken)
    {
        var listener = new TcpListener(address, port);
        listener.Start(backlog: 64);
        return ServeAllAsync(listener, stoppingToken);
    }

    private async Task ServeAllAsync(TcpListener listener, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptSocketAsync(stoppingToken).ConfigureAwait(false);
                var from = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
                if (!Admit(from))
                {
                    Interlocked.Increment(ref _turnedAway);
                    answered?.Invoke(503);
                    TurnAway(client);
                    continue;
                }

                _ = ServeAsync(client, from, stoppingToken);
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

    private bool Admit(IPAddress from)
    {
        lock (_perClient)
        {
            var mine = _perClient.GetValueOrDefault(from);
            if (_connections >= MaxConnections || mine >= MaxConnectionsPerClient)
            {
                return false;
            }

            _connections++;
            _perClient[from] = mine + 1;
            return true;
        }
    }

    private void Leave(IPAddress from)
    {
        lock (_perClient)
        {
            _connections--;
            if (_perClient.TryGetValue(from, out var mine) && mine > 1)
            {
                _perClient[from] = mine - 1;
            }
            else
            {
                _perClient.Remove(from);
            }
        }
    }

    /// <summary>503 at once, without reading the request: the answer fits the socket's send buffer, so this never waits.</summary>
    private static void TurnAway(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(Busy, SocketFlags.None, out _);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task ServeAsync(Socket client, IPAddress from, CancellationToken stoppingToken)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            var (request, refusal) = await ReadRequestAsync(stream, timeout.Token, stoppingToken).ConfigureAwait(false);
            HttpResponse response;
            if (request is null)
            {
                response = refusal!;
            }
            else
            {
                using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                work.CancelAfter(handlerTimeout);
                try
                {
                    response = await handle(request, work.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    response = HttpResponse.Text(503, "Not done in time; send it again.\n", ("Retry-After", "10"));
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    response = HttpResponse.Text(500, $"Not stored: the gateway failed on this request ({error.GetType().Name}: {error.Message}); send it again, and report it if it persists.\n", ("Retry-After", "30"));
                }
            }

            answered?.Invoke(response.Status);
            using var write = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            write.CancelAfter(ReadTimeout);
            await stream.WriteAsync(Serialise(response, request?.Method == "HEAD"), write.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException)
        {
            // A client that went away or never finished its request in time: nothing to answer.
        }
        finally
        {
            Leave(from);
        }
    }

    /// <summary>The request, or the answer that refuses it.</summary>
    private async Task<(HttpRequest? Request, HttpResponse? Refusal)> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken, CancellationToken stoppingToken)
    {
        var buffer = new byte[MaxHeaderBytes];
        var length = 0;
        var end = -1;
        while (end < 0 && length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("closed before the end of the headers");
            }

            length += read;
            end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
        }

        if (end < 0)
        {
            return (null, HttpResponse.Text(431, "Headers too large.\n"));
        }

        var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !parts[1].StartsWith('/'))
        {
            return (null, HttpResponse.Text(400, "Bad request.\n"));
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return (null, HttpResponse.Text(400, "Bad header line.\n"));
            }

            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var target = parts[1].Split('?', 2);
        var head = new HttpRequest(parts[0], target[0], target.Length == 2 ? target[1] : string.Empty, headers, []);
        if (checkHead?.Invoke(head) is { } refused)
        {
            return (null, refused);
        }

        var body = Array.Empty<byte>();
        if (headers.ContainsKey("Transfer-Encoding"))
        {
            return (null, HttpResponse.Text(411, "Send the body with a Content-Length.\n"));
        }

        if (headers.TryGetValue("Content-Length", out var contentLength))
        {
            if (!int.TryParse(contentLength, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
            {
                return (null, HttpResponse.Text(400, "Bad Content-Length.\n"));
            }

            if (size > maxBodyBytes)
            {
                // Read what the client sends anyway (within the body time), so that it sees the answer, not a reset.
                await DiscardAsync(stream, Math.Min(size, 64L * 1024 * 1024) - (length - end - 4), stoppingToken).ConfigureAwait(false);
                return (null, HttpResponse.Text(413, $"Body of {size} bytes; at most {maxBodyBytes}.\n"));
            }

            if (headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            body = new byte[size];
            var already = Math.Min(size, length - end - 4);
            buffer.AsSpan(end + 4, already).CopyTo(body);
            using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            bodyTimeout.CancelAfter(BodyTimeout);
            await stream.ReadExactlyAsync(body.AsMemory(already), bodyTimeout.Token).ConfigureAwait(false);
        }

        return (head with { Body = body }, null);
    }

    private static async Task DiscardAsync(NetworkStream stream, long remaining, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(BodyTimeout);
        var sink = new byte[16 * 1024];
        while (remaining > 0)
        {
            var read = await stream.ReadAsync(sink.AsMemory(0, (int)Math.Min(sink.Length, remaining)), timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            remaining -= read;
        }
    }

    private static byte[] Serialise(HttpResponse response, bool headOnly)
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
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
