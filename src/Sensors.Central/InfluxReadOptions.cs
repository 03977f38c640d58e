namespace Sensors.Central;

/// <summary>The central InfluxDB, read with InfluxQL: a user with READ only is enough.</summary>
public sealed class InfluxReadOptions : IInfluxCredentials
{
    public string Url { get; set; } = "http://127.0.0.1:8086";

    public string Database { get; set; } = "sensors";

    /// <summary>InfluxDB 1.x user (READ on the database); the password from <see cref="PasswordFile"/> or <see cref="Password"/>.</summary>
    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string PasswordFile { get; set; } = string.Empty;

    /// <summary>InfluxDB 2.x/3.x token (v1 compatibility API), from <see cref="TokenFile"/> or <see cref="Token"/>.</summary>
    public string Token { get; set; } = string.Empty;

    public string TokenFile { get; set; } = string.Empty;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public string Qualified(string policy, string measurement) => $"{Ql.Name(Database)}.{Ql.Name(policy)}.{Ql.Name(measurement)}";

    public string ReadPassword() => IInfluxCredentials.Secret(PasswordFile, Password);

    public string ReadToken() => IInfluxCredentials.Secret(TokenFile, Token);

    /// <summary>The settings' problems, one line each, naming the key under <paramref name="section"/> (Portal:Influx, Console:Influx).</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!(Uri.TryCreate(Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return $"{section}:Url = '{Url}': expected the database's HTTP address, e.g. http://127.0.0.1:8086.";
        }

        if (!ConfigIdentifier(Database))
        {
            yield return $"{section}:Database = '{Database}': expected a database name, e.g. sensors.";
        }

        foreach (var (key, path) in new[] { ("PasswordFile", PasswordFile), ("TokenFile", TokenFile) })
        {
            if (path.Length > 0 && !File.Exists(path))
            {
                yield return $"{section}:{key} = '{path}': no such file; write the secret there (chmod 600) or leave the key empty.";
            }
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{section}:Timeout = {Timeout}: expected a duration up to 00:05:00, e.g. 00:00:10.";
        }
    }

    private static bool ConfigIdentifier(string text) => text.Length is > 0 and < 128 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}

/// <summary>Who a request to InfluxDB is: a 1.x user and password, or a 2.x/3.x token (v1 API).</summary>
public interface IInfluxCredentials
{
    string Username { get; }

    string ReadPassword();

    string ReadToken();

    /// <summary>A secret from its file (trimmed), else the value written in the settings.</summary>
    static string Secret(string file, string inline) => file.Length > 0 ? File.ReadAllText(file).Trim() : inline;

    /// <summary>Basic with the user and password, else Token with the token, else nothing.</summary>
    static void Authorize(HttpRequestMessage request, IInfluxCredentials who)
    {
        if (who.Username.Length > 0)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{who.Username}:{who.ReadPassword()}")));
        }
        else if (who.ReadToken() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", token);
        }
    }
}
