using System.Text.Json;

namespace Sensors.Testing;

/// <summary>
/// npm's oidc-provider (deploy/local/oidc/provider.mjs) on a free loopback port: a real
/// OpenID Provider with one client and the users given (login → name, email, roles). Its
/// development sign-in form takes any password.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string ClientId = "sensors-console";
    public const string ClientSecret = "console-test-secret";

    private readonly TempFolder _folder = new("oidc");
    private readonly ServerProcess _process;

    public OidcProvider(IEnumerable<string> redirectUris, IReadOnlyDictionary<string, (string Name, string[] Roles)> users, int? port = null)
    {
        var script = RepoPaths.Of("deploy/local/oidc/provider.mjs");
        if (!Directory.Exists(RepoPaths.Of("deploy/local/oidc/node_modules/oidc-provider")))
        {
            throw new InvalidOperationException("oidc-provider is not installed: run scripts/test, which installs it (npm install in deploy/local/oidc).");
        }

        Port = port ?? FreePort.Next();
        var config = _folder.File("config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            clients = new[] { new { client_id = ClientId, client_secret = ClientSecret, redirect_uris = redirectUris.ToArray() } },
            users = users.ToDictionary(u => u.Key, u => new { name = u.Value.Name, email = $"{u.Key}@ville.example", roles = u.Value.Roles }),
        }));
        _process = new ServerProcess("oidc-provider", "node", script, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), config);
        Start();
    }

    public int Port { get; }

    public Uri Issuer => new($"http://127.0.0.1:{Port}");

    public string Output => _process.Output;

    public void Start()
    {
        _process.Start();
        _process.WaitForOutput("oidc-provider ready", TimeSpan.FromSeconds(30));
    }

    public void Stop() => _process.Stop();

    public void Dispose()
    {
        _process.Dispose();
        _folder.Dispose();
    }
}

/// <summary>
/// An SMTP sink: Debian's python3-aiosmtpd on a free loopback port, every message kept as a file
/// in a Maildir in a temp folder, stopped by PID.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private readonly TempFolder _folder = new("smtp");
    private readonly ServerProcess _process;

    public SmtpSink()
    {
        Port = FreePort.Next();
        foreach (var sub in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(_folder.Path, "mail", sub)); // a Maildir
        }
        _process = new ServerProcess("aiosmtpd", "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(_folder.Path, "mail"));
        _process.Start();
        _process.WaitForPort(Port, TimeSpan.FromSeconds(20));
    }

    public int Port { get; }

    /// <summary>Every message received so far, as text (headers and bodies, quoted-printable and encoded words decoded), oldest first.</summary>
    public IReadOnlyList<string> Messages()
    {
        var root = Path.Combine(_folder.Path, "mail");
        return [.. new[] { "new", "cur" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles).OrderBy(File.GetLastWriteTimeUtc).Select(f => Decode(File.ReadAllText(f)))];
    }

    /// <summary>Quoted-printable (soft breaks, =XX as UTF-8 bytes) and RFC 2047 Q-encoded words, as Alertmanager writes them.</summary>
    public static string Decode(string raw)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(raw, @"=\?utf-8\?q\?(?<text>.*?)\?=\s*", m => m.Groups["text"].Value.Replace('_', ' '), System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var text = System.Text.RegularExpressions.Regex.Replace(words, "=\r?\n", string.Empty);
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    public void Dispose()
    {
        _process.Dispose();
        _folder.Dispose();
    }
}

/// <summary>
/// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, with
/// the configuration given (@SMTP@ replaced by the sink's address), its data in a temp folder, no
/// cluster, stopped by PID.
/// </summary>
public sealed class AlertmanagerServer : IDisposable
{
    private readonly TempFolder _folder = new("alertmanager");
    private readonly ServerProcess _process;

    public AlertmanagerServer(string config, int? port = null)
    {
        Port = port ?? FreePort.Next();
        var path = _folder.File("alertmanager.yml");
        File.WriteAllText(path, config);
        _process = new ServerProcess("alertmanager", "/usr/bin/prometheus-alertmanager",
            $"--config.file={path}", $"--storage.path={_folder.File("data")}", $"--web.listen-address=127.0.0.1:{Port}", "--cluster.listen-address=", "--log.level=warn");
        Start();
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public string Output => _process.Output;

    public void Start()
    {
        _process.Start();
        _process.WaitForPort(Port, TimeSpan.FromSeconds(30));
    }

    public void Stop() => _process.Stop();

    public void Dispose()
    {
        _process.Dispose();
        _folder.Dispose();
    }
}
