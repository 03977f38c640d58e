using System.Text;
using Sensors.LoRaWan.Pickups;

namespace Sensors.Gateway;

/// <summary>
/// `sensors pseudonymise --key-file KEY`: for the waste service, on its own machine. Reads chip ids
/// (one a line, or a CSV column named or numbered with --column; ',' or ';' separated, quotes as
/// spreadsheets write them) and writes CSV <c>chip_id,bin_id,key_version</c>: each chip's
/// pseudonym by the gateway's own keyed hash, so that the billing software joins its register of
/// households to the console's export without the chip ids ever entering the city's system.
/// A line without a chip id is said on stderr with its number and skipped; the others go on.
/// </summary>
public static class PseudonymiseCommand
{
    public static int Run(string keyFile, string keyVersion, string? column, TextReader input, TextWriter output, TextWriter error)
    {
        if (!File.Exists(keyFile))
        {
            error.WriteLine($"--key-file {keyFile}: no such file. Give the file that holds the gateways' pickup key (Pickups:KeyFile on a gateway).");
            return ExitCodes.Configuration;
        }

        ChipPseudonymiser pseudonyms;
        try
        {
            pseudonyms = new ChipPseudonymiser(ChipPseudonymiser.ParseKey(File.ReadAllText(keyFile)), keyVersion);
        }
        catch (ArgumentException problem)
        {
            error.WriteLine($"--key-file {keyFile} / --key-version {keyVersion}: {problem.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
            return ExitCodes.Configuration;
        }

        var lineNumber = 0;
        var index = 0;
        var separator = ',';
        var written = 0;
        var skipped = 0;
        output.WriteLine("chip_id,bin_id,key_version");
        while (input.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = lineNumber == 1 ? raw.TrimStart('\uFEFF') : raw;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (lineNumber == 1 && column is not null)
            {
                separator = line.Count(c => c == ';') > line.Count(c => c == ',') ? ';' : ',';
                var headers = Cells(line, separator);
                index = int.TryParse(column, out var number) && number >= 1 ? number - 1 : headers.FindIndex(h => string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase));
                if (index < 0 || index >= headers.Count)
                {
                    error.WriteLine($"--column {column}: the first line has no such column (it has: {string.Join(", ", headers.Select(h => h.Trim()))}). Name it, or give its number from 1.");
                    return ExitCodes.Usage;
                }

                continue; // the header line
            }

            var chip = column is null ? line.Trim() : Cells(line, separator) is var cells && index < cells.Count ? cells[index].Trim() : string.Empty;
            if (ChipPseudonymiser.Normalise(chip).Length == 0)
            {
                error.WriteLine($"line {lineNumber}: no chip id{(column is null ? string.Empty : $" in column {column}")}; skipped.");
                skipped++;
                continue;
            }

            output.WriteLine($"{Quote(chip)},{pseudonyms.Pseudonym(chip)},{pseudonyms.Version}");
            written++;
        }

        error.WriteLine($"{written} chip(s) pseudonymised with key version {pseudonyms.Version}{(skipped > 0 ? $", {skipped} line(s) skipped" : string.Empty)}.");
        return skipped > 0 ? 1 : 0;
    }

    /// <summary>One CSV line's cells: quotes as spreadsheets write them ("a;b" and "" for a quote).</summary>
    public static List<string> Cells(string line, char separator)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static string Quote(string text) => text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
