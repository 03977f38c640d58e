using System.Globalization;
using System.Text;

namespace Sensors.LoRaWan.Pickups;

/// <summary>One lift of one bin by one truck: when it started (the pickup's time), its sector and weight as first read.</summary>
public sealed record Lift(string Bin, string Truck, DateTimeOffset Start, string Sector, double? WeightKg);

/// <summary>
/// A reader reads a chip several times while the truck lifts the bin: reads of one bin by one
/// truck less than <see cref="Window"/> apart are one lift (the window slides with each read, so a
/// long lift stays one). Compared on the reads' own times, so a resent message is recognised too.
/// Bounded: a lift is forgotten a day after its last read (<see cref="Remember"/>), or when
/// <see cref="MaxRemembered"/> are kept.
///
/// Durable, so that a redelivered read never counts a second pickup. With a state file, every
/// read is appended to it (one short line, synced) before <see cref="Observe"/> returns, so before
/// the pickup it gives is committed to the journal and the read acknowledged; after a kill -9 or a
/// power cut the window is read back from it. A read that belongs to a known lift gives that
/// lift again (<see cref="Lift"/>: the same bin, truck, sector and start time), so the pickup a
/// redelivered read produces is the same InfluxDB point as the first one: it may be written
/// twice, it is counted once. The file is rewritten with the live lifts only when it has grown.
/// </summary>
public sealed class LiftWindow
{
    public const int MaxRemembered = 100_000;

    /// <summary>How long a lift is remembered after its last read (in the reads' own time): a redelivered read older than this would count again.</summary>
    public static readonly TimeSpan Remember = TimeSpan.FromHours(24);
    private const string Version = "lift1";

    private readonly Dictionary<(string Bin, string Truck), (Lift Lift, DateTimeOffset Last)> _lifts = [];
    private readonly object _gate = new();
    private readonly string? _stateFile;
    private FileStream? _state;
    private int _linesInFile;
    private DateTimeOffset _newest;

    /// <param name="window">Reads closer than this are one lift.</param>
    /// <param name="stateFile">Where lifts are kept across restarts (null: memory only, for tests and tools).</param>
    public LiftWindow(TimeSpan window, string? stateFile = null)
    {
        Window = window;
        _stateFile = stateFile;
        if (stateFile is not null)
        {
            Load(stateFile);
        }
    }

    public TimeSpan Window { get; }

    /// <summary>Lifts read back from the state file at start.</summary>
    public int Restored { get; private set; }

    /// <summary>
    /// The lift this read belongs to, and whether it starts it. <paramref name="sector"/> and
    /// <paramref name="weightKg"/> are kept when it does. Throws <see cref="IOException"/> when the
    /// state file cannot be written (the read is then not counted; its source retries it).
    /// </summary>
    public (Lift Lift, bool IsNew) Observe(string bin, string truck, DateTimeOffset readAt, string sector, double? weightKg)
    {
        lock (_gate)
        {
            if (readAt > _newest)
            {
                _newest = readAt;
            }

            if (_lifts.Count >= MaxRemembered)
            {
                Forget();
            }

            var key = (bin, truck);
            if (_lifts.TryGetValue(key, out var known) && (readAt - known.Last).Duration() <= Window)
            {
                var last = readAt > known.Last ? readAt : known.Last;
                if (last != known.Last)
                {
                    _lifts[key] = (known.Lift, last);
                    Append(known.Lift, last);
                }

                return (known.Lift, false);
            }

            var lift = new Lift(bin, truck, readAt, sector, weightKg);
            Append(lift, readAt);
            _lifts[key] = (lift, readAt);
            return (lift, true);
        }
    }

    private void Forget()
    {
        // Not at the window: a read may come again long after later reads were taken (a batch in
        // hand at a kill -9, a truck's backlog flushed late), and it must still find its lift.
        foreach (var key in _lifts.Where(p => _newest - p.Value.Last > Remember).Select(p => p.Key).ToList())
        {
            _lifts.Remove(key);
        }

        if (_lifts.Count >= MaxRemembered)
        {
            _lifts.Clear();
        }
    }

    // ------------------------------------------------------------------ the state file

    private void Append(Lift lift, DateTimeOffset last)
    {
        if (_stateFile is null)
        {
            return;
        }

        if (_linesInFile > 1000 && _linesInFile > 4 * _lifts.Count)
        {
            Rewrite();
        }

        _state ??= new FileStream(_stateFile, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _state.Write(Encoding.UTF8.GetBytes(Line(lift, last)));
        _state.Flush(flushToDisk: true);
        _linesInFile++;
    }

    /// <summary>Keeps only the live lifts: written beside, synced, then renamed over the old file.</summary>
    private void Rewrite()
    {
        Forget();
        var temp = _stateFile + ".tmp";
        var text = new StringBuilder();
        foreach (var (lift, last) in _lifts.Values)
        {
            text.Append(Line(lift, last));
        }

        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(Encoding.UTF8.GetBytes(text.ToString()));
            file.Flush(flushToDisk: true);
        }

        _state?.Dispose();
        _state = null;
        File.Move(temp, _stateFile!, overwrite: true);
        _linesInFile = _lifts.Count;
    }

    private static string Line(Lift lift, DateTimeOffset last) => string.Join('\t',
        Version,
        lift.Bin,
        lift.Truck,
        lift.Start.UtcTicks.ToString(CultureInfo.InvariantCulture),
        last.UtcTicks.ToString(CultureInfo.InvariantCulture),
        lift.Sector,
        lift.WeightKg?.ToString("R", CultureInfo.InvariantCulture) ?? "-") + "\n";

    /// <summary>Reads the lifts back; a torn last line (a crash in the middle of a write) or a damaged one is skipped.</summary>
    private void Load(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var line in File.ReadLines(path))
        {
            _linesInFile++;
            var parts = line.Split('\t');
            if (parts.Length != 7 || parts[0] != Version
                || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || start is < 0 or > 3155378975999999999 || last is < 0 or > 3155378975999999999)
            {
                continue;
            }

            double? weight = double.TryParse(parts[6], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : null;
            var lift = new Lift(parts[1], parts[2], new DateTimeOffset(start, TimeSpan.Zero), parts[5], weight);
            var at = new DateTimeOffset(last, TimeSpan.Zero);
            _lifts[(lift.Bin, lift.Truck)] = (lift, at);
            if (at > _newest)
            {
                _newest = at;
            }
        }

        Forget();
        Restored = _lifts.Count;
    }
}
