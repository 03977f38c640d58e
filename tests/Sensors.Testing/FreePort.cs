using System.Net;
using System.Net.Sockets;

namespace Sensors.Testing;

public static class FreePort
{
    private static readonly HashSet<int> Given = [];
    private static readonly Random Pick = new();

    /// <summary>
    /// A TCP port on 127.0.0.1 that nothing listens on right now, below the kernel's ephemeral
    /// range: a port from that range (what binding port 0 gives) can be taken, between this call
    /// and the server's bind, as the source port of any outgoing connection on the machine (the
    /// test assemblies run side by side, full of them), and the server then fails with "address
    /// already in use". Never the same port twice in a process.
    /// </summary>
    public static int Next()
    {
        var low = EphemeralLow();
        lock (Given)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Pick.Next(Math.Max(10_000, low - 12_000), low);
                if (Given.Contains(port) || !Bindable(port))
                {
                    continue;
                }

                Given.Add(port);
                return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0); // the range is full: the kernel's choice
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of /proc/sys/net/ipv4/ip_local_port_range (32768 by default).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], System.Globalization.CultureInfo.InvariantCulture, out var low) && low > 11_000 ? low : 32_768;
        }
        catch (IOException)
        {
            return 32_768;
        }
    }
}
