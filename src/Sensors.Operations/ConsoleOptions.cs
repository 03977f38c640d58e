using Sensors.Central;

namespace Sensors.Operations;

/// <summary>
/// The console's settings: section <c>Console</c>. Defaults in appsettings.json beside the
/// executable; a <c>--config</c> file; environment variables <c>SENSORS_CONSOLE_Console__Key</c>.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>Where the console listens: an internal network, behind the city's reverse proxy (which adds TLS) or with <see cref="Https"/>.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8089;

    /// <summary>The console's address as its users reach it (https://console.ville.fr): the links in alerts' e-mails. Empty: taken from each request, and alerts carry paths only.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    public string City { get; set; } = "Ville de démonstration";

    public string TimeZone { get; set; } = "Europe/Paris";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The city's position, for sunrise and sunset (the lamps' day and night rules).</summary>
    public double Latitude { get; set; } = 48.8566;

    public double Longitude { get; set; } = 2.3522;

    /// <summary>The site files (names, lesson hours: the stuck rule looks at lessons only).</summary>
    public string Sites { get; set; } = "firmware-config/sites";

    /// <summary>The device registry (firmware-config/registry/devices.yaml): which device is which asset, and each type's uplink interval and rated power.</summary>
    public string Registry { get; set; } = "firmware-config/registry/devices.yaml";

    /// <summary>Which service runs each gateway, by the start of its id (gw-dechets → waste); a gateway that matches none is the environment service's.</summary>
    public Dictionary<string, string> GatewayServices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the fleet is read and the rules evaluated (pages show that reading; alerts follow it).</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where the keys that protect the session cookies are kept, so that a restart signs nobody out (the unit's state directory); empty: in memory.</summary>
    public string KeysDirectory { get; set; } = string.Empty;

    /// <summary>The database's retention policy of the minute data; empty: the database's default, where the gateways write.</summary>
    public string Policy { get; set; } = string.Empty;

    public InfluxReadOptions Influx { get; set; } = new();

    public OidcOptions Oidc { get; set; } = new();

    public AlertmanagerOptions Alertmanager { get; set; } = new();

    public RuleOptions Rules { get; set; } = new();

    public HttpsOptions Https { get; set; } = new();

    public WasteOptions Waste { get; set; } = new();

    public static readonly string[] Services = ["environment", "waste", "lighting"];

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"Console:Port = {Port}: expected a port number, e.g. 8089.");
        }

        try
        {
            _ = Zone;
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"Console:TimeZone = '{TimeZone}': not a time zone this machine knows; expected e.g. Europe/Paris (install tzdata).");
        }

        if (Latitude is < -90 or > 90 || Longitude is < -180 or > 180)
        {
            errors.Add($"Console:Latitude/Longitude = {Latitude}/{Longitude}: expected degrees, e.g. 48.8566 and 2.3522.");
        }

        if (BaseUrl.Length > 0 && !(Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUrl) && baseUrl.Scheme is "http" or "https"))
        {
            errors.Add($"Console:BaseUrl = '{BaseUrl}': expected the console's address, e.g. https://console.ville.fr, or empty.");
        }

        if (Every < TimeSpan.FromSeconds(1) || Every > TimeSpan.FromHours(1))
        {
            errors.Add($"Console:Every = {Every}: expected 00:00:01 to 01:00:00, e.g. 00:01:00.");
        }

        foreach (var (prefix, service) in GatewayServices)
        {
            if (!Services.Contains(service))
            {
                errors.Add($"Console:GatewayServices:{prefix} = '{service}': expected one of {string.Join(", ", Services)}.");
            }
        }

        errors.AddRange(Influx.Validate("Console:Influx"));
        errors.AddRange(Oidc.Validate());
        errors.AddRange(Alertmanager.Validate());
        errors.AddRange(Rules.Validate());
        errors.AddRange(Https.Validate());
        errors.AddRange(Waste.Validate());
        return errors;
    }

    /// <summary>The service a gateway belongs to, by <see cref="GatewayServices"/> (longest prefix first).</summary>
    public string ServiceOfGateway(string gatewayId) =>
        GatewayServices.Where(p => gatewayId.StartsWith(p.Key, StringComparison.Ordinal)).OrderByDescending(p => p.Key.Length).Select(p => p.Value).FirstOrDefault() ?? "environment";
}

