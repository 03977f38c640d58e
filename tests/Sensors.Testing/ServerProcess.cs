using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sensors.Testing;

/// <summary>
/// A real server program started by a test: its own temp folder, its output kept for failure
/// messages, stopped by its PID (never by name), killed if it does not stop in time.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ServerProcess(string name, string executable, params string[] arguments)
    {
        Name = name;
        Executable = Locate(executable);
        Arguments = arguments;
    }

    /// <summary>Variables added to the child's environment.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string Name { get; }
    public string Executable { get; }
    public IReadOnlyList<string> Arguments { get; }
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running (PID {_process.Id}).");
        }

        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until something accepts TCP connections on the port, or fails with the server's own output.</summary>
    public void WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before listening on port {port}:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"{Name} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails with the output so far.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} ({Executable} {string.Join(' ', Arguments)}) did not print '{text}' within {timeout.TotalSeconds} s:\n{Output}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        if (!process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s:\n{Output}");
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>SIGTERM (or SIGKILL with <paramref name="kill"/>) to our own PID, then wait for it to exit.</summary>
    public void Stop(bool kill = false)
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        if (kill || !Signal(process.Id, 15))
        {
            process.Kill();
        }

        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            process.WaitForExit(5_000);
        }

        process.WaitForExit();
    }

    public void Dispose()
    {
        Stop();
        _process?.Dispose();
    }

    private static bool Signal(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false, RedirectStandardError = true });
        kill!.WaitForExit();
        return kill.ExitCode == 0;
    }

    private static string Locate(string executable)
    {
        if (Path.IsPathRooted(executable))
        {
            return File.Exists(executable) ? executable : throw Missing(executable);
        }

        foreach (var folder in (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin"]))
        {
            var candidate = Path.Combine(folder, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw Missing(executable);
    }

    private static FileNotFoundException Missing(string executable) =>
        new($"'{executable}' is not installed. Run the test command from README.md (scripts/test), which installs Debian's influxdb and mosquitto packages.");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 400_000)
            {
                _output.Remove(0, 200_000); // keep the latest lines
            }
        }
    }
}
