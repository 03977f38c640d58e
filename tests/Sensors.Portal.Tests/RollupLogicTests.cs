using Sensors.Portal.Rollups;

namespace Sensors.Portal.Tests;

/// <summary>The roll-up job's pure parts, without a database: the meter rule, the runs of days, the retention's duration.</summary>
public sealed class RollupLogicTests
{
    private static readonly DateOnly Monday = new(2026, 11, 30);

    [Fact]
    public void LampEnergy_CountsFromTheDayBeforesLastReading_OrFromTheFirstOfTheDay_AndFromZeroAfterAMeterWentBack()
    {
        var days = new[]
        {
            new MeterDay(Monday, 10.0, 10.5),             // before the period: only its last reading counts
            new MeterDay(Monday.AddDays(1), 10.6, 11.0),  // from Monday's 10.5: 0.5
            new MeterDay(Monday.AddDays(3), 12.0, 12.4),  // Wednesday silent: from its own first, 0.4
            new MeterDay(Monday.AddDays(4), 0.1, 0.3),    // a new controller: from zero, 0.3
        };
        var energy = LampEnergy.PerDay(days, Monday.AddDays(1)).ToList();
        Assert.Equal([Monday.AddDays(1), Monday.AddDays(3), Monday.AddDays(4)], energy.Select(e => e.Day));
        Assert.Equal([0.5, 0.4, 0.3], energy.Select(e => Math.Round(e.Kwh, 6)));
        Assert.Equal([11.0, 12.4, 0.3], energy.Select(e => e.Meter));
    }

    [Fact]
    public void Runs_AreContiguousDays_OfAWeekAtMost()
    {
        var days = new[] { Monday.AddDays(5), Monday, Monday.AddDays(1), Monday.AddDays(2) }
            .Concat(Enumerable.Range(10, 10).Select(i => Monday.AddDays(i)));
        var runs = RollupJob.Runs(days).ToList();
        Assert.Equal(
            [(Monday, Monday.AddDays(2)), (Monday.AddDays(5), Monday.AddDays(5)), (Monday.AddDays(10), Monday.AddDays(16)), (Monday.AddDays(17), Monday.AddDays(19))],
            runs);
        Assert.Empty(RollupJob.Runs([]));
    }

    [Theory]
    [InlineData("2160h0m0s", 90 * 24 * 60)]
    [InlineData("168h0m0s", 7 * 24 * 60)]
    [InlineData("1h30m0s", 90)]
    [InlineData("0s", 0)]
    public void RetentionDurations_AreReadAsInfluxDbWritesThem(string text, int minutes)
    {
        Assert.True(RollupJob.TryDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }
}
