using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sensors.Testing;

/// <summary>
/// A real InfluxDB 1.x (Debian's influxd) for one test class: free loopback ports, data in a temp
/// folder, configuration from deploy/local/influxdb.conf.in, stopped by PID. Can be stopped and
/// started again on the same ports and data, to test outages.
/// </summary>
public sealed class InfluxServer : IDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "admin-secret";

    private readonly TempFolder _folder = new("influxd");
    private readonly ServerProcess _process;

    public InfluxServer()
        : this(auth: false)
    {
    }

    public InfluxServer(bool auth)
    {
        Auth = auth;
        HttpPort = FreePort.Next();
        var rpcPort = FreePort.Next();
        var config = File.ReadAllText(RepoPaths.Of("deploy/local/influxdb.conf.in"))
            .Replace("@DATA@", _folder.Path, StringComparison.Ordinal)
            .Replace("@HTTP_PORT@", HttpPort.ToString(), StringComparison.Ordinal)
            .Replace("@RPC_PORT@", rpcPort.ToString(), StringComparison.Ordinal)
            .Replace("@AUTH@", auth ? "true" : "false", StringComparison.Ordinal);
        var path = _folder.File("influxdb.conf");
        File.WriteAllText(path, config);
        _process = new ServerProcess("influxd", "influxd", "-config", path);
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (auth)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AdminUser}:{AdminPassword}")));
        }

        Start();
        if (auth)
        {
            // With auth on, InfluxDB accepts exactly one statement without credentials: the first admin.
            using var anonymous = new HttpClient { BaseAddress = Url };
            Post(anonymous, $"CREATE USER {AdminUser} WITH PASSWORD '{AdminPassword}' WITH ALL PRIVILEGES");
        }
    }

    public bool Auth { get; }
    public int HttpPort { get; }
    public Uri Url => new($"http://127.0.0.1:{HttpPort}/");
    public HttpClient Http { get; }
    public string Output => _process.Output;
    public bool IsRunning => _process.Pid is not null;

    public void Start()
    {
        _process.Start();
        _process.WaitForPort(HttpPort, TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        using var ping = new HttpClient { BaseAddress = Url };
        while (true)
        {
            try
            {
                if (ping.GetAsync("ping").GetAwaiter().GetResult().StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("influxd did not answer /ping:\n" + Output);
            }

            Thread.Sleep(50);
        }
    }

    public void Stop(bool kill = false) => _process.Stop(kill);

    public void Execute(string statement) => Post(Http, statement);

    public void CreateDatabase(string name) => Execute($"CREATE DATABASE \"{name}\"");

    /// <summary>Rows of an InfluxQL query, each a column → value map, with the series' tags (GROUP BY *) merged in.</summary>
    public IReadOnlyList<Dictionary<string, JsonElement>> Query(string database, string query)
    {
        var url = $"query?db={Uri.EscapeDataString(database)}&q={Uri.EscapeDataString(query)}&epoch=ns";
        var text = Http.GetStringAsync(url).GetAwaiter().GetResult();
        using var json = JsonDocument.Parse(text);
        var rows = new List<Dictionary<string, JsonElement>>();
        foreach (var result in json.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"InfluxDB refused '{query}': {error}");
            }

            if (!result.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var serie in series.EnumerateArray())
            {
                var columns = serie.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                foreach (var values in serie.GetProperty("values").EnumerateArray())
                {
                    var row = new Dictionary<string, JsonElement>();
                    var i = 0;
                    foreach (var value in values.EnumerateArray())
                    {
                        row[columns[i++]] = value.Clone();
                    }

                    if (serie.TryGetProperty("tags", out var tags))
                    {
                        foreach (var tag in tags.EnumerateObject())
                        {
                            row[tag.Name] = tag.Value.Clone();
                        }
                    }

                    if (serie.TryGetProperty("name", out var name))
                    {
                        row["_measurement"] = name.Clone();
                    }

                    rows.Add(row);
                }
            }
        }

        return rows;
    }

    public long Count(string database, string measurement, string field)
    {
        var rows = Query(database, $"SELECT COUNT(\"{field}\") FROM \"{measurement}\"");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
        _folder.Dispose();
    }

    private static void Post(HttpClient http, string statement)
    {
        using var response = http.PostAsync("query", new FormUrlEncodedContent([new("q", statement)])).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"InfluxDB refused '{statement}': {(int)response.StatusCode} {text}");
        }
    }
}
