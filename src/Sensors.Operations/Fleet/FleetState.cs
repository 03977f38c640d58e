using Sensors.Central;

namespace Sensors.Operations.Fleet;

/// <summary>
/// The fleet as last read: what the pages show and what the alerts follow. Read again every
/// <see cref="ConsoleOptions.Every"/> by <see cref="FleetService"/>, or by the first page that
/// finds it older than twice that (a console just started, a stalled refresh). When the database
/// does not answer, pages get its error (503) rather than figures that stopped moving.
/// </summary>
public sealed class FleetState(FleetReader reader, ConsoleOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FleetSnapshot? _last;

    public FleetSnapshot? Last => Volatile.Read(ref _last);

    /// <summary>When the last read failed, and why; null after a read that worked.</summary>
    public (DateTimeOffset At, string Reason)? Failing { get; private set; }

    public async Task<FleetSnapshot> CurrentAsync(CancellationToken cancellation)
    {
        if (Last is { } last && time.GetUtcNow() - last.At < options.Every * 2)
        {
            return last;
        }

        return await RefreshAsync(cancellation).ConfigureAwait(false);
    }

    public async Task<FleetSnapshot> RefreshAsync(CancellationToken cancellation)
    {
        var asked = time.GetUtcNow();
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (Last is { } fresh && fresh.At >= asked)
            {
                return fresh; // read by another caller while this one waited
            }

            try
            {
                var snapshot = await reader.ReadAsync(time.GetUtcNow(), cancellation).ConfigureAwait(false);
                Volatile.Write(ref _last, snapshot);
                Failing = null;
                return snapshot;
            }
            catch (CentralDataException error)
            {
                Failing = (Failing?.At ?? asked, error.Message);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>Reads the fleet every <see cref="ConsoleOptions.Every"/> and hands it to the alerts.</summary>
public sealed class FleetService(FleetState fleet, Alerts.AlertSender alerts, ConsoleOptions options, TimeProvider time, ILogger<FleetService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Every, time);
        var failing = false;
        do
        {
            try
            {
                var snapshot = await fleet.RefreshAsync(stoppingToken).ConfigureAwait(false);
                if (failing)
                {
                    log.LogInformation("Fleet read again: the database answers.");
                    failing = false;
                }

                await alerts.EvaluateAsync(snapshot, stoppingToken).ConfigureAwait(false);
            }
            catch (CentralDataException error)
            {
                if (!failing)
                {
                    log.LogWarning("Fleet not read: {Reason} Pages answer 503 and alerts wait until it answers; nothing is resolved meanwhile.", error.Message);
                    failing = true;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                log.LogError(error, "Fleet not evaluated: {Type}: {Reason} This is the console's fault; the stack trace says where. Trying again in {Every}.", error.GetType().Name, error.Message, options.Every);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
