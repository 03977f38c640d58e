using Sensors.Operations.Waste;

namespace Sensors.Operations.Tests;

/// <summary>The rounds' rules on hourly levels written here, each answer worked out in the comments.</summary>
public sealed class ContainersTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static List<FillPoint> Hourly(params double[] levels) => [.. levels.Select((pct, hour) => new FillPoint(Start.AddHours(hour), pct))];

    private static readonly WasteOptions Options = new();

    [Fact]
    public void AnEmptying_IsADropOf30BelowTheLevelBefore_ThatHolds_NotABagNorAReflection()
    {
        // Index 7 (95): a bag, 25 above the level before (median of 60 70 80 = 70): a rise, no emptying.
        // Index 8 (80): level median(70 80 95) = 80: no drop. Index 11 (5): level median(80 85 90) = 85,
        // 5 <= 55 and the next, 8 <= 55: emptied at 11; index 12 is its confirmation, not another.
        Assert.Equal([11], Containers.Emptyings(Hourly(20, 30, 40, 50, 60, 70, 80, 95, 80, 85, 90, 5, 8, 12, 16, 20), 30));

        // A single low reading (a reflection): 10 is 42 below 52, but the next (56) is not: no emptying.
        Assert.Empty(Containers.Emptyings(Hourly(50, 52, 54, 10, 56, 58), 30));

        // Readings that jump up and down every hour (a sensor seeing a bag on top): never an emptying.
        Assert.Empty(Containers.Emptyings(Hourly(40, 90, 42, 91, 44, 92, 46, 93, 48), 30));

        // The last reading cannot be confirmed yet.
        Assert.Empty(Containers.Emptyings(Hourly(80, 85, 90, 5), 30));

        // Two emptyings a day apart.
        Assert.Equal([3, 8], Containers.Emptyings(Hourly(60, 70, 80, 10, 20, 30, 40, 70, 5, 6), 30));
    }

    [Fact]
    public void TheFillRate_IsTheMedianOfSlopes_ABagDoesNotBendIt()
    {
        // 10 12 14 100 18 20: the 10 pairs without the bag all give 2 per hour; the 5 with it give
        // 30 44 86 -82 -40; sorted, the 8th of 15 is 2.
        Assert.Equal(2, Containers.TheilSen(Hourly(10, 12, 14, 100, 18, 20)));
        Assert.Null(Containers.TheilSen(Hourly(10)));
    }

    [Fact]
    public void TheForecast_FromTheLastEmptying_NeverFromTooFewReadings()
    {
        var now = Start.AddHours(15);

        // Emptied at hour 9 (level before 90): 5 7 9 11 13 15 since, 2 per hour; 15 % now at hour
        // 14: 85 points to go, 42.5 h: full at hour 56.5; 48 % a day.
        var state = Containers.Assess("pav-1", "nord", "rue-a", "depot", Hourly(60, 70, 80, 84, 86, 88, 88, 90, 90, 5, 7, 9, 11, 13, 15), now, Options);
        Assert.Equal(ContainerState.Ok, state.Status);
        Assert.Equal(Start.AddHours(9), state.LastEmptied);
        Assert.Equal(48, state.RatePerDay!.Value, 9);
        Assert.Equal(Start.AddHours(56.5), state.FullAt);
        Assert.Equal(6, state.PointsSinceEmptying);

        // 5 readings since the emptying: not enough (6 needed), no forecast.
        var few = Containers.Assess("pav-2", "nord", "rue-a", "depot", Hourly(60, 70, 80, 84, 86, 88, 88, 90, 90, 5, 7, 9, 11, 13), now, Options);
        Assert.Equal((ContainerState.NotEnough, (DateTimeOffset?)null), (few.Status, few.FullAt));

        // The last reading 13 hours ago (silent after 12).
        Assert.Equal(ContainerState.Silent, Containers.Assess("pav-3", "nord", "rue-a", "depot", Hourly(10, 20), Start.AddHours(14), Options).Status);
        Assert.Equal(ContainerState.Silent, Containers.Assess("pav-4", "nord", "rue-a", "depot", [], now, Options).Status);
    }

    [Fact]
    public void TomorrowsRound_FullOrForecastFullBeforeTheNextCollection_TheUnsureApart()
    {
        var tomorrow = Start.AddDays(1);
        ContainerState State(string bin, string sector, string street, double fill, double? hoursToFull, string status = ContainerState.Ok) =>
            new(bin, sector, street, "depot", fill, Start, null, 10, hoursToFull is { } h ? Start.AddHours(h) : null, 10, status);
        var (round, apart) = Containers.Round(
            [
                State("c-full", "sud", "rue-b", 85, 100), // 85 % >= 80: on the round whatever the forecast
                State("c-soon", "nord", "rue-z", 50, 47), // full at 47 h <= tomorrow (24 h) + a day: on it
                State("c-later", "nord", "rue-a", 30, 49), // 49 h: after the next collection, not on it
                State("c-silent", "nord", "rue-c", 90, null, ContainerState.Silent), // its 90 % is old news: apart
                State("c-few", "sud", "rue-a", 40, null, ContainerState.NotEnough), // no forecast: apart
                State("c-few-full", "sud", "rue-a", 82, null, ContainerState.NotEnough), // but 82 % now: on it
                State("c-a", "nord", "rue-a", 95, 1), // ordered by sector, then street
            ],
            tomorrow,
            Options);
        Assert.Equal(["c-a", "c-soon", "c-few-full", "c-full"], round.Select(c => c.Bin));
        Assert.Equal(["c-silent", "c-few"], apart.Select(c => c.Bin));
    }

    [Fact]
    public void HowWellTheRoundsFit_FillAtEachEmptyingAndHoursFullBefore()
    {
        // Emptied at hour 3 at 40 (median of 30 40 45: under half full, a wasted trip; 5 confirms
        // it), then it fills to 96 97 98 99 99 (5 hours at or above 95) and is emptied at hour 13
        // (level median(98 99 99) = 99).
        var history = Containers.History(Hourly(30, 40, 45, 2, 5, 20, 50, 80, 96, 97, 98, 99, 99, 3, 4), 30, 95);
        Assert.Equal([(Start.AddHours(3), 40.0, 0), (Start.AddHours(13), 99.0, 5)], history.Select(e => (e.At, e.LevelBefore, e.HoursFull)));
    }
}
