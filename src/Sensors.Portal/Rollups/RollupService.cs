namespace Sensors.Portal.Rollups;

/// <summary>
/// The roll-up job inside the portal (Portal:Rollups:Enabled): a first run at start (which
/// backfills), then one every Portal:Rollups:Every. A run that fails is said in one line and
/// tried again at the next; the pages keep showing the last roll-ups meanwhile.
/// </summary>
public sealed class RollupService(RollupJob job, PortalOptions options, TimeProvider time, ILogger<RollupService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        await Task.Yield();
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var result = await job.RunAsync(time.GetUtcNow(), stopping);
                if (first || result.LateDays > 0)
                {
                    log.LogInformation("Roll-ups: {Days} day(s) rolled up, {Points} points written in {Seconds:0.0} s{Late}.", result.DaysRolledUp, result.PointsWritten, result.Took.TotalSeconds, result.LateDays > 0 ? $", {result.LateDays} of them for late data" : string.Empty);
                }

                if (first || result.LateDays > 0)
                {
                    MemoryRelease.Now(); // after a backfill or late days: many days read at once
                }

                first = false;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                log.LogWarning("Roll-ups not made this time, the waste and lighting pages show the last ones: {Reason} Tried again in {Every}.", error.Message, options.Rollups.Every);
            }

            try
            {
                await Task.Delay(options.Rollups.Every, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
