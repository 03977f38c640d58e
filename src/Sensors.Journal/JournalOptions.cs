namespace Sensors.Journal;

/// <summary>The <c>Journal</c> section.</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>Folder of the segment files (systemd's StateDirectory, e.g. /var/lib/sensors/journal).</summary>
    public string Directory { get; set; } = "journal";

    /// <summary>Size cap of the journal on disk; past it the oldest segment is dropped, counted and logged.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Size of one segment file; the cap is enforced a segment at a time.</summary>
    public int SegmentBytes { get; set; } = 8 << 20;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add("Journal:Directory is empty: give a folder on local disk, e.g. /var/lib/sensors/journal.");
        }

        if (SegmentBytes < 64 * 1024)
        {
            errors.Add($"Journal:SegmentBytes = {SegmentBytes}: expected at least 65536, e.g. 8388608.");
        }

        if (MaxBytes < 4L * SegmentBytes)
        {
            errors.Add($"Journal:MaxBytes = {MaxBytes}: expected at least four segments ({4L * SegmentBytes} bytes), e.g. 1073741824.");
        }

        return errors;
    }
}
