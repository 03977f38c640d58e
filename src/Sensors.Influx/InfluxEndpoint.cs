using System.Net.Http.Headers;
using System.Text;
using Sensors.Core;

namespace Sensors.Influx;

/// <summary>
/// The addresses and headers of one configured InfluxDB: where to write, where to query, how to
/// sign in. Built once from <see cref="InfluxOptions"/>; pure, no I/O.
/// </summary>
public sealed class InfluxEndpoint
{
    private readonly AuthenticationHeaderValue? _authorization;

    public InfluxEndpoint(InfluxOptions options)
    {
        var url = options.Url ?? throw new ArgumentException("Influx:Url is not set.", nameof(options));
        Options = options;
        var basePath = url.AbsolutePath.TrimEnd('/');
        WriteUri = options.Api switch
        {
            InfluxApi.V1 => Build(url, basePath + "/write", ("db", options.Database), ("rp", options.RetentionPolicy), ("precision", V1Precision(options.Precision))),
            _ => Build(url, basePath + "/api/v2/write", ("org", options.Org), ("bucket", options.Bucket), ("precision", V2Precision(options.Precision))),
        };
        QueryUri = Build(url, basePath + "/query");
        if (!string.IsNullOrEmpty(options.Token))
        {
            _authorization = new AuthenticationHeaderValue("Token", options.Token);
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }
    }

    public InfluxOptions Options { get; }
    public Uri WriteUri { get; }
    public Uri QueryUri { get; }

    /// <summary>Where we write, for log lines: the address without credentials.</summary>
    public string Describe() => Options.Api == InfluxApi.V1
        ? $"{Options.Url} database '{Options.Database}'"
        : $"{Options.Url} bucket '{Options.Bucket}' of '{Options.Org}'";

    public HttpRequestMessage WriteRequest(ReadOnlyMemory<byte> body, bool gzipped)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, WriteUri) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (gzipped)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        request.Headers.Authorization = _authorization;
        return request;
    }

    /// <summary>An InfluxQL statement through /query (POST, form body), as every InfluxDB version answers it.</summary>
    public HttpRequestMessage QueryRequest(string statement, string? database = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("q", statement) };
        if (database is not null)
        {
            form.Add(new("db", database));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, QueryUri) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = _authorization;
        return request;
    }

    private static string V1Precision(Precision precision) => precision switch
    {
        Precision.Nanoseconds => "n",
        Precision.Microseconds => "u",
        Precision.Milliseconds => "ms",
        _ => "s",
    };

    private static string V2Precision(Precision precision) => precision switch
    {
        Precision.Nanoseconds => "ns",
        Precision.Microseconds => "us",
        Precision.Milliseconds => "ms",
        _ => "s",
    };

    private static Uri Build(Uri url, string path, params (string Key, string? Value)[] query)
    {
        var builder = new UriBuilder(url) { Path = path, Query = string.Empty };
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}");
        builder.Query = string.Join('&', parts);
        return builder.Uri;
    }
}
