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
