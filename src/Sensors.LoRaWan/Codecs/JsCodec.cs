using System.Text.Json;
using Acornima;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace Sensors.LoRaWan.Codecs;

/// <summary>Bounds on one run of a JavaScript codec.</summary>
public sealed record JsCodecLimits(TimeSpan Time, long MemoryBytes, int RecursionDepth)
{
    /// <summary>A vendor codec decodes a 50-byte payload in well under a millisecond; these bounds stop only a broken one.</summary>
    public static JsCodecLimits Default { get; } = new(TimeSpan.FromMilliseconds(100), 8 * 1024 * 1024, 64);
}

/// <summary>
/// A vendor's JavaScript payload codec, run as The Things Stack and ChirpStack v4 run them:
/// <c>decodeUplink({ bytes, fPort, recvTime, variables })</c> returns <c>{ data, warnings, errors }</c>.
/// Sandboxed in Jint: no access to .NET, files or network (nothing is exposed but the input),
/// strict mode, and each call bounded in time, memory and recursion. A codec that throws, loops,
/// runs out of its bounds or returns something that is not <c>{ data: { … } }</c> gives a
/// <see cref="PayloadException"/> in words; the engine stays usable for the next uplink.
/// One engine per codec file; calls are serialised (Jint engines are single-threaded).
/// </summary>
public sealed class JsCodec
{
    private readonly Engine _engine;
    private readonly JsValue _decodeUplink;
    private readonly Jint.Native.Json.JsonSerializer _json;
    private readonly object _gate = new();

    private JsCodec(string name, Engine engine, JsValue decodeUplink)
    {
        Name = name;
        _engine = engine;
        _decodeUplink = decodeUplink;
        _json = new Jint.Native.Json.JsonSerializer(engine);
    }

    /// <summary>The codec's file name ("acme-bin.js").</summary>
    public string Name { get; }

    /// <summary>Compiles <paramref name="source"/> and checks that it defines decodeUplink; a problem is a <see cref="PayloadException"/> naming the file and line.</summary>
    public static JsCodec Load(string name, string source, JsCodecLimits? limits = null)
    {
        limits ??= JsCodecLimits.Default;
        var engine = new Engine(options => options
            .Strict()
            .TimeoutInterval(limits.Time)
            .LimitMemory(limits.MemoryBytes)
            .LimitRecursion(limits.RecursionDepth));
        try
        {
            engine.Execute(Engine.PrepareScript(source, name));
        }
        catch (ScriptPreparationException error) when (error.InnerException is ParseErrorException parse)
        {
            throw new PayloadException($"codec {name} does not compile: {parse.Description} at line {parse.LineNumber}, column {parse.Column}.");
        }
        catch (Exception error) when (error is JavaScriptException or TimeoutException or MemoryLimitExceededException or RecursionDepthOverflowException)
        {
            throw new PayloadException($"codec {name} fails while loading: {Describe(error)}.");
        }

        var decodeUplink = engine.GetValue("decodeUplink");
        if (decodeUplink is not Jint.Native.Function.Function)
        {
            throw new PayloadException($"codec {name} defines no function decodeUplink(input); it is the entry point The Things Stack and ChirpStack codecs use.");
        }

        return new JsCodec(name, engine, decodeUplink);
    }

    /// <summary>The <c>data</c> object the codec returned for this payload.</summary>
    public JsonElement Decode(int fPort, ReadOnlySpan<byte> payload, DateTimeOffset receivedAt, IReadOnlyDictionary<string, string>? variables = null)
    {
        var bytes = new JsValue[payload.Length];
        for (var i = 0; i < payload.Length; i++)
        {
            bytes[i] = JsNumber.Create(payload[i]);
        }

        string json;
        lock (_gate)
        {
            try
            {
                var input = new JsObject(_engine);
                input.Set("bytes", new JsArray(_engine, bytes));
                input.Set("fPort", fPort);
                input.Set("recvTime", _engine.Construct("Date", (double)receivedAt.ToUnixTimeMilliseconds()));
                var vars = new JsObject(_engine);
                foreach (var (key, value) in variables ?? new Dictionary<string, string>())
                {
                    vars.Set(key, value);
                }

                input.Set("variables", vars);
                var result = _engine.Invoke(_decodeUplink, input);
                if (result is not JsObject)
                {
                    throw new PayloadException($"codec {Name} returned {Show(result)}, not an object {{ data: {{ … }} }}.");
                }

                json = _json.Serialize(result).ToString();
            }
            catch (Exception error) when (error is JavaScriptException or TimeoutException or MemoryLimitExceededException or RecursionDepthOverflowException or InvalidOperationException)
            {
                throw new PayloadException($"codec {Name} {Describe(error)}.");
            }
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            throw new PayloadException($"codec {Name} says: {string.Join("; ", errors.EnumerateArray().Select(e => e.ToString()))}.");
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException($"codec {Name} returned {Excerpt(json)}: no data object in it.");
        }

        return data.Clone();
    }

    private static string Describe(Exception error) => error switch
    {
        JavaScriptException js => $"threw {js.Error}{(js.Location.Start.Line > 0 ? $" at line {js.Location.Start.Line}" : string.Empty)}",
        TimeoutException => "ran longer than its time limit (an endless loop?)",
        MemoryLimitExceededException => "used more memory than its limit",
        RecursionDepthOverflowException => "recursed deeper than its limit",
        _ => $"failed: {error.Message}",
    };

    private static string Show(JsValue value) => value.IsUndefined() ? "nothing (undefined)" : value.IsNull() ? "null" : $"a {value.Type.ToString().ToLowerInvariant()} ({Excerpt(value.ToString())})";

    private static string Excerpt(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
