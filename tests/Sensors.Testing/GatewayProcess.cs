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
        var dll = Path.Combine(AppContext.BaseDirectory, "sensors.dll");
        Process = new ServerProcess("sensors", "dotnet", "exec", dll, "run", "--config", ConfigPath);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            Process.Environment[key] = value;
        }

        Process.Environment["DOTNET_gcServer"] = "0";
    }

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

    public void Dispose()
    {
        Process.Dispose();
        _folder.Dispose();
    }
}
