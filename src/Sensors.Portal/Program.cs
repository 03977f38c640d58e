using Sensors.Portal;

// sensors-portal [--config portal.json]: the public data portal over the central InfluxDB.
var (app, errors) = PortalApp.Build(args);
if (app is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"Configuration error: {error}");
    }

    return 78; // EX_CONFIG, as the gateway
}

await app.StartAsync();
Console.WriteLine($"Portal: ready at {PortalApp.Address(app)}");
await app.WaitForShutdownAsync();
return 0;
