namespace Sensors.Gateway.Configuration;

/// <summary>The <c>Gateway</c> section: who this gateway is.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Name of this gateway in the city's data (the <c>gateway_id</c> tag); empty means the host name.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>How often the gateway writes its own <c>gateway</c> measurement; 00:00:00 turns it off.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Raspberry Pi firmware's throttling word (under-voltage, throttling), reported in the heartbeat; absent on other machines.</summary>
    public string ThrottledPath { get; set; } = "/sys/devices/platform/soc/soc:firmware/get_throttled";

    /// <summary>The SoC's temperature in millidegrees, reported in the heartbeat.</summary>
    public string SocTemperaturePath { get; set; } = "/sys/class/thermal/thermal_zone0/temp";

    public IReadOnlyList<string> Validate() => ReportInterval < TimeSpan.Zero
        ? [$"Gateway:ReportInterval = {ReportInterval}: expected a duration such as 00:01:00, or 00:00:00 to turn the gateway's own measurement off."]
        : [];

    public string EffectiveId => string.IsNullOrWhiteSpace(Id) ? Environment.MachineName.ToLowerInvariant() : Id;
}

/// <summary>The <c>Site</c> section: where the site file is.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Path of the site file (YAML, firmware-config/sites/), relative to the configuration file.</summary>
    public string File { get; set; } = string.Empty;
}
