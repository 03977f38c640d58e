using Sensors.Core;

namespace Sensors.Influx;

/// <summary>Which write endpoint to use.</summary>
public enum InfluxApi
{
    /// <summary><c>/write?db=…</c>: InfluxDB 1.x, and 2.x/3.x through their v1 compatibility API.</summary>
    V1,

    /// <summary><c>/api/v2/write?org=…&amp;bucket=…</c>: InfluxDB 2.x and 3.x.</summary>
    V2,
}

/// <summary>The <c>Influx</c> configuration section. Durations are <see cref="TimeSpan"/>s ("00:00:10").</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>Base address, e.g. http://127.0.0.1:8086. Null: no database yet, readings wait locally.</summary>
    public Uri? Url { get; set; }

    public InfluxApi Api { get; set; } = InfluxApi.V1;

    /// <summary>v1: database name.</summary>
    public string? Database { get; set; }

    /// <summary>v1: retention policy; empty means the database's default.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>v1: user name for basic authentication (with <see cref="Password"/>).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>API token, sent as <c>Authorization: Token …</c> (v2, or v1 compatibility on InfluxDB 2.x/3.x).</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the password (e.g. a systemd credential), read at start by the gateway; wins over <see cref="Password"/>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>A file holding the token, read at start by the gateway; wins over <see cref="Token"/>.</summary>
    public string? TokenFile { get; set; }

    /// <summary>v2: organisation name or id.</summary>
    public string? Org { get; set; }

    /// <summary>v2: bucket name.</summary>
    public string? Bucket { get; set; }

    public Precision Precision { get; set; } = Precision.Nanoseconds;

    /// <summary>
    /// Write unsigned fields as signed integers. InfluxDB 1.x refuses the <c>u</c> suffix; null
    /// means "true for the v1 API, false for v2".
    /// </summary>
    public bool? UnsignedAsInteger { get; set; }

    /// <summary>Compress request bodies with gzip (InfluxDB accepts <c>Content-Encoding: gzip</c>).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>v1: create the database when the server says it does not exist. Off by default: a typo should not make a new database.</summary>
    public bool CreateDatabase { get; set; }

    public int BatchMaxPoints { get; set; } = 5_000;

    public int BatchMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Time allowed for one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of one request after a network error, 429 or 5xx, with exponential backoff and jitter.</summary>
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of one backoff wait, and of a server's Retry-After that we honour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the circuit stays open after repeated failures: no request is sent meanwhile.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => Url is not null;

    public LineProtocol.Options Encoding => new(Precision, UnsignedAsInteger ?? Api == InfluxApi.V1);

    /// <summary>Every problem with these options, one line each, naming the key (empty when valid).</summary>
    public IReadOnlyList<string> Validate(string section = Section)
    {
        var errors = new List<string>();
        if (Url is null)
        {
            return errors;
        }

        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{section}:Url = '{Url}': expected an absolute http:// or https:// address, e.g. http://127.0.0.1:8086.");
        }

        if (Api == InfluxApi.V1 && string.IsNullOrWhiteSpace(Database))
        {
            errors.Add($"{section}:Database is missing: the v1 API writes into a database, e.g. \"sensors\".");
        }

        if (Api == InfluxApi.V2)
        {
            if (string.IsNullOrWhiteSpace(Org))
            {
                errors.Add($"{section}:Org is missing: the v2 API needs the organisation name or id.");
            }

            if (string.IsNullOrWhiteSpace(Bucket))
            {
                errors.Add($"{section}:Bucket is missing: the v2 API writes into a bucket, e.g. \"sensors\".");
            }

            if (string.IsNullOrWhiteSpace(Token))
            {
                errors.Add($"{section}:Token is missing: the v2 API needs an API token with write access to the bucket.");
            }
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            errors.Add($"{section}:Username and {section}:Password go together: set both or neither.");
        }

        if (!string.IsNullOrEmpty(Token) && !string.IsNullOrEmpty(Username))
        {
            errors.Add($"{section}:Token and {section}:Username are both set: use one way to sign in.");
        }

        Positive(errors, BatchMaxPoints, $"{section}:BatchMaxPoints", "points in one request, e.g. 5000");
        if (BatchMaxBytes < 1024)
        {
            errors.Add($"{section}:BatchMaxBytes = {BatchMaxBytes}: expected at least 1024 bytes, e.g. 1048576.");
        }

        Duration(errors, RequestTimeout, $"{section}:RequestTimeout", "00:00:10");
        Duration(errors, RetryDelay, $"{section}:RetryDelay", "00:00:01");
        Duration(errors, MaxRetryDelay, $"{section}:MaxRetryDelay", "00:01:00");
        Duration(errors, BreakDuration, $"{section}:BreakDuration", "00:00:30");
        if (MaxRetries is < 0 or > 20)
        {
            errors.Add($"{section}:MaxRetries = {MaxRetries}: expected 0 to 20.");
        }

        return errors;
    }

    private static void Positive(List<string> errors, int value, string key, string expected)
    {
        if (value < 1)
        {
            errors.Add($"{key} = {value}: expected a positive number of {expected}.");
        }
    }

    private static void Duration(List<string> errors, TimeSpan value, string key, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} = {value}: expected a positive duration, e.g. {example}.");
        }
    }
}
