using System.Diagnostics;
using Sensors.LoRaWan.Codecs;
using Sensors.Testing;

namespace Sensors.LoRaWan.Tests;

/// <summary>The JavaScript codec sandbox: the decodeUplink contract, and codecs that misbehave stopped in words while the next uplink still decodes.</summary>
public sealed class JsCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private const string Codec = """
        function decodeUplink(input) {
          var b = input.bytes;
          if (input.fPort === 1) { while (true) { } }
          if (input.fPort === 2) { throw new Error("unsupported frame " + b[0]); }
          if (input.fPort === 3) { return 42; }
          if (input.fPort === 4) { return { errors: ["battery frame too short"] }; }
          if (input.fPort === 5) { var f = function (n) { return f(n + 1); }; return f(0); }
          if (input.fPort === 6) { var a = []; while (true) { a.push(new Array(100000).fill(a.length)); } }
          if (input.fPort === 7) { return { data: { fs: typeof require, clr: typeof System, imp: typeof importNamespace } }; }
          return { data: { temperature: ((b[0] << 8) | b[1]) / 10, port: input.fPort, year: input.recvTime.getUTCFullYear(), site: input.variables.site } };
        }
        """;

    private readonly JsCodec _codec = JsCodec.Load("test.js", Codec);

    [Fact]
    public void DecodeUplink_GetsBytesPortTimeAndVariables()
    {
        var data = _codec.Decode(10, [0x00, 0xE7], Now, new Dictionary<string, string> { ["site"] = "depot" });

        Assert.Equal(23.1, data.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(10, data.GetProperty("port").GetInt32());
        Assert.Equal(2026, data.GetProperty("year").GetInt32());
        Assert.Equal("depot", data.GetProperty("site").GetString());
    }

    [Theory]
    [InlineData(1, "ran longer than its time limit")]
    [InlineData(2, "threw Error: unsupported frame 171")]
    [InlineData(3, "returned a number (42)")]
    [InlineData(4, "says: battery frame too short")]
    [InlineData(5, "recursed deeper than its limit")]
    [InlineData(6, "used more memory than its limit")]
    public void MisbehavingCodec_IsStoppedInWords_AndTheNextUplinkDecodes(int fPort, string expected)
    {
        // Each bound is tested alone: with the default 100 ms, a loaded machine could reach the time
        // limit before the memory or recursion limit, and the test would race the machine's speed.
        var codec = fPort == 1 ? _codec : JsCodec.Load("test.js", Codec, JsCodecLimits.Default with { Time = TimeSpan.FromMinutes(1) });
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<PayloadException>(() => codec.Decode(fPort, [0xAB, 0x01], Now));

        Assert.Contains("test.js", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(fPort == 1 ? 10 : 60), $"stopped after {watch.Elapsed}");
        Assert.Equal(23.1, codec.Decode(10, [0x00, 0xE7], Now).GetProperty("temperature").GetDouble(), 3);
    }

    [Fact]
    public void Codec_SeesNoDotNetAndNoModules()
    {
        var data = _codec.Decode(7, [], Now);

        Assert.Equal("undefined", data.GetProperty("fs").GetString());
        Assert.Equal("undefined", data.GetProperty("clr").GetString());
        Assert.Equal("undefined", data.GetProperty("imp").GetString());
    }

    [Theory]
    [InlineData("function decodeUplink(input) { return {data: {}; }", "does not compile")]
    [InlineData("function decoder(bytes) { return {}; }", "defines no function decodeUplink")]
    [InlineData("while (true) {}", "fails while loading")]
    public void BrokenFile_IsRefusedWhenLoaded(string source, string expected)
    {
        var error = Assert.Throws<PayloadException>(() => JsCodec.Load("vendor.js", source));

        Assert.Contains("vendor.js", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void DraginoLdds75Codec_DecodesTheManualsExample()
    {
        // Laid out as the manual describes: 0B 45 01 05 00 00 00 01 → battery 2.885 V, distance
        // 261 mm (below 280: not valid, left out); and a reading of 1.5 m at 21.3 °C.
        var codec = JsCodec.Load("dragino-ldds75.js", File.ReadAllText(RepoPaths.Of("firmware-config/codecs/dragino-ldds75.js")));

        var shortRange = codec.Decode(2, Convert.FromHexString("0B45010500000001"), Now);
        var full = codec.Decode(2, Convert.FromHexString("0CE405DC0000D501"), Now);

        Assert.Equal(2.885, shortRange.GetProperty("Bat_V").GetDouble(), 3);
        Assert.False(shortRange.TryGetProperty("Distance_mm", out _));
        Assert.Equal(3.300, full.GetProperty("Bat_V").GetDouble(), 3);
        Assert.Equal(1500, full.GetProperty("Distance_mm").GetInt32());
        Assert.Equal(21.3, full.GetProperty("TempC_DS18B20").GetDouble(), 3);
        Assert.Contains("expected 8 bytes", Assert.Throws<PayloadException>(() => codec.Decode(2, [1, 2, 3], Now)).Message);
    }
}
