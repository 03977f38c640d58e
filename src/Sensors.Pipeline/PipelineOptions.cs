namespace Sensors.Pipeline;

/// <summary>The <c>Pipeline</c> section: between the sources and InfluxDB.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Longest a reading waits for its batch to fill before the batch is sent anyway (±10 % jitter).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause after a failed write before the next try.</summary>
    public TimeSpan FailurePause { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often one line sums up what was forwarded.</summary>
    public TimeSpan StatusLogInterval { get; set; } = TimeSpan.FromMinutes(15);
}
