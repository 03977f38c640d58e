using System.Diagnostics.Metrics;

namespace Sensors.Pipeline.Metrics;

/// <summary>
/// Something whose state shows on /metrics: it creates its instruments on the gateway's meter
/// (System.Diagnostics.Metrics), once, when the gateway is put together. Most are observable,
/// reading the state the part keeps anyway when /metrics is scraped; nothing is counted twice.
/// </summary>
public interface IInstrumented
{
    void CreateInstruments(Meter meter);
}

/// <summary>Measurements with their labels, written short.</summary>
public static class Measure
{
    public static Measurement<long> Of(long value, params ReadOnlySpan<(string Key, string Value)> labels)
    {
        if (labels.Length == 0)
        {
            return new Measurement<long>(value);
        }

        var tags = new KeyValuePair<string, object?>[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            tags[i] = new(labels[i].Key, labels[i].Value);
        }

        return new Measurement<long>(value, tags);
    }
}
