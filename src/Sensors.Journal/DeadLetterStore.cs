using System.Text;
using System.Text.Json;

namespace Sensors.Journal;

/// <summary>A point InfluxDB refused, when, and why.</summary>
public sealed record DeadLetter(DateTimeOffset Time, int Status, string Reason, string Line);

/// <summary>
/// Points InfluxDB refused (400), kept with the server's reason in <c>dead-letters.jsonl</c> beside
/// the journal, one JSON object a line, synced to disk before the journal lets them go. An
/// operator lists them and, after fixing the cause, replays them (`sensors journal …`).
/// </summary>
public sealed class DeadLetterStore(string directory)
{
    private readonly object _gate = new();
    private int? _count;

    public string Path { get; } = System.IO.Path.Combine(directory, "dead-letters.jsonl");

    public void Add(IEnumerable<DeadLetter> letters)
    {
        var text = new StringBuilder();
        var added = 0;
        foreach (var letter in letters)
        {
            text.Append(JsonSerializer.Serialize(letter)).Append('\n');
            added++;
        }

        if (text.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            file.Write(Encoding.UTF8.GetBytes(text.ToString()));
            file.Flush(flushToDisk: true);
            _count += added;
        }
    }

    public IReadOnlyList<DeadLetter> ReadAll()
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
                        return JsonSerializer.Deserialize<DeadLetter>(line);
                    }
                    catch (JsonException)
                    {
                        return null; // a torn last line after a power cut
                    }
                })
                .OfType<DeadLetter>()
                .ToList();
        }
    }

    /// <summary>How many letters the store holds (read once, then kept until the next change).</summary>
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

    /// <summary>Empties the store (after its points went back into the journal).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            File.Delete(Path);
            _count = 0;
        }
    }
}
