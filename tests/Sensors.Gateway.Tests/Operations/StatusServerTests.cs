using System.Net.Sockets;
using System.Text;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Operations;

/// <summary>The status server's HTTP, spoken by hand to the real gateway process: what browsers and scrapers rely on, and what it refuses.</summary>
public sealed class StatusServerTests
{
    private static async Task<string> ExchangeAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token); // the server closes after one answer
    }

    [Fact]
    public async Task AnswersGetAndHead_RefusesOtherMethodsAndMalformedRequests_AndClosesEachConnection()
    {
        using var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-http").Build()).Start();
        gateway.Process.WaitForOutput("Status page on", TimeSpan.FromSeconds(30));
        var port = gateway.HttpPort;

        var get = await ExchangeAsync(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", get, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 3\r\n", get, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", get, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nok\n", get, StringComparison.Ordinal);

        var head = await ExchangeAsync(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);

        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", await ExchangeAsync(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", await ExchangeAsync(port, "GET /admin?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await ExchangeAsync(port, "HELLO\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", await ExchangeAsync(port, "GET / HTTP/1.1\r\nX: " + new string('a', 9000) + "\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await ExchangeAsync(port, "GET /?lang=en HTTP/1.0\r\n\r\n"), StringComparison.Ordinal);
    }
}
