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

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (value, key, example) in new[] { (FlushInterval, "FlushInterval", "00:00:05"), (FailurePause, "FailurePause", "00:01:00"), (StatusLogInterval, "StatusLogInterval", "00:15:00") })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{Section}:{key} = {value}: expected a positive duration, e.g. {example}.");
            }
        }

        return errors;
    }
}
