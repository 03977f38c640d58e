namespace Sensors.Core;

/// <summary>The three colours of a classroom's air, as pupils see them on the status page and the portal.</summary>
public enum Co2Light
{
    Green,
    Orange,
    Red,
}

/// <summary>
/// The traffic-light rule for CO2, one for the whole project (the gateway's status page and the
/// portal): green below <see cref="OrangeFromPpm"/>, orange from it up to and including
/// <see cref="RedAbovePpm"/>, red above. The defaults, 800 and 1500 ppm, follow the French
/// guidance for schools (aerate from 800 ppm, act at once above 1500 ppm).
/// </summary>
public sealed record Co2Levels(double OrangeFromPpm = 800, double RedAbovePpm = 1500)
{
    public static Co2Levels Default { get; } = new();

    public Co2Light Classify(double co2Ppm) =>
        co2Ppm < OrangeFromPpm ? Co2Light.Green
        : co2Ppm <= RedAbovePpm ? Co2Light.Orange
        : Co2Light.Red;

    /// <summary>Empty when the thresholds make sense; else one line per problem.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!(OrangeFromPpm > 0 && OrangeFromPpm < 10_000))
        {
            yield return $"{section}:OrangeFromPpm = {OrangeFromPpm}: expected a CO2 level in ppm between 0 and 10000, e.g. 800.";
        }

        if (!(RedAbovePpm > OrangeFromPpm && RedAbovePpm < 10_000))
        {
            yield return $"{section}:RedAbovePpm = {RedAbovePpm}: expected a CO2 level in ppm above OrangeFromPpm ({OrangeFromPpm}), e.g. 1500.";
        }
    }
}

/// <summary>What the light says, in French first and English second: the words children and staff read.</summary>
public static class Co2Advice
{
    public static (string French, string English) Label(Co2Light light) => light switch
    {
        Co2Light.Green => ("Air sain", "Fresh air"),
        Co2Light.Orange => ("Air chargé", "Stale air"),
        _ => ("Air très chargé", "Very stale air"),
    };

    public static (string French, string English) Advice(Co2Light light) => light switch
    {
        Co2Light.Green => ("Tout va bien, on peut continuer.", "All good, carry on."),
        Co2Light.Orange => ("Ouvrez les fenêtres quelques minutes.", "Open the windows for a few minutes."),
        _ => ("Ouvrez les fenêtres maintenant, en grand.", "Open the windows now, wide."),
    };
}
