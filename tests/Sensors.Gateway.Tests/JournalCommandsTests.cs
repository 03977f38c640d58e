using System.Text;
using Sensors.Core;
using Sensors.Gateway.Configuration;
using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Gateway.Tests;

/// <summary>`sensors journal …` on a journal folder of the test's own.</summary>
public sealed class JournalCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new("journal-commands");

    private GatewaySettings Settings()
    {
        var path = _folder.File("gateway.json");
        File.WriteAllText(path, """{ "Journal": { "Directory": "journal" } }""");
        return GatewaySettings.Load(path);
    }

    private async Task FillAsync(GatewaySettings settings, int count)
    {
        await using var journal = Sensors.Journal.Journal.Open(settings.Journal);
        for (var i = 0; i < count; i++)
        {
            var reading = new Reading("air_quality", [new Tag("room", "cm2-b")], [new Field("co2_ppm", 400.0 + i)], new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero).AddMinutes(i));
            await journal.AppendAsync(reading, settings.Influx.Encoding);
        }
    }

    [Fact]
    public async Task Stats_SaysHowManyWait_HowOldTheOldestIs_AndTheDeadLetters()
    {
        var settings = Settings();
        await FillAsync(settings, 120);
        new DeadLetterStore(settings.Journal.Directory).Add([new DeadLetter(DateTimeOffset.UtcNow, 400, "field type conflict", "air_quality co2_ppm=\"x\" 1")]);

        var output = new StringWriter();
        var now = new FakeClock(new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, JournalCommands.Stats(settings, output, now));

        var text = output.ToString();
        Assert.Contains("waiting:       120 readings", text);
        Assert.Contains("oldest:        2026-11-24T08:00:00Z (3.0 h ago)", text);
        Assert.Contains("dead letters:  1 (sensors journal dead-letters lists them)", text);
    }

    [Fact]
    public async Task Export_WritesEveryWaitingReadingAsLineProtocol()
    {
        var settings = Settings();
        await FillAsync(settings, 50);
        var path = _folder.File("out.lp");

        Assert.Equal(0, JournalCommands.Export(settings, path, new StringWriter()));

        var lines = File.ReadAllLines(path);
        Assert.Equal(50, lines.Length);
        Assert.Equal("air_quality,room=cm2-b co2_ppm=400 1795507200000000000", lines[0]);
    }

    [Fact]
    public async Task DeadLetters_AreListed_AndReplayPutsThemBackIntoTheJournal()
    {
        var settings = Settings();
        Directory.CreateDirectory(settings.Journal.Directory);
        new DeadLetterStore(settings.Journal.Directory).Add([new DeadLetter(DateTimeOffset.UtcNow, 400, "partial write: field type conflict", "bin_fill fill_pct=\"full\" 1795507200000000000")]);

        var listing = new StringWriter();
        JournalCommands.DeadLetters(settings, listing);
        Assert.Contains("HTTP 400  partial write: field type conflict", listing.ToString());
        Assert.Contains("bin_fill fill_pct=\"full\"", listing.ToString());

        Assert.Equal(0, await JournalCommands.ReplayAsync(settings, new StringWriter(), new StringWriter()));
        Assert.Empty(new DeadLetterStore(settings.Journal.Directory).ReadAll());
        Assert.Equal(["bin_fill fill_pct=\"full\" 1795507200000000000"], Sensors.Journal.Journal.ReadPendingLines(settings.Journal.Directory).Select(l => Encoding.UTF8.GetString(l)));
    }

    [Fact]
    public async Task Replay_WhileTheGatewayHoldsTheJournal_SaysToStopItFirst()
    {
        var settings = Settings();
        Directory.CreateDirectory(settings.Journal.Directory);
        new DeadLetterStore(settings.Journal.Directory).Add([new DeadLetter(DateTimeOffset.UtcNow, 400, "r", "m f=1 1")]);
        await using var running = Sensors.Journal.Journal.Open(settings.Journal);
        var error = new StringWriter();

        Assert.Equal(74, await JournalCommands.ReplayAsync(settings, new StringWriter(), error));
        Assert.Contains("Stop the gateway first", error.ToString());
        Assert.Single(new DeadLetterStore(settings.Journal.Directory).ReadAll());
    }

    public void Dispose() => _folder.Dispose();

    private sealed class FakeClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
