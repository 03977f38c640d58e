using Sensors.Core;
using Sensors.Sites;

namespace Sensors.Central;

/// <summary>
/// The schools the portal knows by name: the site files of firmware-config/sites (names, time
/// zone, lesson hours). A site or room that sends readings without a site file still shows, under
/// its identifier, with the default lesson hours.
/// </summary>
public sealed class SiteDirectory
{
    private readonly Dictionary<string, SiteFile> _sites;

    public SiteDirectory(IEnumerable<SiteFile> sites) => _sites = sites.ToDictionary(s => s.Site, StringComparer.Ordinal);

    public IEnumerable<SiteFile> All => _sites.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public SiteFile? Find(string site) => _sites.GetValueOrDefault(site);

    public string SiteName(string site) => Find(site) is { Name.Length: > 0 } file ? file.Name : site;

    public string RoomName(string site, string room) => Find(site)?.Rooms.FirstOrDefault(r => r.Id == room) is { Name.Length: > 0 } spec ? spec.Name : room;

    public TimeZoneInfo Zone(string site, TimeZoneInfo fallback)
    {
        try
        {
            return Find(site)?.TimeZone ?? fallback;
        }
        catch (TimeZoneNotFoundException)
        {
            return fallback;
        }
    }

    public LessonHours Lessons(string site) => Find(site)?.LessonHours ?? LessonHours.Default;

    /// <summary>The rooms of a site: those of its file in order, then any that only the data knows.</summary>
    public IReadOnlyList<(string Id, string Name)> Rooms(string site, IEnumerable<string> seen)
    {
        var rooms = Find(site)?.Rooms.Select(r => (r.Id, string.IsNullOrWhiteSpace(r.Name) ? r.Id : r.Name)).ToList() ?? [];
        rooms.AddRange(seen.Where(id => rooms.All(r => r.Id != id)).Distinct().Order(StringComparer.Ordinal).Select(id => (id, id)));
        return rooms;
    }

    public static bool IsIdentifier(string? text) => ConfigYaml.IsIdentifier(text);

    /// <summary>
    /// Whether a site or room id from an address may be looked up: any id the data can hold
    /// (the MQTT source accepts CM2_B or Ecole_Maj, not only lower case and dashes), at most 256
    /// characters, no control character. Queries quote it (Ql.Text), so it changes no query.
    /// </summary>
    /// <summary>
    /// The id as the data holds it, from a route value: the server decodes an address's path
    /// except "%2F", which stays as written so that it cannot split the path; an id with a slash
    /// (a room named "&lt;/script&gt;") is linked with %2F (PageLook.PathSegment) and found again here.
    /// </summary>
    public static string FromRoute(string routed) => routed.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoutable(string? text) => !string.IsNullOrEmpty(text) && text.Length <= 256 && !text.Any(char.IsControl);
}
