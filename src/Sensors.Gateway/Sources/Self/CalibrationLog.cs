using System.Globalization;

namespace Sensors.Gateway.Sources.Self;

/// <summary>What <c>sensors calibrate</c> last did to one sensor: the last forced recalibration (when, to what), the self-calibration setting it last gave.</summary>
public sealed record CalibrationState(DateTimeOffset? LastForcedAt, int? LastReferencePpm, bool? SelfCalibration);

/// <summary>
/// The calibrations done on this gateway, one tab-separated line each in <c>calibrations.tsv</c>
/// beside the journal (<c>2026-12-07T09:12:00Z  co2-cm2b  forced  420</c>, or <c>asc  on</c>):
/// <c>sensors calibrate</c> appends, the gateway's report reads it, so the console shows when a
/// sensor was last calibrated. A line it cannot read is skipped, never fatal.
/// </summary>
public static class CalibrationLog
{
    public const string FileName = "calibrations.tsv";

    public static string PathIn(string journalDirectory) => Path.Combine(journalDirectory, FileName);

    public static void AppendForced(string journalDirectory, string sensorId, int referencePpm, DateTimeOffset at) =>
        Append(journalDirectory, $"{Stamp(at)}\t{sensorId}\tforced\t{referencePpm.ToString(CultureInfo.InvariantCulture)}");

    public static void AppendSelfCalibration(string journalDirectory, string sensorId, bool on, DateTimeOffset at) =>
        Append(journalDirectory, $"{Stamp(at)}\t{sensorId}\tasc\t{(on ? "on" : "off")}");

    /// <summary>Each sensor's last calibrations, from the file's lines (in the order written).</summary>
    public static IReadOnlyDictionary<string, CalibrationState> Parse(IEnumerable<string> lines)
    {
        var states = new Dictionary<string, CalibrationState>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            if (parts.Length != 4 || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || parts[1].Length == 0)
            {
                continue;
            }

            var state = states.GetValueOrDefault(parts[1]) ?? new CalibrationState(null, null, null);
            states[parts[1]] = (parts[2], parts[3]) switch
            {
                ("forced", var ppm) when int.TryParse(ppm, NumberStyles.None, CultureInfo.InvariantCulture, out var reference) => state with { LastForcedAt = at, LastReferencePpm = reference },
                ("asc", "on") => state with { SelfCalibration = true },
                ("asc", "off") => state with { SelfCalibration = false },
                _ => state,
            };
        }

        return states;
    }

    /// <summary>The file's calibrations, or none when there is no file yet or it cannot be read.</summary>
    public static IReadOnlyDictionary<string, CalibrationState> Read(string journalDirectory)
    {
        try
        {
            var path = PathIn(journalDirectory);
            return File.Exists(path) ? Parse(File.ReadLines(path)) : new Dictionary<string, CalibrationState>();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, CalibrationState>();
        }
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static void Append(string journalDirectory, string line)
    {
        Directory.CreateDirectory(journalDirectory);
        File.AppendAllText(PathIn(journalDirectory), line + "\n");
    }
}
