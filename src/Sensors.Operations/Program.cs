using Sensors.Operations;

// sensors-console [--config console.json]: the services' operations console over the central InfluxDB.
var (app, errors) = ConsoleApp.Build(args);
if (app is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"Configuration error: {error}");
    }

    return 78; // EX_CONFIG, as the gateway and the portal
}

try
{
    await app.StartAsync();
}
catch (IOException error)
{
    Console.Error.WriteLine($"Console: cannot listen: {error.Message} Stop what uses that port, or choose another (Console:Port, Console:Address).");
    return 1;
}

Console.WriteLine($"Console: ready at {ConsoleApp.Address(app)}");
await app.WaitForShutdownAsync();
return 0;
