using Sensors.Gateway.Health;

namespace Sensors.Gateway.Tests.Operations;

public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static HealthInputs Healthy() => new(
        JournalRunning: true,
        JournalError: null,
        JournalBytes: 10_000,
        JournalFullAt: 950_000,
        ClockSynchronised: true,
        InfluxConfigured: true,
        InfluxFailing: false,
        ForwarderLastTurn: Now.AddSeconds(-5),
        ForwarderStallLimit: TimeSpan.FromMinutes(5),
        Now: Now);

    private static string[] Failing(IReadOnlyList<HealthCheck> checks) => checks.Where(c => !c.Ok).Select(c => c.Name).ToArray();

    [Fact]
    public void Healthy_IsAliveAndReady()
    {
        Assert.Empty(Failing(HealthRules.Liveness(Healthy())));
        Assert.Empty(Failing(HealthRules.Readiness(Healthy())));
    }

    [Fact]
    public void InfluxDown_WithRoomInTheJournal_IsStillReady() =>
        Assert.Empty(Failing(HealthRules.Readiness(Healthy() with { InfluxFailing = true, JournalBytes = 900_000 })));

    [Fact]
    public void InfluxDown_AndJournalAtItsCap_IsNotReady()
    {
        var checks = HealthRules.Readiness(Healthy() with { InfluxFailing = true, JournalBytes = 950_000 });
        Assert.Equal(["influx"], Failing(checks));
        Assert.Contains("dropped", checks.Single(c => c.Name == "influx").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void InfluxDown_AndTheCapDropping_IsNotReady_EvenJustBelowFullAfterADrop() =>
        Assert.Equal(["influx"], Failing(HealthRules.Readiness(Healthy() with { InfluxFailing = true, JournalBytes = 800_000, JournalDropping = true })));

    [Fact]
    public void NoInflux_AndJournalFull_IsNotReady_AndSaysToSetTheUrl() =>
        Assert.Contains("Influx:Url", HealthRules.Readiness(Healthy() with { InfluxConfigured = false, JournalBytes = 999_999 }).Single(c => !c.Ok).Detail, StringComparison.Ordinal);

    [Fact]
    public void UnsynchronisedClock_OrFailedJournalWrite_IsNotReady_ButAlive()
    {
        var inputs = Healthy() with { ClockSynchronised = false, JournalError = "No space left on device" };
        Assert.Equal(["journal_writable", "clock"], Failing(HealthRules.Readiness(inputs)));
        Assert.Empty(Failing(HealthRules.Liveness(inputs)));
    }

    [Fact]
    public void StalledForwarder_OrStoppedJournal_IsNotAlive()
    {
        Assert.Equal(["forwarder"], Failing(HealthRules.Liveness(Healthy() with { ForwarderLastTurn = Now.AddMinutes(-6) })));
        Assert.Equal(["journal"], Failing(HealthRules.Liveness(Healthy() with { JournalRunning = false })));
    }
}
