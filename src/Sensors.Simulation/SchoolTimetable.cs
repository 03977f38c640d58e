using Sensors.Sites;

namespace Sensors.Simulation;

/// <summary>What a classroom is doing at a given local time.</summary>
public enum ClassroomActivity
{
    /// <summary>Nobody in the room: nights, weekends, Wednesday afternoons.</summary>
    Empty,

    /// <summary>Pupils and teacher in, doors and windows mostly shut.</summary>
    Lesson,

    /// <summary>Morning or afternoon recess: pupils out, the teacher may open a window.</summary>
    Break,

    /// <summary>Lunch: pupils at the canteen.</summary>
    Lunch,
}

/// <summary>
/// A French primary school's week: lessons as <see cref="LessonHours.Default"/> (08:30–12:00 and
/// 13:30–16:30 on Monday, Tuesday, Thursday and Friday, Wednesday morning only), with recess
/// 10:00–10:15 and 15:00–15:15 and lunch between the two halves of the day.
/// Pure: local time in, activity out.
/// </summary>
public static class SchoolTimetable
{
    private static readonly TimeSpan MorningRecess = new(10, 0, 0);
    private static readonly TimeSpan AfternoonRecess = new(15, 0, 0);

    public static ClassroomActivity At(DateTime local)
    {
        var t = local.TimeOfDay;
        if (LessonHours.Default.IsLesson(local))
        {
            var recess = (t >= MorningRecess && t < MorningRecess.Add(TimeSpan.FromMinutes(15))) || (t >= AfternoonRecess && t < AfternoonRecess.Add(TimeSpan.FromMinutes(15)));
            return recess ? ClassroomActivity.Break : ClassroomActivity.Lesson;
        }

        var lessons = LessonHours.Default.On(local.DayOfWeek);
        var lunch = lessons.Count == 2 && t >= lessons[0].To && t < lessons[1].From;
        return lunch ? ClassroomActivity.Lunch : ClassroomActivity.Empty;
    }
}
