using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Sensors.Gateway.Configuration;

/// <summary>
/// Binds a settings section onto its options type, all the way down (objects, lists, maps), and
/// names every problem with its full path instead of stopping at the first or, as
/// Microsoft's binder does inside lists, dropping the item silently:
/// an unknown key ("Mqtt:Subscriptions:0:Topik: unknown key; did you mean Topic?"), a value of
/// the wrong form ("Mqtt:Subscriptions:0:Qos = 'AtLeastOnc': expected AtMostOnce, AtLeastOnce or
/// ExactlyOnce; did you mean AtLeastOnce?"), an address that is not one. An empty value keeps the
/// default. Keys that only the environment holds (a stray SENSORS_… variable) are warnings.
/// </summary>
public sealed class SettingsBinder(IConfigurationRoot configuration)
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// Whether <paramref name="problem"/>, found by a validator after binding, is about a list item
    /// (Mqtt:Subscriptions:1) that already has a binding error: a subscription whose Format was
    /// misspelt is not also told it lacks the Fields of the format it fell back to.
    /// </summary>
    public bool FollowsFromABindingError(string problem) =>
        _errors.Select(ItemOf).Any(item => item is not null && problem.StartsWith(item + ":", StringComparison.Ordinal));

    /// <summary>The path up to the last list index in <paramref name="error"/>'s path ("Mqtt:Subscriptions:1"), or null.</summary>
    private static string? ItemOf(string error)
    {
        var path = error.Split([' ', '='], 2)[0].TrimEnd(':');
        var segments = path.Split(':');
        var last = Array.FindLastIndex(segments, s => s.Length > 0 && s.All(char.IsAsciiDigit));
        return last < 0 ? null : string.Join(':', segments[..(last + 1)]);
    }

    /// <summary>The section at <paramref name="section"/> bound onto a new <typeparamref name="T"/> (its defaults where a key is absent).</summary>
    public T Bind<T>(string section)
        where T : new()
    {
        var options = new T();
        BindObject(configuration.GetSection(section), options);
        return options;
    }

    /// <summary>Top-level keys that are no section: an error in a file, a warning when only the environment holds them.</summary>
    public void CheckSections(IReadOnlyCollection<string> known)
    {
        foreach (var section in configuration.GetChildren())
        {
            if (!known.Contains(section.Key, StringComparer.OrdinalIgnoreCase) && !section.Key.StartsWith("DOTNET_", StringComparison.Ordinal))
            {
                Unknown(section, $"unknown section; {DidYouMean(section.Key, known, string.Empty)}Known sections: {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>
    /// "did you mean Influx:Database? " when one known name, and only one, is at most two edits
    /// away and the typed text is not mostly edits (V3 is not taken for V1), else nothing.
    /// </summary>
    public static string DidYouMean(string typed, IEnumerable<string> known, string prefix)
    {
        var lower = typed.ToLowerInvariant();
        var near = known.Select(k => (Name: k, Edits: Distance(k.ToLowerInvariant(), lower))).Where(k => k.Edits <= 2 && k.Edits * 2 < typed.Length).ToList();
        var best = near.Count == 0 ? 0 : near.Min(k => k.Edits);
        return near.Count(k => k.Edits == best) == 1 ? $"did you mean {prefix}{near.Single(k => k.Edits == best).Name}? " : string.Empty;
    }

    private void BindObject(IConfigurationSection section, object target)
    {
        var properties = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.CanWrite || IsCollection(p.PropertyType)))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                Unknown(child, $"unknown key; {DidYouMean(child.Key, properties.Keys, section.Path + ":")}Known keys: {string.Join(", ", properties.Keys)}.");
                continue;
            }

            if (child.Value is { Length: 0 } && !child.GetChildren().Any())
            {
                continue; // an empty value ("", or [] for a list) keeps the default
            }

            var current = property.GetValue(target);
            var value = BindValue(child, property.PropertyType, current);
            if (value is not null && property.CanWrite)
            {
                property.SetValue(target, value);
            }
        }
    }

    /// <summary>The value at <paramref name="section"/> as <paramref name="type"/>, or null (with the problem said) when it is not one.</summary>
    private object? BindValue(IConfigurationSection section, Type type, object? current)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(scalar))
        {
            if (section.Value is null || section.GetChildren().Any())
            {
                _errors.Add($"{section.Path}: expected {Expected(scalar)}, not a list or an object.");
                return null;
            }

            return Convert(section, scalar);
        }

        if (section.Value is { Length: > 0 } && !section.GetChildren().Any())
        {
            _errors.Add($"{section.Path} = '{section.Value}': expected {(IsCollection(scalar) ? "a list" : "an object with keys such as " + string.Join(", ", scalar.GetProperties().Where(p => p.CanWrite).Take(4).Select(p => p.Name)))}, not one value.");
            return null;
        }

        if (DictionaryValueType(scalar) is { } valueType)
        {
            var map = (IDictionary)(current ?? Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!);
            foreach (var entry in section.GetChildren())
            {
                if (BindValue(entry, valueType, null) is { } value)
                {
                    map[entry.Key] = value;
                }
            }

            return map;
        }

        if (ElementType(scalar) is { } elementType)
        {
            var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            foreach (var entry in section.GetChildren().OrderBy(e => int.TryParse(e.Key, out var i) ? i : int.MaxValue))
            {
                if (!int.TryParse(entry.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    _errors.Add($"{entry.Path}: {section.Path} is a list: write its items in [ ], not as keys.");
                    continue;
                }

                // An item with a problem is kept (as far as it reads): the settings are refused anyway, and nothing vanishes unsaid.
                if (BindValue(entry, elementType, null) is { } value)
                {
                    items.Add(value);
                }
            }

            if (scalar.IsArray)
            {
                var array = Array.CreateInstance(elementType, items.Count);
                items.CopyTo(array, 0);
                return array;
            }

            return items;
        }

        var target = current ?? Activator.CreateInstance(scalar);
        if (target is null)
        {
            _errors.Add($"{section.Path}: cannot be set from the settings.");
            return null;
        }

        BindObject(section, target);
        return target;
    }

    private object? Convert(IConfigurationSection section, Type type)
    {
        var text = section.Value!;
        if (type == typeof(string))
        {
            return text;
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            var name = names.FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (name is not null)
            {
                return Enum.Parse(type, name);
            }

            var hint = DidYouMean(text, names, string.Empty).TrimEnd();
            _errors.Add($"{section.Path} = '{text}': expected {Expected(type)}{(hint.Length == 0 ? "." : "; " + hint)}");
            return null;
        }

        if (type == typeof(Uri))
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                return uri;
            }

            _errors.Add($"{section.Path} = '{text}': expected {Expected(type)}.");
            return null;
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
        }
        catch (Exception error) when (error is FormatException or ArgumentException or NotSupportedException or OverflowException || error.InnerException is FormatException or OverflowException)
        {
            _errors.Add($"{section.Path} = '{text}': expected {Expected(type)}.");
            return null;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "a duration as hh:mm:ss, e.g. 00:00:10 for ten seconds",
        _ when type == typeof(Uri) => "an absolute address such as http://127.0.0.1:8086",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(ushort) => "a whole number from 0 to 65535",
        _ when type == typeof(double) => "a number, with a dot for decimals",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateTimeOffset) => "a date such as 2024-01-01T00:00:00Z",
        { IsEnum: true } => Or(Enum.GetNames(type)),
        _ => $"a value of type {type.Name}",
    };

    private static string Or(IReadOnlyList<string> names) => names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(decimal);

    private static bool IsCollection(Type type) => type != typeof(string) && (DictionaryValueType(type) is not null || ElementType(type) is not null);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
            && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
            ? value
            : null;

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element]
            && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IList<>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) || type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ? element
            : null;

    /// <summary>An unknown key: an error when a settings file holds it, a warning when only the environment does.</summary>
    private void Unknown(IConfigurationSection section, string problem)
    {
        if (OnlyInEnvironment(section.Path))
        {
            var variable = GatewaySettings.EnvironmentPrefix + section.Path.Replace(":", "__", StringComparison.Ordinal);
            _warnings.Add($"environment variable {variable} (as {section.Path}): {problem} It is ignored; unset it, or correct its name.");
            return;
        }

        _errors.Add($"{section.Path}: {problem}");
    }

    private bool OnlyInEnvironment(string path)
    {
        var holders = configuration.Providers.Where(p => p.TryGet(path, out _) || p.GetChildKeys([], path).Any()).ToList();
        return holders.Count > 0 && holders.All(p => p is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationProvider);
    }

    /// <summary>Edits from one name to the other: a letter added, removed, changed, or two neighbours swapped (Prot for Port).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
