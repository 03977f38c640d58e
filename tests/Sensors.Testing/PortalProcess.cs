using System.Globalization;
using System.Text.RegularExpressions;

namespace Sensors.Testing;

/// <summary>
/// The real portal program (sensors-portal.dll) run as a child process the way the city runs it:
/// the runtime settings of deploy/central/portal/sensors-portal.service (its Environment= line:
/// workstation GC, the GC heap hard limit), its own settings file, a free loopback port, stopped
/// by PID. <see cref="ResidentKiB"/> and <see cref="PeakKiB"/> read /proc for memory figures.
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private readonly ServerProcess _process;

    /// <param name="settings">The "Portal" section's JSON members beyond Port and Influx (e.g. "Sites": "…", "CacheFor": "00:00:00").</param>
    /// <param name="heapLimit">A GC heap hard limit in bytes instead of the unit's, or null for the unit's.</param>
    public PortalProcess(TempFolder folder, InfluxServer influx, string settings, long? heapLimit = null)
    {
        Port = FreePort.Next();
        var config = folder.File("portal-process.json");
        File.WriteAllText(config, $$"""{ "Portal": { "Address": "127.0.0.1", "Port": {{Port}}, {{settings}}, "Influx": { "Url": "{{influx.Url}}", "Database": "sensors", "Timeout": "00:01:00" } } }""");
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = RepoPaths.Of($"src/Sensors.Portal/bin/{configuration}/net10.0/sensors-portal.dll");
        _process = new ServerProcess("sensors-portal", "dotnet", File.Exists(dll) ? dll : Path.Combine(AppContext.BaseDirectory, "sensors-portal.dll"), "--config", config);
        foreach (var (key, value) in UnitEnvironment())
        {
            _process.Environment[key] = value;
        }

        if (heapLimit is { } limit)
        {
            _process.Environment["DOTNET_GCHeapHardLimit"] = "0x" + limit.ToString("x", CultureInfo.InvariantCulture);
        }

        _process.Start();
        _process.WaitForOutput("Portal: ready", TimeSpan.FromSeconds(60));
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }
    public Uri Url { get; }
    public int Pid => _process.Pid ?? throw new InvalidOperationException($"The portal is not running. Its output:\n{_process.Output}");
    public string Output => _process.Output;

    /// <summary>The portal's resident memory now (VmRSS), in KiB.</summary>
    public long ResidentKiB => Status("VmRSS");

    /// <summary>The portal's peak resident memory so far (VmHWM), in KiB.</summary>
    public long PeakKiB => Status("VmHWM");

    /// <summary>Runs <paramref name="work"/> while sampling the portal's resident memory every 20 ms; its result and the highest sample, in KiB.</summary>
    public async Task<(T Result, long PeakKiB)> PeakWhileAsync<T>(Func<Task<T>> work)
    {
        long peak = ResidentKiB;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentKiB);
                await Task.Delay(20);
            }
        });
        try
        {
            return (await work(), peak);
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
    }

    /// <summary>The Environment= settings of the deployed unit, e.g. DOTNET_gcServer=0 and DOTNET_GCHeapHardLimit.</summary>
    public static IReadOnlyDictionary<string, string> UnitEnvironment()
    {
        var unit = File.ReadAllLines(RepoPaths.Of("deploy/central/portal/sensors-portal.service"));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal)))
        {
            foreach (Match pair in Regex.Matches(line["Environment=".Length..], @"(\w+)=(\S+)"))
            {
                variables[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        return variables;
    }

    private long Status(string key)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public void Dispose() => _process.Dispose();
}