/// <summary>The city's identity provider (OpenID Connect, authorisation code flow with PKCE).</summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer (its /.well-known/openid-configuration is read from there).</summary>
    public string Authority { get; set; } = string.Empty;

    public string ClientId { get; set; } = "sensors-console";

    public string ClientSecret { get; set; } = string.Empty;

    public string ClientSecretFile { get; set; } = string.Empty;

    /// <summary>Scopes asked for besides openid; the role claim must come with one of them.</summary>
    public List<string> Scopes { get; set; } = ["profile", "email", "roles"];

    /// <summary>The claim that carries the user's groups or roles (a string or an array).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim's value → the console's role (environment, waste, lighting, admin); a value already named as a role maps to itself.</summary>
    public Dictionary<string, string> Roles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Off only for a provider on loopback in tests and the demo: the provider's metadata over plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public static readonly string[] ConsoleRoles = ["environment", "waste", "lighting", "admin"];

    public string ReadSecret() => IInfluxCredentials.Secret(ClientSecretFile, ClientSecret);

    public IEnumerable<string> Validate()
    {
        if (!(Uri.TryCreate(Authority, UriKind.Absolute, out var authority) && authority.Scheme is "http" or "https"))
        {
            yield return $"Console:Oidc:Authority = '{Authority}': expected the identity provider's issuer, e.g. https://sso.ville.fr/realms/agents. The console has no local passwords: it needs one.";
        }
        else if (authority.Scheme == "http" && RequireHttpsMetadata)
        {
            yield return $"Console:Oidc:Authority = '{Authority}': plain HTTP; use the provider's https:// address (RequireHttpsMetadata false is for a provider on loopback only).";
        }

        if (ClientId.Length == 0)
        {
            yield return "Console:Oidc:ClientId is empty: the client id the provider gave the console, e.g. sensors-console.";
        }

        if (ClientSecretFile.Length > 0 && !File.Exists(ClientSecretFile))
        {
            yield return $"Console:Oidc:ClientSecretFile = '{ClientSecretFile}': no such file; write the client secret there (chmod 600).";
        }

        foreach (var (claim, role) in Roles)
        {
            if (!ConsoleRoles.Contains(role))
            {
                yield return $"Console:Oidc:Roles:{claim} = '{role}': expected one of {string.Join(", ", ConsoleRoles)}.";
            }
        }
    }
}

