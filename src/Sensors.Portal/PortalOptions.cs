using Sensors.Central;
using Sensors.Core;

namespace Sensors.Portal;

/// <summary>
/// The portal's settings: section <c>Portal</c> (and <c>Influx</c> for the database it reads).
/// Defaults in appsettings.json beside the executable; a <c>--config</c> file; environment
/// variables <c>SENSORS_PORTAL_&lt;Section&gt;__&lt;Key&gt;</c>.
/// </summary>
public sealed class PortalOptions
{
    /// <summary>Where the portal listens (behind the city's reverse proxy, which adds TLS).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8088;

    /// <summary>The folder of site files (firmware-config/sites): school and classroom names, time zone, lesson hours.</summary>
    public string Sites { get; set; } = "firmware-config/sites";

    /// <summary>Public address of the portal, for the open-data catalogue's links (e.g. https://data.example-city.fr/air); empty: taken from each request.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The city's name, in the title of every page and in the catalogue.</summary>
    public string City { get; set; } = "Ville de démonstration";

    /// <summary>Who publishes the open data (DCAT-AP publisher and contact point).</summary>
    public PublisherOptions Publisher { get; set; } = new();

    /// <summary>The licence of the open data.</summary>
    public LicenceOptions Licence { get; set; } = new();

    /// <summary>The traffic-light rule, shared with the gateways' status pages.</summary>
    public Co2Levels Levels { get; set; } = Co2Levels.Default;

    /// <summary>A bin counts as "to empty" from this fill level, in %.</summary>
    public double FillThresholdPct { get; set; } = 80;

    /// <summary>The city's time zone: days and hours on the waste and lighting pages are local.</summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>How long a page is kept before it is built again; the data changes each minute.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The database's retention policies: minute data (90 days) and hourly roll-ups (ten years), as deploy/central/influxdb/schema.iql creates them.</summary>
    public string RawPolicy { get; set; } = "raw";

    public string HourlyPolicy { get; set; } = "hourly";

    public InfluxReadOptions Influx { get; set; } = new();

    /// <summary>Open-data downloads: the cache of settled periods.</summary>
    public DownloadOptions Downloads { get; set; } = new();

    /// <summary>The roll-ups the waste and lighting pages read (Sensors.Portal/Rollups), and the job that keeps them.</summary>
    public RollupOptions Rollups { get; set; } = new();

    /// <summary>"sensors"."raw"."air_quality": a measurement of the minute data, quoted for InfluxQL.</summary>
    public string Raw(string measurement) => Influx.Qualified(RawPolicy, measurement);

    /// <summary>"sensors"."hourly"."air_quality": a measurement of the hourly roll-up, quoted for InfluxQL.</summary>
    public string Hourly(string measurement) => Influx.Qualified(HourlyPolicy, measurement);

    /// <summary>InfluxQL's tz() clause for the city's days.</summary>
    public string Tz => $"tz({Ql.Text(TimeZone)})";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"Portal:Port = {Port}: expected a TCP port between 1 and 65535, e.g. 8088 (0: any free port).");
        }

        if (!System.Net.IPAddress.TryParse(Address, out _))
        {
            errors.Add($"Portal:Address = '{Address}': expected an IP address to listen on, e.g. 127.0.0.1 (behind a reverse proxy) or 0.0.0.0.");
        }

        if (BaseUrl.Length > 0 && !(Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUrl) && baseUrl.Scheme is "http" or "https"))
        {
            errors.Add($"Portal:BaseUrl = '{BaseUrl}': expected the portal's public address, e.g. https://data.example-city.fr/air, or nothing.");
        }

        if (FillThresholdPct is <= 0 or > 100)
        {
            errors.Add($"Portal:FillThresholdPct = {FillThresholdPct}: expected a fill level in % between 1 and 100, e.g. 80.");
        }

        try
        {
            _ = Zone;
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"Portal:TimeZone = '{TimeZone}': not a time zone this machine knows; expected an IANA name such as Europe/Paris (install tzdata if it is missing).");
        }

        if (CacheFor < TimeSpan.Zero || CacheFor > TimeSpan.FromHours(1))
        {
            errors.Add($"Portal:CacheFor = {CacheFor}: expected 00:00:00 (no cache) to 01:00:00, e.g. 00:01:00.");
        }

        errors.AddRange(Levels.Validate("Portal:Levels"));
        errors.AddRange(Influx.Validate("Portal:Influx"));
        errors.AddRange(Downloads.Validate());
        errors.AddRange(Rollups.Validate());
        if (!Uri.TryCreate(Licence.Url, UriKind.Absolute, out _))
        {
            errors.Add($"Portal:Licence:Url = '{Licence.Url}': expected the licence's address, e.g. https://www.etalab.gouv.fr/licence-ouverte-open-licence/.");
        }

        return errors;
    }
}

