using Sensors.Portal.Data;

namespace Sensors.Portal.Tests;

/// <summary>The confinement index and the download periods: pure rules, no server.</summary>
public sealed class IconeTests
{
    [Theory]
    [InlineData(600, 0, 0, 0)] // never above 1000
    [InlineData(600, 300, 0, 1)] // f1 = 0.5: 8.3048 × log10(1.5) = 1.46
    [InlineData(600, 400, 200, 3)] // f1 = f2 = 1/3: 8.3048 × log10(2.333) = 3.06
    [InlineData(600, 600, 300, 4)] // f1 = f2 = 0.5: 8.3048 × log10(3) = 3.96
    [InlineData(600, 600, 600, 5)] // f2 = 1: 8.3048 × log10(4) = 5
    [InlineData(600, 600, 0, 3)] // f1 = 1: 8.3048 × log10(2) = 2.5, rounded away from zero
    public void Icone_FollowsTheFormula(long samples, long above1000, long above1700, int expected)
    {
        Assert.Equal(expected, Icone.Of(new IconeCounts(samples, above1000, above1700)));
    }

    [Fact]
    public void Icone_IsNothingWithoutLessons_AndSaysItsLevelInBothLanguages()
    {
        Assert.Null(Icone.Of(default));
        Assert.Equal(("extrême", "extreme"), Icone.Label(5));
        Assert.Equal(("nul", "none"), Icone.Label(0));
        Assert.Equal(new IconeCounts(3, 2, 1), new IconeCounts(1, 1, 0) + new IconeCounts(2, 1, 1));
    }

    [Fact]
    public void DownloadPeriod_DefaultsToThirtyDays_ClipsToToday_AndExplainsWhatIsWrong()
    {
        var today = new DateOnly(2026, 11, 24);
        Assert.Equal((new DateOnly(2026, 10, 26), today, (string?)null), PortalApp.Period(null, null, today));
        Assert.Equal((new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 1), (string?)null), PortalApp.Period("2026-09-01", null, today));
        Assert.Equal((new DateOnly(2026, 11, 1), today, (string?)null), PortalApp.Period("2026-11-01", "2027-01-01", today));
        Assert.Contains("AAAA-MM-JJ", PortalApp.Period("01/09/2026", null, today).Problem, StringComparison.Ordinal);
        Assert.Contains("366 jours au plus", PortalApp.Period("2026-10-01", "2026-09-01", today).Problem, StringComparison.Ordinal);
        Assert.Contains("366 jours au plus", PortalApp.Period("2024-01-01", "2026-01-01", today).Problem, StringComparison.Ordinal);
    }
}
