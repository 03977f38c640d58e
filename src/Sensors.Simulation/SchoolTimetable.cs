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
/// A French primary school's week: lessons 08:30–12:00 and 13:30–16:30 on Monday, Tuesday,
/// Thursday and Friday, Wednesday morning only, recess 10:00–10:15 and 15:00–15:15.
/// Pure: local time in, activity out.
/// </summary>
public static class SchoolTimetable
{
    public static ClassroomActivity At(DateTime local)
    {
        var day = local.DayOfWeek;
        if (day is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return ClassroomActivity.Empty;
        }

        var t = local.TimeOfDay;
        var morning = t >= new TimeSpan(8, 30, 0) && t < new TimeSpan(12, 0, 0);
        var afternoon = day != DayOfWeek.Wednesday && t >= new TimeSpan(13, 30, 0) && t < new TimeSpan(16, 30, 0);
        if (morning)
        {
            return t >= new TimeSpan(10, 0, 0) && t < new TimeSpan(10, 15, 0) ? ClassroomActivity.Break : ClassroomActivity.Lesson;
        }

        if (afternoon)
        {
            return t >= new TimeSpan(15, 0, 0) && t < new TimeSpan(15, 15, 0) ? ClassroomActivity.Break : ClassroomActivity.Lesson;
        }

        if (day != DayOfWeek.Wednesday && t >= new TimeSpan(12, 0, 0) && t < new TimeSpan(13, 30, 0))
        {
            return ClassroomActivity.Lunch;
        }

        return ClassroomActivity.Empty;
    }
}
