using System.Text;
using System.Text.Json;

namespace Sensors.Journal;

/// <summary>A point InfluxDB refused, when, and why.</summary>
public sealed record DeadLetter(DateTimeOffset Time, int Status, string Reason, string Line);

/// <summary>
/// A message that could not become readings (a payload no codec reads, a device not in the
/// registry, a truck's read without a chip), kept with the reason so that nothing is lost: after
/// fixing the cause (a codec, the registry) it can be sent again. <see cref="Payload"/> is the
/// message in base64, or null when it is not kept (a pickup's text may hold a chip id in clear).
/// </summary>
public sealed record UnreadableMessage(DateTimeOffset Time, string Source, string Topic, string Reason, string? Payload);

/// <summary>
/// Records kept one JSON object a line in a file beside the journal, each append synced to disk
/// before it returns. A torn last line (a power cut) is skipped when read. With a cap, appends
/// beyond it are refused and counted, so a flood of bad messages cannot fill the disk the
/// journal needs.
/// </summary>
public abstract class JsonLinesStore<T>(string directory, string fileName, long maxBytes)
    where T : class
{
    private readonly object _gate = new();
    private int? _count;
    private long _refused;

    public string Path { get; } = System.IO.Path.Combine(directory, fileName);

    /// <summary>Records not kept because the file reached its cap.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Appends the records (all, or none when over the cap); false when refused.</summary>
    public bool Add(IEnumerable<T> records)
    {
        var text = new StringBuilder();
        var added = 0;
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record)).Append('\n');
            added++;
        }

        if (text.Length == 0)
        {
            return true;
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_gate)
        {
            Directory.CreateDirectory(directory);
            using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            if (file.Length + bytes.Length > maxBytes)
            {
                Interlocked.Add(ref _refused, added);
                return false;
            }

            file.Write(bytes);
            file.Flush(flushToDisk: true);
            _count += added;
            return true;
        }
    }

    public IReadOnlyList<T> ReadAll()
    {
        lock (_gate)
        {
            if (!File.Exists(Path))
            {
                return [];
            }

            return File.ReadAllLines(Path)
                .Where(line => line.Length > 0)
                .Select(line =>
                {
                    try
                    {
                        return JsonSerializer.Deserialize<T>(line);
                    }
                    catch (JsonException)
                    {
                        return null; // a torn last line after a power cut
                    }
                })
                .OfType<T>()
                .ToList();
        }
    }

    /// <summary>How many records the store holds (read once, then kept until the next change).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count ??= ReadAll().Count;
            }
        }
    }

    /// <summary>Empties the store (after its records were replayed).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            File.Delete(Path);
            _count = 0;
        }
    }
}

/// <summary>
/// Points InfluxDB refused (400), kept with the server's reason in <c>dead-letters.jsonl</c> beside
/// the journal. An operator lists them and, after fixing the cause, replays them (`sensors journal …`).
/// </summary>
public sealed class DeadLetterStore(string directory) : JsonLinesStore<DeadLetter>(directory, "dead-letters.jsonl", long.MaxValue);

/// <summary>
/// Messages that could not become readings, in <c>unreadable-messages.jsonl</c> beside the journal,
/// at most 64 MiB (then refused and counted). `sensors journal unreadable` lists them.
/// </summary>
public sealed class UnreadableStore(string directory, long maxBytes = UnreadableStore.DefaultMaxBytes) : JsonLinesStore<UnreadableMessage>(directory, "unreadable-messages.jsonl", maxBytes)
{
    public const long DefaultMaxBytes = 64L * 1024 * 1024;
}
