using Sensors.Central;
using Sensors.Portal;
using Sensors.Portal.Rollups;

// sensors-portal [--config portal.json]: the public data portal over the central InfluxDB.
// sensors-portal rollup [--config portal.json] [--Portal:Rollups:RecheckDays 90]: one run of the
// roll-up job (backfill, late data), for a timer or after a long outage, then exit.
var (app, errors) = PortalApp.Build(args);
if (app is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"Configuration error: {error}");
    }

    return 78; // EX_CONFIG, as the gateway
}

if (args.Length > 0 && args[0] == "rollup")
{
    try
    {
        var result = await app.Services.GetRequiredService<RollupJob>().RunAsync(TimeProvider.System.GetUtcNow(), CancellationToken.None);
        Console.WriteLine($"Roll-ups: {result.DaysRolledUp} day(s) rolled up ({result.LateDays} for late data), {result.PointsWritten} points written in {result.Took.TotalSeconds:0.0} s.");
        return 0;
    }
    catch (Sensors.Central.CentralDataException error)
    {
        Console.Error.WriteLine($"Roll-ups not made: {error.Message}");
        return 69; // EX_UNAVAILABLE
    }
}

try
{
    await app.StartAsync();
}
catch (IOException error)
{
    Console.Error.WriteLine($"Portal: cannot listen: {error.Message} Stop what uses that port, or choose another (Portal:Port, Portal:Address).");
    return 1;
}

Console.WriteLine($"Portal: ready at {PortalApp.Address(app)}");
await app.WaitForShutdownAsync();
return 0;
