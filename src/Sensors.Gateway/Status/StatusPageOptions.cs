using System.Net;
using Sensors.Core;

namespace Sensors.Gateway.Status;

/// <summary>The <c>StatusPage</c> section: the school's page.</summary>
public sealed class StatusPageOptions
{
    public const string Section = "StatusPage";

    /// <summary>Orange from this level (ppm).</summary>
    public double OrangeFromPpm { get; set; } = Co2Levels.Default.OrangeFromPpm;

    /// <summary>Red above this level (ppm).</summary>
    public double RedAbovePpm { get; set; } = Co2Levels.Default.RedAbovePpm;

    public Co2Levels Levels => new(OrangeFromPpm, RedAbovePpm);

    public IEnumerable<string> Validate() => Levels.Validate(Section);
}
