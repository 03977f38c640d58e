using System.Globalization;

namespace Sensors.Sites;

/// <summary>
/// When a school's rooms are in use, in local time, per day of the week: what the portal shades on
/// a classroom's curve and the only time its confinement index (ICONE) counts. The default is a
/// French primary school's week: 08:30–12:00 and 13:30–16:30 on Monday, Tuesday, Thursday and
/// Friday, 08:30–12:00 on Wednesday. Pure: no clock, no I/O.
/// </summary>
public sealed class LessonHours
{
    private static readonly string[] DayKeys = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    private readonly IReadOnlyList<(TimeSpan From, TimeSpan To)>[] _days;

    private LessonHours(IReadOnlyList<(TimeSpan From, TimeSpan To)>[] days) => _days = days;

    public static LessonHours Default { get; } = Parse(new Dictionary<string, string>
    {
        ["monday"] = "08:30-12:00, 13:30-16:30",
        ["tuesday"] = "08:30-12:00, 13:30-16:30",
        ["wednesday"] = "08:30-12:00",
        ["thursday"] = "08:30-12:00, 13:30-16:30",
        ["friday"] = "08:30-12:00, 13:30-16:30",
    }, "default").Hours!;

    /// <summary>The lessons of one day, in order.</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan To)> On(DayOfWeek day) => _days[(int)day];

    public bool IsLesson(DateTime local) => On(local.DayOfWeek).Any(span => local.TimeOfDay >= span.From && local.TimeOfDay < span.To);

    /// <summary>The lessons between two instants, as instants, clipped to [from, to).</summary>
    public IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Between(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var day = TimeZoneInfo.ConvertTime(from, zone).Date;
        var lastDay = TimeZoneInfo.ConvertTime(to, zone).Date;
        for (; day <= lastDay; day = day.AddDays(1))
        {
            foreach (var (start, end) in On(day.DayOfWeek))
            {
                var a = Instant(day + start, zone);
                var b = Instant(day + end, zone);
                var clippedFrom = a < from ? from : a;
                var clippedTo = b > to ? to : b;
                if (clippedFrom < clippedTo)
                {
                    yield return (clippedFrom, clippedTo);
                }
            }
        }
    }

    /// <summary>One day's lessons as text: "08:30–12:00, 13:30–16:30".</summary>
    public string Describe(DayOfWeek day) =>
        string.Join(", ", On(day).Select(s => $"{Clock(s.From)}–{Clock(s.To)}"));

    /// <summary>
    /// Reads the site file's <c>lessons</c> map: day name (monday … sunday) → "08:30-12:00, 13:30-16:30";
    /// a day left out has no lessons. Every problem is one line naming the day and the fix.
    /// </summary>
    public static (LessonHours? Hours, IReadOnlyList<string> Errors) Parse(IReadOnlyDictionary<string, string> days, string where)
    {
        var errors = new List<string>();
        var parsed = new IReadOnlyList<(TimeSpan, TimeSpan)>[7];
        for (var i = 0; i < 7; i++)
        {
            parsed[i] = [];
        }

        foreach (var (key, text) in days)
        {
            var index = Array.IndexOf(DayKeys, key.Trim().ToLowerInvariant());
            if (index < 0)
            {
                errors.Add($"{where}: lessons: '{key}' is not a day; expected monday, tuesday, wednesday, thursday, friday, saturday or sunday.");
                continue;
            }

            var spans = new List<(TimeSpan, TimeSpan)>();
            foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var ends = part.Split('-', StringSplitOptions.TrimEntries);
                if (ends.Length != 2 || !TryTime(ends[0], out var a) || !TryTime(ends[1], out var b) || b <= a)
                {
                    errors.Add($"{where}: lessons: {key} = '{text}': expected local times like 08:30-12:00, 13:30-16:30 (each start before its end).");
                    spans.Clear();
                    break;
                }

                if (spans.Count > 0 && a < spans[^1].Item2)
                {
                    errors.Add($"{where}: lessons: {key} = '{text}': the spans overlap or are not in order; list them from morning to evening.");
                    spans.Clear();
                    break;
                }

                spans.Add((a, b));
            }

            parsed[index] = spans;
        }

        return (errors.Count == 0 ? new LessonHours(parsed) : null, errors);
    }

    private static bool TryTime(string text, out TimeSpan time) =>
        TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromDays(1)
        || (text == "24:00" && (time = TimeSpan.FromDays(1)) > TimeSpan.Zero);

    private static string Clock(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}");

    /// <summary>A local wall-clock time as an instant (the pages' days and weeks start at local midnight); a time skipped by a DST change moves forward, an ambiguous one takes the first.</summary>
    public static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
    }
}
