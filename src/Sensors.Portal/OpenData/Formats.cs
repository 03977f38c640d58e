using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sensors.Portal.OpenData;

/// <summary>
/// How the datasets are written: CSV (RFC 4180, UTF-8, comma, a header line, '.' for decimals),
/// JSON (the rows as objects, with the dataset, period, licence and schema beside them, and the
/// number of rows last), and each dataset's Table Schema (Frictionless Data) for the columns.
/// Downloads are written a slice of rows at a time (<see cref="RowFormat"/>): each slice becomes
/// bytes that go to the client (and to the cache file) before the next slice is read.
/// </summary>
public static class Formats
{
    /// <summary>A writer for <paramref name="format"/> ("csv" or "json").</summary>
    public static RowFormat For(string format, Dataset dataset, DateOnly from, DateOnly to, PortalOptions options, string baseUrl) =>
        format == "csv" ? new CsvFormat(dataset) : new JsonFormat(dataset, from, to, options, baseUrl);

    public static string ContentType(string format) => format == "csv" ? "text/csv; charset=utf-8; header=present" : "application/json; charset=utf-8";

    /// <summary>The dataset's Table Schema: its fields with type, unit and description, in French and English.</summary>
    public static string Schema(Dataset dataset, PortalOptions options)
    {
        var fields = new JsonArray();
        foreach (var field in dataset.Fields)
        {
            var item = new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = field.Type,
                ["title"] = field.DescriptionFr,
                ["description"] = field.DescriptionEn + (field.Unit is null ? string.Empty : $" ({field.Unit})"),
            };
            if (field.Unit is not null)
            {
                item["unit"] = field.Unit;
            }

            if (field.Type == "datetime")
            {
                item["format"] = "default";
            }

            fields.Add(item);
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://specs.frictionlessdata.io/schemas/table-schema.json",
            ["name"] = dataset.Id,
            ["title"] = dataset.TitleFr,
            ["description"] = dataset.DescriptionFr,
            ["licenses"] = new JsonArray(new JsonObject { ["name"] = options.Licence.Name, ["path"] = options.Licence.Url }),
            ["fields"] = fields,
            ["primaryKey"] = new JsonArray([.. dataset.Fields.Take(1 + dataset.GroupTags.Length).Select(f => (JsonNode)JsonValue.Create(f.Name)!)]),
        };
        return schema.ToJsonString(JsonOptions);
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}

/// <summary>
/// A download's bytes, a part at a time: <see cref="Start"/>, then <see cref="Rows"/> for each
/// slice, then <see cref="End"/>. Each call leaves its bytes in <see cref="Written"/> until the
/// next call, so memory holds one slice, whatever the period.
/// </summary>
public abstract class RowFormat
{
    protected ArrayBufferWriter<byte> Buffer { get; } = new(64 * 1024);

    public ReadOnlyMemory<byte> Written => Buffer.WrittenMemory;

    public long Count { get; private set; }

    public void Start()
    {
        Buffer.ResetWrittenCount();
        WriteStart();
    }

    public void Rows(IReadOnlyList<object?[]> rows)
    {
        Buffer.ResetWrittenCount();
        foreach (var row in rows)
        {
            WriteRow(row);
        }

        Count += rows.Count;
        Flush();
    }

    public void End()
    {
        Buffer.ResetWrittenCount();
        WriteEnd();
    }

    protected abstract void WriteStart();

    protected abstract void WriteRow(object?[] row);

    protected abstract void WriteEnd();

    protected virtual void Flush()
    {
    }
}

/// <summary>RFC 4180: a header line, then a line a row, CRLF; text quoted when it holds a comma, a quote or a line break.</summary>
internal sealed class CsvFormat(Dataset dataset) : RowFormat
{
    private readonly StringBuilder _line = new(256);

    protected override void WriteStart()
    {
        _line.Clear().AppendJoin(',', dataset.Fields.Select(f => f.Name)).Append("\r\n");
        Encode();
    }

    protected override void WriteRow(object?[] row)
    {
        _line.Clear();
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }

            switch (row[i])
            {
                case null:
                    break;
                case string text:
                    _line.Append(Formats.Quote(text));
                    break;
                case double d:
                    _line.Append(d.ToString("0.###", CultureInfo.InvariantCulture));
                    break;
                case long l:
                    _line.Append(l);
                    break;
                case var other:
                    _line.Append(Formats.Quote(Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty));
                    break;
            }
        }

        _line.Append("\r\n");
        Encode();
    }

    protected override void WriteEnd()
    {
    }

    private void Encode()
    {
        foreach (var chunk in _line.GetChunks())
        {
            var span = Buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            Buffer.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }
    }
}

/// <summary>
/// {"dataset", "title", "from", "to", "licence", "schema", "data": [rows as objects], "rows": N}.
/// "rows" comes last: a document cut short has no "rows" (and is not valid JSON).
/// </summary>
internal sealed class JsonFormat : RowFormat
{
    private readonly Dataset _dataset;
    private readonly DateOnly _from;
    private readonly DateOnly _to;
    private readonly PortalOptions _options;
    private readonly string _baseUrl;
    private readonly Utf8JsonWriter _json;
    private readonly JsonEncodedText[] _names;

    public JsonFormat(Dataset dataset, DateOnly from, DateOnly to, PortalOptions options, string baseUrl)
    {
        (_dataset, _from, _to, _options, _baseUrl) = (dataset, from, to, options, baseUrl);
        _json = new Utf8JsonWriter(Buffer, new JsonWriterOptions { Encoder = Formats.JsonOptions.Encoder, Indented = false });
        _names = [.. dataset.Fields.Select(f => JsonEncodedText.Encode(f.Name, Formats.JsonOptions.Encoder))];
    }

    protected override void WriteStart()
    {
        _json.WriteStartObject();
        _json.WriteString("dataset", _dataset.Id);
        _json.WriteString("title", _dataset.TitleFr);
        _json.WriteString("from", _from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        _json.WriteString("to", _to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        _json.WriteString("licence", _options.Licence.Url);
        _json.WriteString("schema", $"{_baseUrl}/donnees/{_dataset.Id}/schema.json");
        _json.WriteStartArray("data");
        _json.Flush();
    }

    protected override void WriteRow(object?[] row)
    {
        _json.WriteStartObject();
        for (var i = 0; i < row.Length; i++)
        {
            switch (row[i])
            {
                case null:
                    _json.WriteNull(_names[i]);
                    break;
                case string text:
                    _json.WriteString(_names[i], text);
                    break;
                case long l:
                    _json.WriteNumber(_names[i], l);
                    break;
                case double d:
                    _json.WriteNumber(_names[i], d);
                    break;
                case var other:
                    _json.WriteString(_names[i], Convert.ToString(other, CultureInfo.InvariantCulture));
                    break;
            }
        }

        _json.WriteEndObject();
    }

    protected override void Flush() => _json.Flush();

    protected override void WriteEnd()
    {
        _json.WriteEndArray();
        _json.WriteNumber("rows", Count);
        _json.WriteEndObject();
        _json.Flush();
    }
}
