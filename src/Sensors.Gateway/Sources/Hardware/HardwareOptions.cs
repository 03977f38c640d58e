namespace Sensors.Gateway.Sources.Hardware;

/// <summary>The <c>Hardware</c> section: the CO2 sensors wired to this gateway (their buses are in the site file).</summary>
public sealed class HardwareOptions
{
    public const string Section = "Hardware";

    /// <summary>Read the sensors of the site file that have a bus.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Emulate every sensor (the demo, a bench without hardware): the real drivers talk to emulators measuring a simulated classroom.</summary>
    public bool Emulate { get; set; }
}
