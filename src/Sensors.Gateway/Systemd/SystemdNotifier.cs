using System.Net.Sockets;
using System.Text;

namespace Sensors.Gateway.Systemd;

/// <summary>
/// sd_notify(3), written from its documented protocol: one datagram of newline-separated
/// KEY=VALUE assignments to the AF_UNIX socket named in $NOTIFY_SOCKET (a leading '@' means the
/// abstract namespace). Without $NOTIFY_SOCKET (not started by systemd, or Type=simple) it does
/// nothing. <see cref="WatchdogInterval"/> comes from $WATCHDOG_USEC (for us only if
/// $WATCHDOG_PID is unset or ours).
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotifier(string? socketPath, string? watchdogUsec, string? watchdogPid)
    {
        if (!string.IsNullOrEmpty(socketPath) && (socketPath[0] is '/' or '@'))
        {
            _endpoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }

        var forUs = string.IsNullOrEmpty(watchdogPid) || watchdogPid == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (forUs && long.TryParse(watchdogUsec, out var usec) && usec > 0)
        {
            WatchdogInterval = TimeSpan.FromTicks(usec * 10);
        }
    }

    public static SystemdNotifier FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"));

    /// <summary>True when started by systemd with Type=notify.</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>The service's WatchdogSec=, if set: ping at least twice within it.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}\nMAINPID={Environment.ProcessId}");

    public void Watchdog(string status) => Send($"WATCHDOG=1\nSTATUS={OneLine(status)}");

    public void Status(string status) => Send($"STATUS={OneLine(status)}");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>Sends one datagram; a notification that cannot be sent is not worth stopping for.</summary>
    public bool Send(string assignments)
    {
        if (_socket is null || _endpoint is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(assignments), SocketFlags.None, _endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
