using Sensors.LoRaWan.Pickups;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.LoRaWan;

/// <summary>`sensors pseudonymise`: the waste service's chip list in, the gateways' pseudonyms out, whatever shape the list comes in.</summary>
public sealed class PseudonymiseTests : IDisposable
{
    private const string Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private readonly TempFolder _folder = new("pseudonymise");
    private readonly ChipPseudonymiser _gateway = new(ChipPseudonymiser.ParseKey(Key), "2026");

    private (int Code, string Output, string Error) Run(string input, string? column = null, string version = "2026", string? keyFile = null)
    {
        var path = keyFile ?? _folder.File("pickup-key");
        if (keyFile is null)
        {
            File.WriteAllText(path, Key + "\n");
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PseudonymiseCommand.Run(path, version, column, new StringReader(input), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void OneChipALine_GivesTheGatewaysOwnPseudonyms_AndTheKeyVersion()
    {
        var (code, output, error) = Run("E2000017221101441890ABCD\ne2 00:00-17 2211 0144 1890 abce\n\n");
        Assert.Equal(0, code);
        Assert.Equal(
            $"chip_id,bin_id,key_version\nE2000017221101441890ABCD,{_gateway.Pseudonym("E2000017221101441890ABCD")},2026\ne2 00:00-17 2211 0144 1890 abce,{_gateway.Pseudonym("E2000017221101441890ABCE")},2026\n",
            output.ReplaceLineEndings("\n"));
        Assert.Contains("2 chip(s) pseudonymised with key version 2026", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foyer;adresse;puce\n42;\"1 rue de la Paix; Nantes\";E2000017221101441890ABCD\n", "puce")]
    [InlineData("\uFEFFfoyer,puce\n42,E2000017221101441890ABCD\n", "PUCE")]
    [InlineData("foyer,puce\n42,\"E2000017221101441890ABCD\"\n", "2")]
    [InlineData("foyer,puce,note\r\n42,E2000017221101441890ABCD,\"a \"\"quoted\"\" note, with a comma\"\r\n", "puce")]
    public void ASpreadsheetsColumn_ByNameOrNumber_WithQuotesBomAndSemicolons(string input, string column)
    {
        var (code, output, _) = Run(input, column);
        Assert.Equal(0, code);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["chip_id,bin_id,key_version", $"E2000017221101441890ABCD,{_gateway.Pseudonym("E2000017221101441890ABCD")},2026"], lines);
    }

    [Fact]
    public void LinesWithoutAChip_AreSaidAndSkipped_TheOthersGoOn()
    {
        var (code, output, error) = Run("foyer;puce\n1;\n2;E2000017221101441890ABCD\n3\n4;  --  \n5;E2000017221101441890ABCE\n", "puce");
        Assert.Equal(1, code);
        Assert.Contains("line 2: no chip id in column puce; skipped.", error, StringComparison.Ordinal);
        Assert.Contains("line 4: no chip id", error, StringComparison.Ordinal);
        Assert.Contains("line 5: no chip id", error, StringComparison.Ordinal);
        Assert.Contains("2 chip(s) pseudonymised with key version 2026, 3 line(s) skipped.", error, StringComparison.Ordinal);
        Assert.Equal(3, output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Length);
    }

    [Theory]
    [InlineData("\0\0\0")]
    [InlineData("\uFFFD\uFFFD")] // bytes that were not UTF-8, as a reader decodes them
    [InlineData("99999999999999999999999999999999999999999999")]
    [InlineData("\"unterminated;quote")]
    [InlineData("\u202Eevil")]
    public void WhateverALineHolds_ItIsHashedAsTheGatewayWould_AndTheNextGoodChipStillComesOut(string odd)
    {
        var huge = new string('E', 100_000);
        var (code, output, _) = Run($"{odd}\n{huge}\nE2000017221101441890ABCD\n");
        Assert.Equal(0, code);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.EndsWith($",{_gateway.Pseudonym(odd)},2026", lines[1], StringComparison.Ordinal);
        Assert.Equal($"{huge},{_gateway.Pseudonym(huge)},2026", lines[2]);
        Assert.Equal($"E2000017221101441890ABCD,{_gateway.Pseudonym("E2000017221101441890ABCD")},2026", lines[3]);
    }

    [Fact]
    public void WhatCannotWork_IsOneLineAndAnExitCode()
    {
        Assert.Equal((78, string.Empty), (Run("E2", keyFile: _folder.File("absent")).Code, Run("E2", keyFile: _folder.File("absent")).Output));
        Assert.Contains("no such file", Run("E2", keyFile: _folder.File("absent")).Error, StringComparison.Ordinal);
        File.WriteAllText(_folder.File("short"), "tooshort");
        Assert.Contains("at least 16", Run("E2", keyFile: _folder.File("short")).Error, StringComparison.Ordinal);
        Assert.Equal(78, Run("E2", version: "two words").Code);
        var missing = Run("foyer;adresse\n1;2\n", "puce");
        Assert.Equal(64, missing.Code);
        Assert.Contains("--column puce: the first line has no such column (it has: foyer, adresse)", missing.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
