using System.Net;
using Sensors.Core;

namespace Sensors.Gateway.Health;

/// <summary>The <c>Http</c> section: where /healthz, /readyz, /metrics and the status page listen.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    public bool Enabled { get; set; } = true;

    /// <summary>Loopback by default: open it to the school network (0.0.0.0) on purpose, behind its firewall.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8080;

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            yield return $"Http:Address = '{Address}': expected an IP address to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every network).";
        }

        if (Port is < 1 or > 65535)
        {
            yield return $"Http:Port = {Port}: expected a TCP port from 1 to 65535, e.g. 8080.";
        }
    }
}
