using Sensors.Sites;

namespace Sensors.Core.Tests;

public sealed class LessonHoursTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void Default_IsAFrenchPrimarySchoolsWeek()
    {
        var hours = LessonHours.Default;
        Assert.True(hours.IsLesson(new DateTime(2026, 11, 23, 8, 30, 0))); // Monday
        Assert.False(hours.IsLesson(new DateTime(2026, 11, 23, 12, 0, 0)));
        Assert.True(hours.IsLesson(new DateTime(2026, 11, 25, 11, 59, 0))); // Wednesday morning
        Assert.False(hours.IsLesson(new DateTime(2026, 11, 25, 14, 0, 0))); // Wednesday afternoon
        Assert.False(hours.IsLesson(new DateTime(2026, 11, 28, 10, 0, 0))); // Saturday
        Assert.Equal("08:30–12:00, 13:30–16:30", hours.Describe(DayOfWeek.Friday));
    }

    [Fact]
    public void Between_GivesTheLessonsAsInstants_ClippedToThePeriod_AcrossAClockChange()
    {
        // The week of the change to winter time (Sunday 25 October 2026): Monday to Thursday 10:00.
        var from = new DateTimeOffset(2026, 10, 19, 0, 0, 0, TimeSpan.FromHours(2));
        var to = new DateTimeOffset(2026, 10, 22, 10, 0, 0, TimeSpan.FromHours(2));
        var spans = LessonHours.Default.Between(from, to, Paris).ToList();
        Assert.Equal(6, spans.Count);
        Assert.Equal(18, spans.Sum(s => (s.To - s.From).TotalHours));
        Assert.Equal(new DateTimeOffset(2026, 10, 19, 6, 30, 0, TimeSpan.Zero), spans[0].From);
        Assert.Equal(to, spans[^1].To);

        var winter = LessonHours.Default.Between(new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2026, 10, 27, 0, 0, 0, TimeSpan.FromHours(1)), Paris).First();
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 7, 30, 0, TimeSpan.Zero), winter.From);
    }

    [Theory]
    [InlineData("funday", "08:30-12:00", "'funday' is not a day")]
    [InlineData("monday", "12:00-08:30", "each start before its end")]
    [InlineData("monday", "8h30-12h", "expected local times like 08:30-12:00")]
    [InlineData("monday", "13:30-16:30, 08:30-12:00", "not in order")]
    public void Parse_SaysWhatIsWrong(string day, string text, string expected)
    {
        var (hours, errors) = LessonHours.Parse(new Dictionary<string, string> { [day] = text }, "ecole.yaml");
        Assert.Null(hours);
        Assert.Contains(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void SiteFile_ReadsItsLessons_AndReportsABadOne()
    {
        var path = Path.Combine(Path.GetTempPath(), $"site-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            site: college-test
            name: Collège du Test
            lessons:
              monday: 08:00-12:00, 13:30-17:30
              wednesday: 08:00-12:00
            rooms:
              - { id: s101, name: Salle 101, volume_m3: 180, pupils: 28 }
            """);
        var (site, errors) = SiteFiles.Load(path);
        Assert.Empty(errors);
        Assert.True(site!.LessonHours.IsLesson(new DateTime(2026, 11, 23, 17, 0, 0)));
        Assert.Empty(site.LessonHours.On(DayOfWeek.Tuesday));

        File.WriteAllText(path, File.ReadAllText(path).Replace("08:00-12:00, 13:30-17:30", "08:00-12:00 13:30-17:30", StringComparison.Ordinal));
        Assert.Contains(SiteFiles.Load(path).Errors, e => e.Contains("lessons: monday", StringComparison.Ordinal));
        File.Delete(path);
    }
}
