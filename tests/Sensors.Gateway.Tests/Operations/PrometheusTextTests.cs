using Sensors.Gateway.Health;

namespace Sensors.Gateway.Tests.Operations;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Family_HasHelpTypeAndEscapedLabels()
    {
        var text = new PrometheusText()
            .Family("sensors_readings_received_total", "counter", "Readings in.")
            .Sample("sensors_readings_received_total", 12, ("source", "a \"quoted\" \\ name\nnext"))
            .ToString();

        Assert.Equal(
            "# HELP sensors_readings_received_total Readings in.\n# TYPE sensors_readings_received_total counter\nsensors_readings_received_total{source=\"a \\\"quoted\\\" \\\\ name\\nnext\"} 12\n",
            text);
    }

    [Fact]
    public void Histogram_BucketsAreCumulative_WithInfSumAndCount()
    {
        var histogram = new LatencyHistogram(0.1, 1);
        histogram.Observe(TimeSpan.FromMilliseconds(50));
        histogram.Observe(TimeSpan.FromMilliseconds(500));
        histogram.Observe(TimeSpan.FromSeconds(3));

        var lines = new PrometheusText().Histogram("w", "Writes.", histogram.Read()).ToString().Split('\n');

        Assert.Contains("w_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("w_bucket{le=\"1\"} 2", lines);
        Assert.Contains("w_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("w_sum 3.55", lines);
        Assert.Contains("w_count 3", lines);
    }
}
