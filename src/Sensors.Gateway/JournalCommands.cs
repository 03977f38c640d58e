using System.Globalization;
using System.Text;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Journal;

namespace Sensors.Gateway;

/// <summary>
/// `sensors journal …`: what an operator needs on a Pi with no screen. Reading commands work while
/// the gateway runs; replaying dead letters needs it stopped (it writes into the journal).
/// </summary>
public static class JournalCommands
{
    public static int Stats(GatewaySettings settings, TextWriter output, TimeProvider time)
    {
        var directory = settings.Journal.Directory;
        long pending = 0;
        byte[]? oldest = null;
        foreach (var line in Sensors.Journal.Journal.ReadPendingLines(directory))
        {
            oldest ??= line;
            pending++;
        }

        var segments = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.seg") : [];
        var bytes = segments.Sum(f => new FileInfo(f).Length);
        var deadLetters = new DeadLetterStore(directory).Count;
        output.WriteLine($"Journal {directory}");
        output.WriteLine($"  waiting:       {pending.ToString("N0", CultureInfo.InvariantCulture)} readings, {bytes / 1024.0 / 1024.0:0.0} MiB on disk in {segments.Length} segment(s), cap {settings.Journal.MaxBytes / 1024 / 1024} MiB");
        if (oldest is not null && TimestampOf(oldest, settings.Influx.Precision) is { } when)
        {
            var age = time.GetUtcNow() - when;
            output.WriteLine($"  oldest:        {when:yyyy-MM-ddTHH:mm:ssZ} ({Describe(age)} ago)");
        }

        output.WriteLine($"  dead letters:  {deadLetters}{(deadLetters > 0 ? " (sensors journal dead-letters lists them)" : string.Empty)}");
        var unreadable = new UnreadableStore(directory).Count;
        output.WriteLine($"  unreadable:    {unreadable}{(unreadable > 0 ? " message(s) set aside (sensors journal unreadable lists them)" : string.Empty)}");
        return 0;
    }

    /// <summary>The messages set aside: when, from where, why; the payload in base64 when it was kept.</summary>
    public static int Unreadable(GatewaySettings settings, TextWriter output)
    {
        var store = new UnreadableStore(settings.Journal.Directory);
        var messages = store.ReadAll();
        if (messages.Count == 0)
        {
            output.WriteLine("No unreadable messages: every message became readings.");
            return 0;
        }

        foreach (var message in messages)
        {
            output.WriteLine($"{message.Time:yyyy-MM-ddTHH:mm:ssZ}  {message.Source}  {message.Topic}");
            output.WriteLine($"    {message.Reason}");
            output.WriteLine(message.Payload is null ? "    (payload not kept: it may hold personal data)" : $"    payload (base64): {message.Payload}");
        }

        output.WriteLine($"{messages.Count} message(s) in {store.Path}. After fixing the cause (the codec, the registry), publish them again (mosquitto_pub -t TOPIC -m \"$(echo PAYLOAD | base64 -d)\"), then delete the file.");
        return 0;
    }

    public static int DeadLetters(GatewaySettings settings, TextWriter output)
    {
        var letters = new DeadLetterStore(settings.Journal.Directory).ReadAll();
        if (letters.Count == 0)
        {
            output.WriteLine("No dead letters: InfluxDB has refused nothing.");
            return 0;
        }

        foreach (var letter in letters)
        {
            output.WriteLine($"{letter.Time:yyyy-MM-ddTHH:mm:ssZ}  HTTP {letter.Status}  {letter.Reason}");
            output.WriteLine($"    {letter.Line}");
        }

        output.WriteLine($"{letters.Count} dead letter(s). After fixing the cause (schema, database), `sensors journal replay-dead-letters` sends them again.");
        return 0;
    }

    public static async Task<int> ReplayAsync(GatewaySettings settings, TextWriter output, TextWriter error)
    {
        var store = new DeadLetterStore(settings.Journal.Directory);
        var letters = store.ReadAll();
        if (letters.Count == 0)
        {
            output.WriteLine("No dead letters to replay.");
            return 0;
        }

        Sensors.Journal.Journal journal;
        try
        {
            journal = Sensors.Journal.Journal.Open(settings.Journal);
        }
        catch (Sensors.Journal.JournalUnavailableException failure)
        {
            error.WriteLine($"Cannot replay: {failure.Message}. Stop the gateway first (systemctl stop sensors), replay, then start it.");
            return 74;
        }

        await using (journal)
        {
            foreach (var letter in letters)
            {
                await journal.AppendAsync(Encoding.UTF8.GetBytes(letter.Line));
            }
        }

        store.Clear();
        output.WriteLine($"{letters.Count} dead letter(s) put back into the journal; the gateway sends them at its next start.");
        return 0;
    }

    public static int Export(GatewaySettings settings, string path, TextWriter output)
    {
        long count = 0;
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            foreach (var line in Sensors.Journal.Journal.ReadPendingLines(settings.Journal.Directory))
            {
                file.Write(line);
                file.WriteByte((byte)'\n');
                count++;
            }
        }

        var precision = settings.Influx.Precision switch
        {
            Precision.Nanoseconds => "ns",
            Precision.Microseconds => "u",
            Precision.Milliseconds => "ms",
            _ => "s",
        };
        output.WriteLine($"{count.ToString("N0", CultureInfo.InvariantCulture)} readings written to {path} as line protocol (precision {precision}).");
        output.WriteLine($"Load them with: influx -import -path {path} -precision {precision}   (after adding the # DML / # CONTEXT-DATABASE header), or curl --data-binary @{path} to /write.");
        return 0;
    }

    private static DateTimeOffset? TimestampOf(byte[] line, Precision precision)
    {
        var text = Encoding.UTF8.GetString(line);
        var space = text.LastIndexOf(' ');
        if (space < 0 || !long.TryParse(text.AsSpan(space + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        var nanoseconds = precision switch
        {
            Precision.Nanoseconds => value,
            Precision.Microseconds => value * 1_000,
            Precision.Milliseconds => value * 1_000_000,
            _ => value * 1_000_000_000,
        };
        return UnixNanoseconds.ToDateTimeOffset(nanoseconds);
    }

    private static string Describe(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{age.TotalDays:0.0} days" : age.TotalHours >= 1 ? $"{age.TotalHours:0.0} h" : age.TotalMinutes >= 1 ? $"{age.TotalMinutes:0} min" : $"{Math.Max(0, age.TotalSeconds):0} s";
}
