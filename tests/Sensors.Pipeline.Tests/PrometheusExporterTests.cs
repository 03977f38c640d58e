using System.Diagnostics.Metrics;
using Sensors.Pipeline.Metrics;

namespace Sensors.Pipeline.Tests;

/// <summary>The /metrics text from System.Diagnostics.Metrics instruments, as Prometheus reads it.</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Counter_HasHelpTypeAndEscapedLabels_AndSumsPerLabelSet()
    {
        using var meter = new Meter("exporter-test-counter");
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("sensors_readings_received_total", description: "Readings in.");
        counter.Add(10, new KeyValuePair<string, object?>("source", "a \"quoted\" \\ name\nnext"));
        counter.Add(2, new KeyValuePair<string, object?>("source", "a \"quoted\" \\ name\nnext"));
        counter.Add(5, new KeyValuePair<string, object?>("source", "mqtt"));

        Assert.Equal(
            "# HELP sensors_readings_received_total Readings in.\n# TYPE sensors_readings_received_total counter\n"
            + "sensors_readings_received_total{source=\"a \\\"quoted\\\" \\\\ name\\nnext\"} 12\nsensors_readings_received_total{source=\"mqtt\"} 5\n",
            exporter.Collect());
    }

    [Fact]
    public void Histogram_BucketsAreCumulative_WithInfSumAndCount_FromTheInstrumentsAdvice()
    {
        using var meter = new Meter("exporter-test-histogram");
        using var exporter = new PrometheusExporter(meter);
        var histogram = meter.CreateHistogram("w", unit: "s", description: "Writes.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        histogram.Record(0.05);
        histogram.Record(0.5);
        histogram.Record(3);

        var lines = exporter.Collect().Split('\n');

        Assert.Contains("# TYPE w histogram", lines);
        Assert.Contains("w_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("w_bucket{le=\"1\"} 2", lines);
        Assert.Contains("w_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("w_sum 3.55", lines);
        Assert.Contains("w_count 3", lines);
    }

    [Fact]
    public void ObservableInstruments_AreReadAtEachScrape_AndAnotherMetersInstrumentsStayOut()
    {
        using var meter = new Meter("exporter-test-observable");
        using var other = new Meter("exporter-test-other");
        using var exporter = new PrometheusExporter(meter);
        long pending = 3;
        meter.CreateObservableGauge("sensors_journal_pending_readings", () => pending, description: "Waiting.");
        meter.CreateObservableCounter("sensors_clock_jumps_total", () => Measure.Of(7, ("reason", "step")), description: "Jumps.");
        other.CreateObservableGauge("somebody_elses_gauge", () => 1L);

        Assert.Contains("sensors_journal_pending_readings 3\n", exporter.Collect(), StringComparison.Ordinal);
        pending = 40;
        var text = exporter.Collect();
        Assert.Contains("sensors_journal_pending_readings 40\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sensors_journal_pending_readings gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sensors_clock_jumps_total counter\nsensors_clock_jumps_total{reason=\"step\"} 7\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("somebody_elses_gauge", text, StringComparison.Ordinal);
    }
}
