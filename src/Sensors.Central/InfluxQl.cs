using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sensors.Central;

/// <summary>One series of an InfluxQL answer: its measurement, its GROUP BY tags, and rows of values (time first, as Unix milliseconds).</summary>
public sealed record Series(string Name, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    public string Tag(string key) => Tags.TryGetValue(key, out var value) ? value : string.Empty;

    /// <summary>The column's index, or -1 when the answer has no such column (a field never written).</summary>
    public int Find(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == name)
            {
                return i;
            }
        }

        throw new CentralDataException($"InfluxDB's answer has no column '{name}' (columns: {string.Join(", ", Columns)}).");
    }

    public static DateTimeOffset Time(object?[] row) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(row[0], CultureInfo.InvariantCulture));

    public static double? Number(object?[] row, int column) => row[column] switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => null,
    };
}

/// <summary>The narrow edge to the central database: statements in, one list of series per statement out.</summary>
public interface IInfluxQuery
{
    Task<IReadOnlyList<IReadOnlyList<Series>>> QueryAsync(IReadOnlyList<string> statements, CancellationToken cancellation);

    /// <summary>
    /// One statement's series as the database streams them (InfluxQL's chunked answer: a JSON
    /// document a line, a few thousand rows each), parsed as they arrive: memory holds one chunk,
    /// whatever the statement's size. A statement without GROUP BY gives its rows in time order.
    /// </summary>
    IAsyncEnumerable<Series> StreamAsync(string statement, CancellationToken cancellation);
}

/// <summary>The central database could not answer: what, and what to do, in one line.</summary>
public sealed class CentralDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// InfluxQL over HTTP GET /query, which every InfluxDB answers (1.x natively, 2.x and 3.x through
/// their v1 compatibility API). Several statements go in one request, separated by ';', and come
/// back in order. Times as Unix milliseconds (epoch=ms). Read-only: GET cannot change anything.
/// </summary>
public sealed class InfluxQueryClient(HttpClient http, InfluxReadOptions influx) : IInfluxQuery
{
    /// <summary>Rows a chunk of a streamed answer holds at most.</summary>
    private const int ChunkRows = 1000;

    public async Task<IReadOnlyList<IReadOnlyList<Series>>> QueryAsync(IReadOnlyList<string> statements, CancellationToken cancellation)
    {
        if (statements.Count == 0)
        {
            return [];
        }

        using var response = await SendAsync(string.Join(";\n", statements), chunked: false, cancellation);
        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        JsonDocument json;
        try
        {
            json = await JsonDocument.ParseAsync(body, cancellationToken: cancellation);
        }
        catch (JsonException error)
        {
            throw new CentralDataException($"InfluxDB at {influx.Url} answered {(int)response.StatusCode} with something that is not JSON; is Influx:Url the database's HTTP address?", error);
        }

        using (json)
        {
            Refused(response, json.RootElement);
            return Read(json.RootElement, statements);
        }
    }

