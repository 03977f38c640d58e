using System.Diagnostics;

namespace Sensors.Testing;

/// <summary>
/// A real Mosquitto 2.0 (Debian's) on a free loopback port, with its own configuration from
/// deploy/local/mosquitto.conf.in, persistence in a temp folder, stopped by PID. Optionally a
/// password file, and a TLS listener with certificates made by openssl (a CA, the broker's
/// certificate for localhost/127.0.0.1, a client certificate for mutual TLS).
/// </summary>
public sealed class MosquittoServer : IDisposable
{
    private readonly TempFolder _folder = new("mosquitto");
    private readonly ServerProcess _process;

    public MosquittoServer(IReadOnlyDictionary<string, string>? users = null, bool tls = false, bool requireClientCertificate = false, string? extraConfig = null)
    {
        Port = FreePort.Next();
        var config = File.ReadAllText(RepoPaths.Of("deploy/local/mosquitto.conf.in"))
            .Replace("@PORT@", Port.ToString(), StringComparison.Ordinal)
            .Replace("@DATA@", _folder.Path, StringComparison.Ordinal)
            .Replace("@USER@", Environment.UserName, StringComparison.Ordinal);
        config += "\nautosave_interval 1\n" + (extraConfig ?? string.Empty) + "\n";
        if (users is not null)
        {
            var passwords = _folder.File("passwords");
            File.WriteAllText(passwords, string.Empty);
            foreach (var (user, password) in users)
            {
                Run("mosquitto_passwd", "-b", passwords, user, password);
            }

            config += $"allow_anonymous false\npassword_file {passwords}\n";
        }

        if (tls)
        {
            TlsPort = FreePort.Next();
            MakeCertificates();
            config += $"\nlistener {TlsPort} 127.0.0.1\ncafile {CaFile}\ncertfile {_folder.File("server.crt")}\nkeyfile {_folder.File("server.key")}\nrequire_certificate {(requireClientCertificate ? "true" : "false")}\n";
        }

        var path = _folder.File("mosquitto.conf");
        File.WriteAllText(path, config);
        _process = new ServerProcess("mosquitto", "mosquitto", "-c", path);
        Start();
    }

    public int Port { get; }
    public int TlsPort { get; }
    public string CaFile => _folder.File("ca.crt");
    public string ClientCertificateFile => _folder.File("client.crt");
    public string ServerCertificateFile => _folder.File("server.crt");
    public string ServerKeyFile => _folder.File("server.key");
    public string ClientKeyFile => _folder.File("client.key");
    public string Log => File.Exists(_folder.File("mosquitto.log")) ? File.ReadAllText(_folder.File("mosquitto.log")) : string.Empty;

    /// <summary>
    /// Waits until Mosquitto has saved its persistence file after this call (autosave every second
    /// here; its log says "Saving in-memory database"): what it held when called is then on disk.
    /// </summary>
    public async Task WaitForSaveAsync(TimeSpan? timeout = null)
    {
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var line in Log.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line.Contains("Saving in-memory database", StringComparison.Ordinal)
                    && long.TryParse(line[..colon], System.Globalization.CultureInfo.InvariantCulture, out var at) && at > after)
                {
                    return;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Mosquitto did not save its persistence file within {(timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds} s (autosave_interval 1). Its log ends:\n{Log[^Math.Min(1000, Log.Length)..]}");
    }

    public void Start()
    {
        _process.Start();
        _process.WaitForPort(Port, TimeSpan.FromSeconds(20));
        if (TlsPort != 0)
        {
            _process.WaitForPort(TlsPort, TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>SIGTERM (Mosquitto saves its persistence file) or, with <paramref name="kill"/>, SIGKILL.</summary>
    public void Stop(bool kill = false) => _process.Stop(kill);

    public void Dispose()
    {
        _process.Dispose();
        _folder.Dispose();
    }

    private void MakeCertificates()
    {
        var f = _folder;
        Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sensors test CA", "-keyout", f.File("ca.key"), "-out", f.File("ca.crt"));
        File.WriteAllText(f.File("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f.File("server.key"), "-out", f.File("server.csr"));
        Run("openssl", "x509", "-req", "-in", f.File("server.csr"), "-CA", f.File("ca.crt"), "-CAkey", f.File("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f.File("server.ext"), "-out", f.File("server.crt"));
        Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=gateway-test", "-keyout", f.File("client.key"), "-out", f.File("client.csr"));
        Run("openssl", "x509", "-req", "-in", f.File("client.csr"), "-CA", f.File("ca.crt"), "-CAkey", f.File("ca.key"), "-CAcreateserial", "-days", "2", "-out", f.File("client.crt"));
    }

    private static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
        }
    }
}
