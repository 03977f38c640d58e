using System.Text.Json;

namespace Sensors.Testing;

/// <summary>
/// The real gateway executable (sensors.dll, built into the test's output folder) run as a child
/// process with a settings file of the test's own, stopped by PID with SIGTERM as systemd does.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly TempFolder _folder = new("gateway");

    public GatewayProcess(object settings, IDictionary<string, string>? environment = null)
    {
        ConfigPath = _folder.File("gateway.json");
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(settings, new JsonSerializerOptions { WriteIndented = true }));
        Process = new ServerProcess("sensors", "dotnet", "exec", Dll, "run", "--config", ConfigPath);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            Process.Environment[key] = value;
        }

        Process.Environment["DOTNET_gcServer"] = "0";

        // A test machine's clock may say "not synchronised" (a container sees the host's kernel
        // flag): trust it unless the test asks otherwise. The status server gets a port of its own.
        Process.Environment.TryAdd("SENSORS_Clock__Source", "Assume");

        // Sensor readings share a commit for up to Journal:GroupWindow (a minute, to spare a Pi's SD
        // card); tests that wait for them in InfluxDB would wait that long. A second keeps the grouping.
        Process.Environment.TryAdd("SENSORS_Journal__GroupWindow", "00:00:01");

        // The example site wires real sensors: this machine has none, tests that want them emulate them.
        Process.Environment.TryAdd("SENSORS_Hardware__Enabled", "false");
        if (!Process.Environment.TryGetValue("SENSORS_Http__Port", out var port))
        {
            port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            Process.Environment["SENSORS_Http__Port"] = port;
        }

        HttpPort = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The gateway's own build output, as installed (its runtime config and every package beside
    /// it); a host that shares the ASP.NET Core framework (the benchmarks) gets sensors.dll
    /// without the packages that framework holds, and it would not start from there.
    /// </summary>
    public static string Dll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = RepoPaths.Of($"src/Sensors.Gateway/bin/{configuration}/net10.0/sensors.dll");
            return File.Exists(dll) ? dll : Path.Combine(AppContext.BaseDirectory, "sensors.dll");
        }
    }

    /// <summary>Where its status page, /healthz, /readyz and /metrics listen (on 127.0.0.1).</summary>
    public int HttpPort { get; }

    public Uri HttpUrl => new($"http://127.0.0.1:{HttpPort}/");

    public string ConfigPath { get; }
    public ServerProcess Process { get; }
    public string Output => Process.Output;

    public GatewayProcess Start()
    {
        Process.Start();
        return this;
    }

    /// <summary>kill -9, as a power cut or an OOM kill would: no shutdown code runs.</summary>
    public void Kill() => Process.Stop(kill: true);

    /// <summary>SIGTERM, then the exit code.</summary>
    public int Stop()
    {
        Process.Stop();
        return Process.ExitCode ?? -1;
    }

    /// <summary>/metrics as samples: "name{labels}" → value (comments left out).</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri(HttpUrl, "metrics"));
        return text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => (Key: line[..line.LastIndexOf(' ')], Value: double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>Reads /metrics until <paramref name="done"/> holds (every 100 ms), or fails after <paramref name="timeout"/> saying <paramref name="what"/> and the last values.</summary>
    public async Task<Dictionary<string, double>> WaitForMetricsAsync(Func<Dictionary<string, double>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, double> last = [];
        while (true)
        {
            try
            {
                last = await MetricsAsync();
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}; last /metrics: {string.Join(", ", last.Where(p => p.Key.StartsWith("sensors_journal", StringComparison.Ordinal) || p.Key.StartsWith("sensors_readings", StringComparison.Ordinal)).Select(p => $"{p.Key}={p.Value}"))}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A sample of /metrics, NaN when absent.</summary>
    public static double Get(Dictionary<string, double> metrics, string key) => metrics.TryGetValue(key, out var value) ? value : double.NaN;

    public void Dispose()
    {
        Process.Dispose();
        _folder.Dispose();
    }
}
