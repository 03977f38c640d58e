namespace Sensors.Mqtt;

/// <summary>Topic names and filters (MQTT 5.0 §4.7): validation and matching, shared subscriptions included.</summary>
public static class MqttTopic
{
    private const string SharePrefix = "$share/";

    /// <summary>Null when the filter is valid, else what is wrong with it.</summary>
    public static string? FilterProblem(string filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return "a topic filter must not be empty [MQTT-4.7.3-1]";
        }

        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var rest = filter[SharePrefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == rest.Length - 1)
            {
                return $"'{filter}': a shared subscription is $share/<group>/<filter> [MQTT-4.8.2-1]";
            }

            if (rest.AsSpan(0, slash).IndexOfAny('+', '#') >= 0)
            {
                return $"'{filter}': the share name must not hold wildcards [MQTT-4.8.2-2]";
            }

            filter = rest[(slash + 1)..];
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level != "#" || i != levels.Length - 1))
            {
                return $"'{filter}': '#' must stand alone in the last level [MQTT-4.7.1-1]";
            }

            if (level.Contains('+', StringComparison.Ordinal) && level != "+")
            {
                return $"'{filter}': '+' must stand alone in its level [MQTT-4.7.1-2]";
            }
        }

        return null;
    }

    /// <summary>Whether a message published to <paramref name="topic"/> matches <paramref name="filter"/>.</summary>
    public static bool Matches(string filter, string topic)
    {
        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var slash = filter.IndexOf('/', SharePrefix.Length);
            filter = slash < 0 ? filter : filter[(slash + 1)..];
        }

        // [MQTT-4.7.2-1]: a filter starting with a wildcard does not match topics starting with '$'.
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#')))
        {
            return false;
        }

        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fEnd = f.IndexOf('/');
            var fLevel = fEnd < 0 ? f : f[..fEnd];
            if (fLevel is "#")
            {
                return true; // matches the parent level and everything below [MQTT-4.7.1-2]
            }

            var tEnd = t.IndexOf('/');
            var tLevel = tEnd < 0 ? t : t[..tEnd];
            if (fLevel is not "+" && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (fEnd < 0 || tEnd < 0)
            {
                // "a/#" matches "a": the filter's next level is a lone '#'.
                return fEnd < 0 && tEnd < 0 || (tEnd < 0 && f[(fEnd + 1)..] is "#");
            }

            f = f[(fEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }
}
