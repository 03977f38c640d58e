namespace Sensors.Core;

/// <summary>
/// A reading that cannot become a line protocol point. <see cref="Part"/> names the offending
/// part ("measurement", "tag 'room'", "field 'co2_ppm'") so a log line can point at it.
/// </summary>
public sealed class InvalidReadingException : ArgumentException
{
    public InvalidReadingException(string measurement, string part, string problem)
        : base($"Reading '{Printable(measurement)}' refused: {part} {problem}")
    {
        Measurement = measurement;
        Part = part;
        Problem = problem;
    }

    public string Measurement { get; }
    public string Part { get; }
    public string Problem { get; }

    /// <summary>Shows control characters as escapes so an error message stays on one line.</summary>
    internal static string Printable(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0)
        {
            return text.Length > 80 ? text[..80] + "…" : text;
        }

        var shown = text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        return shown.Length > 80 ? shown[..80] + "…" : shown;
    }
}
