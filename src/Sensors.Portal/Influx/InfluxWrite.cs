using Sensors.Central;
using System.Text;

namespace Sensors.Portal.Influx;

/// <summary>The narrow edge the roll-up job writes through: line protocol into one retention policy.</summary>
public interface IInfluxWrite
{
    Task WriteAsync(string policy, IReadOnlyList<string> lines, CancellationToken cancellation);
}

/// <summary>
/// POST /write?db=…&amp;rp=…&amp;precision=ns, the v1 write API that InfluxDB 1.x, 2.x and 3.x all
/// take, with the roll-up job's own credentials (Portal:Rollups), never the pages' read-only user.
/// </summary>
public sealed class InfluxWriteClient(HttpClient http, PortalOptions options) : IInfluxWrite
{
    public async Task WriteAsync(string policy, IReadOnlyList<string> lines, CancellationToken cancellation)
    {
        for (var start = 0; start < lines.Count; start += 5000)
        {
            var body = string.Join('\n', lines.Skip(start).Take(5000));
            var url = $"{options.Influx.Url.TrimEnd('/')}/write?db={Uri.EscapeDataString(options.Influx.Database)}&rp={Uri.EscapeDataString(policy)}&precision=ns";
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
            IInfluxCredentials.Authorize(request, options.Rollups);

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellation);
            }
            catch (HttpRequestException error)
            {
                throw new CentralDataException($"InfluxDB at {options.Influx.Url} does not answer ({error.Message}); check that it runs and that Influx:Url is right.", error);
            }
            catch (TaskCanceledException error) when (!cancellation.IsCancellationRequested)
            {
                throw new CentralDataException($"InfluxDB at {options.Influx.Url} did not answer a write within {http.Timeout.TotalSeconds:0} s; it may be overloaded.", error);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync(cancellation);
                    throw new CentralDataException(response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                        ? $"InfluxDB refused the roll-up job's write ({(int)response.StatusCode}: {text.Trim()}); check Portal:Rollups:Username and PasswordFile (a user with WRITE on {options.Influx.Database})."
                        : $"InfluxDB refused the roll-ups ({(int)response.StatusCode}: {text.Trim()}).");
                }
            }
        }
    }
}
