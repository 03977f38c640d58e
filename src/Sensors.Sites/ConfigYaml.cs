using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sensors.Sites;

/// <summary>
/// How every YAML file under firmware-config/ is read (site files, the device registry): keys in
/// snake_case, an unknown key an error, and YamlDotNet's messages turned into what a technician
/// can act on, with the file, line and column.
/// </summary>
public static partial class ConfigYaml
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>The file as <typeparamref name="T"/>, or the one error that stops reading it ("path:line:column: what").</summary>
    public static (T? Value, string? Error) Read<T>(string path)
        where T : class
    {
        try
        {
            return (Reader.Deserialize<T>(File.ReadAllText(path)), null);
        }
        catch (YamlException error)
        {
            return (null, $"{path}:{error.Start.Line}:{error.Start.Column}: {Explain(error, typeof(T).Assembly)}");
        }
    }

    /// <summary>An identifier as our tags want them: lower-case letters, digits and dashes, at most 64.</summary>
    public static bool IsIdentifier(string? text) => text is { Length: > 0 and <= 64 } && IdentifierPattern().IsMatch(text);

    private static string Explain(YamlException error, Assembly assembly)
    {
        var message = (error.InnerException ?? error).Message;
        var unknown = UnknownProperty().Match(error.Message);
        if (unknown.Success)
        {
            var type = assembly.GetTypes().FirstOrDefault(t => t.FullName == unknown.Groups["type"].Value);
            var known = type is null ? string.Empty : string.Join(", ", type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name)));
            return $"unknown key '{unknown.Groups["key"].Value}'{(known.Length > 0 ? $"; expected one of: {known}" : string.Empty)}.";
        }

        return message.ReplaceLineEndings(" ");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("Property '(?<key>[^']*)' not found on type '(?<type>[^']*)'")]
    private static partial Regex UnknownProperty();
}
