using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sensors.Core;
using Sensors.Pipeline;
using Sensors.Journal;
using Sensors.Testing;

namespace Sensors.Pipeline.Tests;

/// <summary>The one rule of every source (MessageQuarantine.Read), and how a stuck source is told (SourceStates), without I/O but the unreadable store's folder.</summary>
public sealed class PoisonRuleTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new("poison");
    private readonly FakeTimeProvider _time = new(Now);

    public static TheoryData<Exception> AnythingAReaderMayThrow => new()
    {
        new UnreadablePayloadException("not JSON"),
        new ArgumentOutOfRangeException("ticks", "The added or subtracted value results in an un-representable DateTime."),
        new InvalidOperationException("Cannot transcode invalid UTF-8 JSON text to UTF-16 string."),
        new System.Text.Json.JsonException("'0x28' is invalid within a JSON string."),
        new InvalidReadingException("air_quality", "time", "is outside the times InfluxDB stores"),
        new FormatException("The input is not a valid Base-64 string"),
        new OverflowException("Value was either too large or too small for an Int32."),
        new NullReferenceException(),
        new IndexOutOfRangeException(),
        new KeyNotFoundException("fPort"),
    };

    [Theory]
    [MemberData(nameof(AnythingAReaderMayThrow))]
    public void AnyExceptionTurningAMessageIntoReadings_SetsItAside_CountsIt_AndKeepsIt(Exception thrown)
    {
        var store = new UnreadableStore(_folder.Path);
        var quarantine = new MessageQuarantine(store, _time, NullLogger<MessageQuarantine>.Instance);

        var readings = quarantine.Read("mqtt", "bins/nord/b-1/fill", [0xC3, 0x28], thrown, static (error, _) => throw error, out var reason);
        var next = quarantine.Read("mqtt", "bins/nord/b-2/fill", "{}"u8, 0, static (_, _) => [new Reading("bin_fill", [], [new Field("fill_pct", 40.0)], Now)], out _);

        Assert.Null(readings);
        Assert.Contains(thrown.Message, reason);
        Assert.Single(next!);
        Assert.Equal(1, quarantine.SetAsideBy("mqtt"));
        Assert.Equal(1, quarantine.ReadBy("mqtt"));
        var kept = Assert.Single(store.ReadAll());
        Assert.Equal("bins/nord/b-1/fill", kept.Topic);
        Assert.Equal(Convert.ToBase64String([0xC3, 0x28]), kept.Payload);
    }

    [Fact]
    public void IOAndCancellation_AreNotAboutTheMessage_TheyFailTheSource()
    {
        var quarantine = new MessageQuarantine(new UnreadableStore(_folder.Path), _time, NullLogger<MessageQuarantine>.Instance);

        Assert.Throws<IOException>(() => quarantine.Read("mqtt", "t", [], 0, static (_, _) => throw new IOException("disk full"), out _));
        Assert.Throws<OperationCanceledException>(() => quarantine.Read("mqtt", "t", [], 0, static (_, _) => throw new OperationCanceledException(), out _));
        Assert.Equal(0, quarantine.SetAsideBy("mqtt"));
    }

    [Fact]
    public void APersonalPayload_IsKeptWithoutItsBytes_WhenTheErrorIsUnexpected()
    {
        var store = new UnreadableStore(_folder.Path);
        var quarantine = new MessageQuarantine(store, _time, NullLogger<MessageQuarantine>.Instance);

        quarantine.Read("mqtt", "trucks/t-1/pickups", "{\"chip_id\":\"E200"u8, 0, static (_, _) => throw new InvalidOperationException("boom"), out _, personal: true);

        Assert.Null(Assert.Single(store.ReadAll()).Payload);
    }

    [Fact]
    public void ASourceFailingThreeTimesInTenMinutes_IsStuck_UntilItHasRunTwoMinutes()
    {
        var states = new SourceStates(_time);
        var source = new NamedSource();
        states.Started(source, Now);
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            states.Failed(source, new IOException("journal write failed: No space left on device"), _time.GetUtcNow());
        }

        var problem = Assert.Single(states.Problems(_time.GetUtcNow()));
        Assert.Contains("failed 3 times", problem.Detail);
        Assert.Contains("No space left on device", problem.Detail);

        states.Started(source, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(90));
        Assert.Single(states.Problems(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(states.Problems(_time.GetUtcNow()));
    }

    [Fact]
    public void ASourceHoldingMessagesWithoutCommittingForAMinute_IsStuck()
    {
        var states = new SourceStates(_time);
        var source = new NamedSource { Waiting = 120, LastProgress = Now };
        states.Started(source, Now);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(states.Problems(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Contains("120 message(s)", Assert.Single(states.Problems(_time.GetUtcNow())).Detail);

        source.Waiting = 0; // idle, not stuck
        Assert.Empty(states.Problems(_time.GetUtcNow()));
    }

    public void Dispose() => _folder.Dispose();

    private sealed class NamedSource : IReadingSource, ISourceProgress
    {
        public string Name => "MQTT 127.0.0.1:1883";
        public string Id => "mqtt";
        public long Waiting { get; set; }
        public DateTimeOffset LastProgress { get; set; } = Now;
        public Task RunAsync(IReadingSink sink, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