/// <summary>Where alerts go: a Prometheus Alertmanager (v2 API).</summary>
public sealed class AlertmanagerOptions
{
    /// <summary>Alertmanager's address, e.g. http://127.0.0.1:9093; empty: no alerts are sent (the console still shows them).</summary>
    public string Url { get; set; } = string.Empty;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (Url.Length > 0 && !(Uri.TryCreate(Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return $"Console:Alertmanager:Url = '{Url}': expected Alertmanager's address, e.g. http://127.0.0.1:9093, or empty for no alerts.";
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
        {
            yield return $"Console:Alertmanager:Timeout = {Timeout}: expected up to 00:01:00.";
        }
    }
}

/// <summary>TLS served by the console itself (without a reverse proxy): a certificate and its key, PEM.</summary>
public sealed class HttpsOptions
{
    public string CertificateFile { get; set; } = string.Empty;

    public string KeyFile { get; set; } = string.Empty;

    public bool Enabled => CertificateFile.Length > 0;

    public IEnumerable<string> Validate()
    {
        if (CertificateFile.Length > 0 && (!File.Exists(CertificateFile) || !File.Exists(KeyFile)))
        {
            yield return $"Console:Https:CertificateFile = '{CertificateFile}', KeyFile = '{KeyFile}': both PEM files must exist (or leave both empty behind a TLS proxy).";
        }
    }
}

/// <summary>The rules' thresholds; each alert rule can be silenced in Alertmanager, not here.</summary>
public sealed class RuleOptions
{
    /// <summary>A gateway is not reporting after this many of its report intervals without a heartbeat.</summary>
    public int MissedReports { get; set; } = 3;

    public TimeSpan BacklogOlderThan { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Card writes over this many bytes a day (a 32 GB card of ~3,000 cycles lasts 10 years at 25 GB a day; a budget of 2 GB leaves room).</summary>
    public long CardBytesPerDay { get; set; } = 2_000_000_000;

    public long DiskFreeBelowBytes { get; set; } = 500_000_000;

    /// <summary>Outdoor air, the self-calibration's reference.</summary>
    public double OutdoorPpm { get; set; } = 420;

    /// <summary>Drift suspected when the night baseline sits further than this from outdoor air.</summary>
    public double DriftTolerancePpm { get; set; } = 150;

    /// <summary>The night window in which a classroom is empty (local time): its CO2 falls toward outdoor air.</summary>
    public TimeSpan NightFrom { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan NightTo { get; set; } = TimeSpan.FromHours(5);

    public int DriftNights { get; set; } = 7;

    /// <summary>Nights with readings needed before drift is judged.</summary>
    public int DriftMinNights { get; set; } = 4;

    /// <summary>Stuck: the CO2 has not moved at all over this much of lessons.</summary>
    public TimeSpan StuckFor { get; set; } = TimeSpan.FromHours(2);

    public int StuckMinReadings { get; set; } = 12;

    public TimeSpan SensorSilentAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A device whose type has no uplink_every_s is silent after this.</summary>
    public TimeSpan DeviceSilentAfter { get; set; } = TimeSpan.FromHours(24);

    public int MissedUplinks { get; set; } = 3;

    public double BatteryLowPct { get; set; } = 20;

    public double BatteryLowV { get; set; } = 3.3;

    public double FrameLossPct { get; set; } = 10;

    /// <summary>Margin around sunrise and sunset in which a lamp may be either way.</summary>
    public TimeSpan SunMargin { get; set; } = TimeSpan.FromMinutes(40);

    /// <summary>A lit lamp drawing further than this share of its rated power from rated × dimming.</summary>
    public double PowerTolerancePct { get; set; } = 30;

    public IEnumerable<string> Validate()
    {
        if (MissedReports < 1 || MissedUplinks < 1)
        {
            yield return "Console:Rules:MissedReports and MissedUplinks: expected 1 or more, e.g. 3.";
        }

        if (NightFrom >= NightTo || NightTo > TimeSpan.FromHours(12))
        {
            yield return $"Console:Rules:NightFrom/NightTo = {NightFrom}/{NightTo}: expected a window after midnight, e.g. 01:00:00 to 05:00:00.";
        }

        if (DriftMinNights < 1 || DriftMinNights > DriftNights)
        {
            yield return $"Console:Rules:DriftMinNights = {DriftMinNights}: expected 1 to DriftNights ({DriftNights}).";
        }

        if (StuckFor < TimeSpan.FromMinutes(10) || StuckMinReadings < 2)
        {
            yield return $"Console:Rules:StuckFor = {StuckFor}, StuckMinReadings = {StuckMinReadings}: expected 00:10:00 or more and 2 readings or more.";
        }

        if (FrameLossPct is <= 0 or > 100 || PowerTolerancePct is <= 0 or > 100 || BatteryLowPct is < 0 or > 100)
        {
            yield return "Console:Rules:FrameLossPct, PowerTolerancePct and BatteryLowPct: expected percentages (0 to 100).";
        }
    }
}

/// <summary>The waste service's pages: the billing export's audit log, and the rounds' thresholds.</summary>
public sealed class WasteOptions
{
    /// <summary>Every export of lifts is recorded here (one JSON line: who, when, which month and sectors) before it is sent; the admin role reads it at /journal-des-exports.</summary>
    public string AuditLog { get; set; } = "audit/exports.jsonl";

    /// <summary>A container at or above this fill goes on tomorrow's round.</summary>
    public double EmptyFromPct { get; set; } = 80;

    /// <summary>An emptying: the fill falls by at least this many points below the level before, and stays there.</summary>
    public double EmptyingDropPts { get; set; } = 30;

    /// <summary>The time between two collections: a container forecast full before tomorrow plus this goes on tomorrow's round.</summary>
    public TimeSpan CollectionEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Hourly levels since the last emptying needed before a fill rate and a forecast are shown.</summary>
    public int MinForecastPoints { get; set; } = 6;

    /// <summary>A trip that empties a container below this fill is a wasted trip.</summary>
    public double WastedBelowPct { get; set; } = 50;

    /// <summary>At or above this fill, a container counts as full (overflow hours).</summary>
    public double FullAtPct { get; set; } = 95;

    /// <summary>A container's sensor silent for longer than this is listed apart.</summary>
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How far back the containers' levels are read (the last emptying must fall within).</summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromDays(14);

    public IEnumerable<string> Validate()
    {
        if (AuditLog.Length == 0)
        {
            yield return "Console:Waste:AuditLog is empty: every billing export must be recorded; give a file, e.g. /var/lib/sensors-console/exports.jsonl.";
        }

        if (EmptyFromPct is <= 0 or > 100 || WastedBelowPct is <= 0 or > 100 || FullAtPct is <= 0 or > 100)
        {
            yield return "Console:Waste:EmptyFromPct, WastedBelowPct and FullAtPct: expected percentages (1 to 100).";
        }

        if (EmptyingDropPts is < 5 or > 100)
        {
            yield return $"Console:Waste:EmptyingDropPts = {EmptyingDropPts}: expected 5 to 100 points, e.g. 30.";
        }

        if (MinForecastPoints < 3)
        {
            yield return $"Console:Waste:MinForecastPoints = {MinForecastPoints}: expected 3 or more (a slope from two points is no forecast).";
        }

        if (CollectionEvery <= TimeSpan.Zero || LookBack < TimeSpan.FromDays(1) || LookBack > TimeSpan.FromDays(62) || SilentAfter <= TimeSpan.Zero)
        {
            yield return "Console:Waste:CollectionEvery, SilentAfter (positive) and LookBack (1 to 62 days): durations such as 1.00:00:00.";
        }
    }
}
