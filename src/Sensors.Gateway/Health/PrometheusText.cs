using System.Globalization;
using System.Text;

namespace Sensors.Gateway.Health;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): per family one HELP and one TYPE
/// line, then its samples. Label values are escaped (backslash, double quote, newline) as the
/// format requires. Each family must be written in one go, by one owner.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(8192);

    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Counter(string name, string help, double value) => Family(name, "counter", help).Sample(name, value);

    public PrometheusText Gauge(string name, string help, double value) => Family(name, "gauge", help).Sample(name, value);

    public PrometheusText Sample(string name, double value, params ReadOnlySpan<(string Key, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Key).Append("=\"");
                foreach (var c in labels[i].Value)
                {
                    _ = c switch
                    {
                        '\\' => _text.Append("\\\\"),
                        '"' => _text.Append("\\\""),
                        '\n' => _text.Append("\\n"),
                        _ => _text.Append(c),
                    };
                }

                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>A histogram family: cumulative buckets, +Inf, sum and count.</summary>
    public PrometheusText Histogram(string name, string help, LatencyHistogram.Snapshot snapshot)
    {
        Family(name, "histogram", help);
        long cumulative = 0;
        for (var i = 0; i < snapshot.Bounds.Length; i++)
        {
            cumulative += snapshot.Counts[i];
            Sample(name + "_bucket", cumulative, ("le", Format(snapshot.Bounds[i])));
        }

        Sample(name + "_bucket", snapshot.Count, ("le", "+Inf"));
        Sample(name + "_sum", snapshot.Sum);
        return Sample(name + "_count", snapshot.Count);
    }

    public override string ToString() => _text.ToString();

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A fixed-bucket histogram of durations in seconds, safe to add to from any thread.</summary>
public sealed class LatencyHistogram(params double[] bounds)
{
    private readonly double[] _bounds = bounds.Order().ToArray();
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly object _gate = new();
    private double _sum;
    private long _count;

    /// <summary>Buckets for HTTP writes over a LAN or a 4G link: 5 ms to 30 s.</summary>
    public static LatencyHistogram ForWrites() => new(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    public void Observe(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var i = 0;
        while (i < _bounds.Length && seconds > _bounds[i])
        {
            i++;
        }

        lock (_gate)
        {
            _counts[i]++;
            _sum += seconds;
            _count++;
        }
    }

    public Snapshot Read()
    {
        lock (_gate)
        {
            return new Snapshot(_bounds, _counts[..^0].ToArray(), _sum, _count);
        }
    }

    /// <summary>Counts per bucket (not cumulative; the last one is above every bound).</summary>
    public sealed record Snapshot(double[] Bounds, long[] Counts, double Sum, long Count);
}

/// <summary>Something whose state shows on /metrics: it writes its own families.</summary>
public interface IMetricsSource
{
    void WriteMetrics(PrometheusText text);
}
