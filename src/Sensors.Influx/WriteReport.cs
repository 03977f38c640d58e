namespace Sensors.Influx;

/// <summary>A point InfluxDB refused, with the server's reason: it belongs in the dead-letter store.</summary>
/// <param name="Index">Position of the line in the batch that was written.</param>
/// <param name="Line">The line protocol text, without newline.</param>
public sealed record RejectedPoint(int Index, string Line, int StatusCode, string Reason);

/// <summary>
/// What became of a batch. Lines are settled in order: lines [0, <see cref="Settled"/>) are either
/// delivered or in <see cref="Rejected"/>; lines from <see cref="Settled"/> on were not sent or not
/// stored, because of <see cref="Failure"/>, and must be tried again later.
/// </summary>
public sealed record WriteReport(int Settled, int Delivered, IReadOnlyList<RejectedPoint> Rejected, InfluxAnswer? Failure, int Requests)
{
    public bool IsComplete => Failure is null;
}
