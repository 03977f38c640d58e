using Sensors.Simulation;

namespace Sensors.Gateway.Tests;

public class ClassroomModelTests
{
    private static readonly DateTime Monday = new(2026, 11, 23);
    private static readonly ClassroomProfile Cm2 = new(180, 28);

    [Theory]
    [InlineData("2026-11-23T09:00", ClassroomActivity.Lesson)]
    [InlineData("2026-11-23T10:05", ClassroomActivity.Break)]
    [InlineData("2026-11-23T12:30", ClassroomActivity.Lunch)]
    [InlineData("2026-11-23T15:05", ClassroomActivity.Break)]
    [InlineData("2026-11-23T17:00", ClassroomActivity.Empty)]
    [InlineData("2026-11-25T09:00", ClassroomActivity.Lesson)] // Wednesday morning
    [InlineData("2026-11-25T14:00", ClassroomActivity.Empty)]  // Wednesday afternoon: no school
    [InlineData("2026-11-28T10:00", ClassroomActivity.Empty)]  // Saturday
    public void Timetable_FollowsAFrenchPrimarySchoolWeek(string local, ClassroomActivity expected) =>
        Assert.Equal(expected, SchoolTimetable.At(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Lessons_RaiseCo2ToTheLevelsMeasuredInFrenchClassrooms()
    {
        var peaks = Enumerable.Range(1, 20).Select(seed =>
        {
            var room = new ClassroomModel(Cm2, seed, Monday);
            return Enumerable.Range(0, 4 * 60).Select(minute => room.Advance(Monday.AddHours(8).AddMinutes(minute)).Co2Ppm).Max();
        }).ToList();

        Assert.All(peaks, peak => Assert.InRange(peak, 1000, 3500));
        Assert.InRange(peaks.Order().ElementAt(peaks.Count / 2), 1500, 2500); // the median morning peak
    }

    [Fact]
    public void NoRoomPassesItsSteadyState_AFullCanteenOf90In420M3SettlesNear4333Ppm()
    {
        // By hand: (90 × 0.004 + 0.0052) L/s of CO2 in 420 m³, 0.8 air changes an hour:
        // 0.3652e-3 / 420 × 1e6 / (0.8 / 3600) = 3,913 ppm above the outdoor 420.
        var canteen = new ClassroomProfile(420, 90);
        Assert.Equal(4333, ClassroomModel.MaxCo2Ppm(canteen), 0);
        for (var seed = 1; seed <= 5; seed++)
        {
            var room = new ClassroomModel(canteen, seed, Monday);
            var highest = Enumerable.Range(1, 5 * 24 * 60).Max(minute => room.Advance(Monday.AddMinutes(minute)).Co2Ppm);
            Assert.InRange(highest, 1500, ClassroomModel.MaxCo2Ppm(canteen) + 10);
        }
    }

    [Fact]
    public void EarlyMorning_IsNearOutdoorAir()
    {
        var room = new ClassroomModel(Cm2, 3, Monday.AddDays(-1));
        Assert.InRange(room.Advance(Monday.AddHours(7)).Co2Ppm, 400, 520);
    }

    [Fact]
    public void OpenWindowAtRecess_BringsCo2DownWithinMinutes()
    {
        var dropped = 0;
        var opened = 0;
        for (var seed = 1; seed <= 20; seed++)
        {
            var room = new ClassroomModel(Cm2, seed, Monday);
            var beforeRecess = room.Advance(Monday.AddHours(10)).Co2Ppm;
            var duringRecess = room.Advance(Monday.AddHours(10).AddMinutes(14));
            if (room.WindowOpen && beforeRecess > 1200)
            {
                opened++;
                dropped += duringRecess.Co2Ppm < beforeRecess * 0.6 ? 1 : 0;
            }
        }

        Assert.True(opened >= 5, $"a window was opened at recess after a stuffy lesson in only {opened} of 20 days");
        Assert.Equal(opened, dropped);
    }

    [Fact]
    public void Weekend_StaysFlat()
    {
        var saturday = Monday.AddDays(5);
        var room = new ClassroomModel(Cm2, 1, saturday.AddDays(-1));
        var values = Enumerable.Range(0, 24).Select(h => room.Advance(saturday.AddHours(h)).Co2Ppm).ToList();
        Assert.All(values, v => Assert.InRange(v, 390, 600));
    }

    [Fact]
    public void TemperatureAndHumidity_StayIndoorsPlausible_AndRiseWithPupils()
    {
        var room = new ClassroomModel(Cm2, 2, Monday.AddDays(-1));
        var before = room.Advance(Monday.AddHours(8).AddMinutes(25));
        var during = room.Advance(Monday.AddHours(9).AddMinutes(55));
        Assert.InRange(during.TemperatureC, 17, 26);
        Assert.InRange(during.HumidityPct, 30, 70);
        Assert.True(during.HumidityPct > before.HumidityPct);
    }

    [Fact]
    public void SameSeed_SameDay()
    {
        var a = new ClassroomModel(Cm2, 42, Monday);
        var b = new ClassroomModel(Cm2, 42, Monday);
        for (var minute = 0; minute < 24 * 60; minute += 7)
        {
            Assert.Equal(a.Advance(Monday.AddMinutes(minute)), b.Advance(Monday.AddMinutes(minute)));
        }
    }
}