public sealed class PublisherOptions
{
    public string Name { get; set; } = "Ville de démonstration – service données";

    public string Url { get; set; } = "https://www.example.org/";

    public string Email { get; set; } = "donnees@example.org";
}

public sealed class LicenceOptions
{
    public string Name { get; set; } = "Licence Ouverte / Open Licence version 2.0";

    public string Url { get; set; } = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
}


/// <summary>Portal:Downloads: where finished downloads of settled periods are kept as files.</summary>
public sealed class DownloadOptions
{
    /// <summary>A folder the portal may write (systemd's CacheDirectory: /var/cache/sensors-portal); empty: no file cache.</summary>
    public string CacheDirectory { get; set; } = string.Empty;

    /// <summary>The cache's size at most; the files least recently sent go first.</summary>
    public long CacheMaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>A period is kept once it ended this many days ago (late data from a gateway that was cut off has landed by then).</summary>
    public int SettledAfterDays { get; set; } = 7;

    /// <summary>Only periods of this many days or more are kept (short ones are quick to build).</summary>
    public int CacheFromDays { get; set; } = 28;

    public IEnumerable<string> Validate()
    {
        if (CacheMaxBytes < 1024 * 1024)
        {
            yield return $"Portal:Downloads:CacheMaxBytes = {CacheMaxBytes}: expected a size in bytes of 1048576 (1 MB) or more, e.g. 2147483648 (2 GB).";
        }

        if (SettledAfterDays is < 1 or > 366)
        {
            yield return $"Portal:Downloads:SettledAfterDays = {SettledAfterDays}: expected 1 to 366 days, e.g. 7.";
        }

        if (CacheFromDays is < 1 or > 366)
        {
            yield return $"Portal:Downloads:CacheFromDays = {CacheFromDays}: expected 1 to 366 days, e.g. 28.";
        }
    }
}

/// <summary>
/// Portal:Rollups: the job that rolls the minute data up per sector, street and lamp and day for
/// the waste and lighting pages. It writes, so it has credentials of its own (a user with WRITE on
/// the database); the pages keep reading with Portal:Influx's read-only user.
/// </summary>
public sealed class RollupOptions : IInfluxCredentials
{
    /// <summary>Run the job inside the portal, every <see cref="Every"/>. Off: run `sensors-portal rollup` from a timer instead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often today and yesterday are rolled up again.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the last <see cref="RecheckDays"/> days are checked for late data (points counted per day, against the count the roll-up was made from).</summary>
    public TimeSpan RecheckEvery { get; set; } = TimeSpan.FromHours(1);

    public int RecheckDays { get; set; } = 30;

    /// <summary>How far back the first run (after an upgrade) rolls up what is there.</summary>
    public int BackfillDays { get; set; } = 400;

    /// <summary>InfluxDB 1.x user with WRITE (and READ) on the database; the password from <see cref="PasswordFile"/>.</summary>
    public string Username { get; set; } = string.Empty;

    public string PasswordFile { get; set; } = string.Empty;

    /// <summary>InfluxDB 2.x/3.x token with write access (v1 compatibility API).</summary>
    public string TokenFile { get; set; } = string.Empty;

    public string ReadPassword() => IInfluxCredentials.Secret(PasswordFile, string.Empty);

    public string ReadToken() => IInfluxCredentials.Secret(TokenFile, string.Empty);

    public IEnumerable<string> Validate()
    {
        if (Every < TimeSpan.FromSeconds(10) || Every > TimeSpan.FromHours(1))
        {
            yield return $"Portal:Rollups:Every = {Every}: expected 00:00:10 to 01:00:00, e.g. 00:05:00.";
        }

        if (RecheckEvery < Every || RecheckEvery > TimeSpan.FromDays(1))
        {
            yield return $"Portal:Rollups:RecheckEvery = {RecheckEvery}: expected from Portal:Rollups:Every ({Every}) to 1.00:00:00, e.g. 01:00:00.";
        }

        if (RecheckDays is < 2 or > 400)
        {
            yield return $"Portal:Rollups:RecheckDays = {RecheckDays}: expected 2 to 400 days, e.g. 30.";
        }

        if (BackfillDays is < 2 or > 3650)
        {
            yield return $"Portal:Rollups:BackfillDays = {BackfillDays}: expected 2 to 3650 days, e.g. 400 (the waste page shows a year).";
        }

        foreach (var (key, path) in new[] { ("PasswordFile", PasswordFile), ("TokenFile", TokenFile) })
        {
            if (path.Length > 0 && !File.Exists(path))
            {
                yield return $"Portal:Rollups:{key} = '{path}': no such file; write the secret there (chmod 600) or leave the key empty.";
            }
        }
    }
}

