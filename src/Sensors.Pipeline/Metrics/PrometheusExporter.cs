using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Sensors.Pipeline.Metrics;

/// <summary>
/// The instruments of one <see cref="Meter"/> (System.Diagnostics.Metrics) written in the
/// Prometheus text exposition format 0.0.4, for /metrics: per instrument one HELP line (its
/// description) and one TYPE line (counter for counters, histogram for histograms, gauge for the
/// rest), then one sample per tag set, tags as labels, escaped as the format requires. Counters
/// and histograms are summed as measurements arrive; observable instruments are read when
/// scraped. Instrument names are the metric names, units in them (sensors_journal_bytes), as
/// Prometheus names them. Small on purpose: no SDK, no views, no second listener, nothing kept
/// but a number per tag set (see benchmarks/README.md, metrics, for the measured alternative).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly object _scrape = new();
    private readonly List<(Instrument Instrument, string Kind)> _instruments = [];
    private readonly Dictionary<Instrument, Dictionary<string, double>> _sums = [];
    private readonly Dictionary<Instrument, Dictionary<string, Buckets>> _histograms = [];

    // A scrape's samples of each observable instrument, written as they are observed; kept from one scrape to the next.
    private readonly Dictionary<Instrument, StringBuilder> _observed = [];
    private readonly StringBuilder _text = new(16384);
    private bool _scraping;

    public PrometheusExporter(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == _meter)
            {
                lock (_gate)
                {
                    _instruments.Add((instrument, Kind(instrument)));
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every family.</summary>
    public string Collect()
    {
        lock (_scrape)
        {
            lock (_gate)
            {
                foreach (var samples in _observed.Values)
                {
                    samples.Clear();
                }

                _scraping = true;
            }

            _listener.RecordObservableInstruments();
            lock (_gate)
            {
                _scraping = false;
                _text.Clear();
                foreach (var (instrument, kind) in _instruments)
                {
                    Family(_text, instrument, kind);
                }

                return _text.ToString();
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.IsObservable)
        {
            lock (_gate)
            {
                if (_scraping)
                {
                    var samples = _observed.TryGetValue(instrument, out var b) ? b : _observed[instrument] = new StringBuilder();
                    samples.Append(instrument.Name);
                    if (tags.Length > 0)
                    {
                        AppendLabels(samples.Append('{'), tags).Append('}');
                    }

                    AppendNumber(samples.Append(' '), value).Append('\n');
                }
            }

            return;
        }

        var labels = tags.Length == 0 ? string.Empty : AppendLabels(new StringBuilder(), tags).ToString();
        lock (_gate)
        {
            if (instrument is Histogram<double> or Histogram<long> or Histogram<int>)
            {
                var series = _histograms.TryGetValue(instrument, out var s) ? s : _histograms[instrument] = [];
                (series.TryGetValue(labels, out var buckets) ? buckets : series[labels] = new Buckets(Bounds(instrument))).Add(value);
            }
            else
            {
                var series = _sums.TryGetValue(instrument, out var s) ? s : _sums[instrument] = [];
                series[labels] = IsLastValue(instrument) ? value : series.GetValueOrDefault(labels) + value;
            }
        }
    }

    private void Family(StringBuilder text, Instrument instrument, string kind)
    {
        var name = instrument.Name;
        text.Append("# HELP ").Append(name).Append(' ').Append((instrument.Description ?? name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
        if (instrument.IsObservable)
        {
            if (_observed.TryGetValue(instrument, out var samples))
            {
                text.Append(samples);
            }
        }
        else if (kind == "histogram")
        {
            foreach (var (labels, buckets) in _histograms.GetValueOrDefault(instrument) ?? [])
            {
                buckets.Write(text, name, labels);
            }
        }
        else
        {
            foreach (var (labels, value) in _sums.GetValueOrDefault(instrument) ?? [])
            {
                Sample(text, name, labels, value);
            }
        }
    }

    private static string Kind(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Counter<>) || t == typeof(ObservableCounter<>) => "counter",
        var t when t == typeof(Histogram<>) => "histogram",
        _ => "gauge",
    };

    private static bool IsLastValue(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() == typeof(Gauge<>);

    private static double[] Bounds(Instrument instrument) =>
        instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds } ? [.. bounds]
        : [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static void Sample(StringBuilder text, string name, string labels, double value, string? extra = null)
    {
        text.Append(name);
        if (labels.Length > 0 || extra is not null)
        {
            text.Append('{').Append(labels);
            if (extra is not null)
            {
                text.Append(labels.Length > 0 ? "," : string.Empty).Append(extra);
            }

            text.Append('}');
        }

        AppendNumber(text.Append(' '), value).Append('\n');
    }

    /// <summary>key="value",… with backslash, double quote and newline escaped.</summary>
    private static StringBuilder AppendLabels(StringBuilder text, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        for (var i = 0; i < tags.Length; i++)
        {
            text.Append(i > 0 ? "," : string.Empty).Append(tags[i].Key).Append("=\"");
            var value = tags[i].Value as string ?? Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? string.Empty;
            if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
            {
                text.Append(value);
            }
            else
            {
                foreach (var c in value)
                {
                    _ = c switch
                    {
                        '\\' => text.Append("\\\\"),
                        '"' => text.Append("\\\""),
                        '\n' => text.Append("\\n"),
                        _ => text.Append(c),
                    };
                }
            }

            text.Append('"');
        }

        return text;
    }

    private static StringBuilder AppendNumber(StringBuilder text, double value) =>
        double.IsFinite(value) ? text.Append(CultureInfo.InvariantCulture, $"{value:R}") : text.Append(Format(value));

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A histogram's counts per bucket (not cumulative; the last is above every bound), sum and count.</summary>
    private sealed class Buckets(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;
        private long _count;

        public void Add(double value)
        {
            var i = 0;
            while (i < bounds.Length && value > bounds[i])
            {
                i++;
            }

            _counts[i]++;
            _sum += value;
            _count++;
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                Sample(text, name + "_bucket", labels, cumulative, $"le=\"{Format(bounds[i])}\"");
            }

            Sample(text, name + "_bucket", labels, _count, "le=\"+Inf\"");
            Sample(text, name + "_sum", labels, _sum);
            Sample(text, name + "_count", labels, _count);
        }
    }
}
