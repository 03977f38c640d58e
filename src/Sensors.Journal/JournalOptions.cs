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

    /// <summary>
    /// How long a reading that no one upstream waits for (a sensor on the bus, the simulation, the
    /// gateway's own report) may wait in memory to be committed with others: one write and one sync
    /// for a minute of a school's readings instead of one per reading, which is what wears an SD
    /// card. The price: a power cut or kill -9 loses at most this much of those readings. Readings
    /// whose source acknowledges upstream (MQTT, the uplink endpoint) are committed at once, and
    /// take any grouped ones with them. Zero commits everything at once.
    /// </summary>
    public TimeSpan GroupWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a line someone waits for (an MQTT message's reading, whose acknowledgement waits for
    /// the commit) may linger while more keep coming, so that a steady stream of a few hundred
    /// messages a second costs a few syncs a second, not one per message. The commit does
    /// not wait once the stream pauses (<see cref="QuietGap"/>: three times the longest gap seen lately
    /// inside a commit, 2 ms at least), so a broker that sends no more until we acknowledge is not
    /// kept waiting. Zero (the library's default) commits each group at once; the gateway's
    /// appsettings.json sets 400 ms.
    /// </summary>
    public TimeSpan CommitLinger { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How often the acknowledgement ledger is saved while InfluxDB takes the data (and always at a
    /// clean stop, or when the cap drops a segment). A ledger older than the last delivery only makes
    /// a restart send some points again, which InfluxDB keeps once; saving it (write, sync, rename)
    /// on every delivery cost the SD card a few blocks every few seconds.
    /// </summary>
    public TimeSpan LedgerInterval { get; set; } = TimeSpan.FromMinutes(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (GroupWindow < TimeSpan.Zero || GroupWindow > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Journal:GroupWindow = {GroupWindow}: expected 00:00:00 to 00:10:00, e.g. 00:01:00 (the sensor readings a power cut may lose).");
        }

        if (CommitLinger < TimeSpan.Zero || CommitLinger > TimeSpan.FromSeconds(2))
        {
            errors.Add($"Journal:CommitLinger = {CommitLinger}: expected 00:00:00 to 00:00:02, e.g. 00:00:00.400 (acknowledgements wait for it).");
        }

        if (LedgerInterval < TimeSpan.Zero || LedgerInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Journal:LedgerInterval = {LedgerInterval}: expected 00:00:00 to 01:00:00, e.g. 00:05:00 (a crash makes a restart send again what was delivered since).");
        }

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