    public async IAsyncEnumerable<Series> StreamAsync(string statement, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        using var response = await SendAsync(statement, chunked: true, cancellation);
        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        var reader = System.IO.Pipelines.PipeReader.Create(body, new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                System.IO.Pipelines.ReadResult read;
                try
                {
                    read = await reader.ReadAsync(cancellation);
                }
                catch (Exception error) when (error is IOException or HttpRequestException)
                {
                    throw new CentralDataException($"InfluxDB at {influx.Url} broke off its answer ({error.Message}).", error);
                }

                var buffer = read.Buffer;
                while (true)
                {
                    System.Buffers.ReadOnlySequence<byte> line;
                    if (buffer.PositionOf((byte)'\n') is { } end)
                    {
                        line = buffer.Slice(0, end);
                        buffer = buffer.Slice(buffer.GetPosition(1, end));
                    }
                    else if (read.IsCompleted && !buffer.IsEmpty)
                    {
                        line = buffer;
                        buffer = buffer.Slice(buffer.End);
                    }
                    else
                    {
                        break;
                    }

                    if (line.IsEmpty)
                    {
                        continue;
                    }

                    IReadOnlyList<Series> chunk;
                    JsonDocument json;
                    try
                    {
                        json = JsonDocument.Parse(line);
                    }
                    catch (JsonException error)
                    {
                        throw new CentralDataException($"InfluxDB at {influx.Url} answered {(int)response.StatusCode} with something that is not JSON; is Influx:Url the database's HTTP address?", error);
                    }

                    using (json)
                    {
                        Refused(response, json.RootElement);
                        chunk = Read(json.RootElement, [statement])[0];
                    }

                    foreach (var series in chunk)
                    {
                        yield return series;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string statements, bool chunked, CancellationToken cancellation)
    {
        var url = new StringBuilder(influx.Url.TrimEnd('/')).Append("/query?db=").Append(Uri.EscapeDataString(influx.Database))
            .Append("&epoch=ms").Append(chunked ? $"&chunked=true&chunk_size={ChunkRows}" : string.Empty).Append("&q=").Append(Uri.EscapeDataString(statements));
        using var request = new HttpRequestMessage(HttpMethod.Get, url.ToString());
        IInfluxCredentials.Authorize(request, influx);

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        }
        catch (HttpRequestException error)
        {
            throw new CentralDataException($"InfluxDB at {influx.Url} does not answer ({error.Message}); check that it runs and that Influx:Url is right.", error);
        }
        catch (TaskCanceledException error) when (!cancellation.IsCancellationRequested)
        {
            throw new CentralDataException($"InfluxDB at {influx.Url} did not answer within {http.Timeout.TotalSeconds:0} s; it may be overloaded.", error);
        }

    }

    /// <summary>An answer that is not 2xx, said as the database said it.</summary>
    private void Refused(HttpResponseMessage response, JsonElement root)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var reason = root.TryGetProperty("error", out var e) ? e.GetString() : response.ReasonPhrase;
        throw new CentralDataException(response.StatusCode == System.Net.HttpStatusCode.Unauthorized
            ? $"InfluxDB refused the credentials ({reason}); check Influx:Username and Influx:PasswordFile (a user with READ on {influx.Database})."
            : $"InfluxDB answered {(int)response.StatusCode}: {reason}.");
    }

    internal static IReadOnlyList<IReadOnlyList<Series>> Read(JsonElement root, IReadOnlyList<string> statements)
    {
        var answers = new IReadOnlyList<Series>[statements.Count];
        Array.Fill(answers, Array.Empty<Series>());
        if (!root.TryGetProperty("results", out var results))
        {
            throw new CentralDataException(root.TryGetProperty("error", out var error) ? $"InfluxDB: {error.GetString()}" : "InfluxDB's answer has no results.");
        }

        foreach (var result in results.EnumerateArray())
        {
            var index = result.TryGetProperty("statement_id", out var id) ? id.GetInt32() : 0;
            if (result.TryGetProperty("error", out var error))
            {
                var statement = index < statements.Count ? statements[index] : "?";
                throw new CentralDataException($"InfluxDB refused a query ({error.GetString()}): {statement}");
            }

            if (index >= statements.Count || !result.TryGetProperty("series", out var series))
            {
                continue;
            }

            var list = new List<Series>();
            foreach (var item in series.EnumerateArray())
            {
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                if (item.TryGetProperty("tags", out var tagObject))
                {
                    foreach (var tag in tagObject.EnumerateObject())
                    {
                        tags[tag.Name] = tag.Value.GetString() ?? string.Empty;
                    }
                }

                var columns = item.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToArray();
                var rows = new List<object?[]>();
                if (item.TryGetProperty("values", out var values))
                {
                    foreach (var value in values.EnumerateArray())
                    {
                        var row = new object?[columns.Length];
                        var i = 0;
                        foreach (var cell in value.EnumerateArray())
                        {
                            if (i < row.Length)
                            {
                                row[i++] = cell.ValueKind switch
                                {
                                    JsonValueKind.Number when cell.TryGetInt64(out var whole) => whole,
                                    JsonValueKind.Number => cell.GetDouble(),
                                    JsonValueKind.String => cell.GetString(),
                                    JsonValueKind.True => true,
                                    JsonValueKind.False => false,
                                    _ => null,
                                };
                            }
                        }

                        rows.Add(row);
                    }
                }

                list.Add(new Series(item.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty, tags, columns, rows));
            }

            answers[index] = list;
        }

        return answers;
    }
}

/// <summary>InfluxQL literals, quoted so that no value from a URL can change a query.</summary>
public static class Ql
{
    /// <summary>A string literal: 'it''s' escaped as InfluxQL wants, \' and \\.</summary>
    public static string Text(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>An identifier: "name" with its quotes escaped.</summary>
    public static string Name(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A time literal, to the millisecond, in UTC.</summary>
    public static string Time(DateTimeOffset at) => "'" + at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) + "'";

    /// <summary>"time &gt;= a AND time &lt; b".</summary>
    public static string Between(DateTimeOffset from, DateTimeOffset to) => $"time >= {Time(from)} AND time < {Time(to)}";
}
