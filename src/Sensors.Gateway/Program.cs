using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sensors.Gateway;
using Sensors.Gateway.Configuration;

// sensors: the gateway's one executable. Subcommands:
//   sensors run --config /etc/sensors/gateway.json   run the gateway (what systemd starts)
var config = new Option<FileInfo?>("--config", "-c")
{
    Description = "The gateway's settings (JSON). Environment variables SENSORS_Section__Key override it.",
};

var run = new Command("run", "Run the gateway: take readings from the sources and forward them to InfluxDB.") { config };
run.SetAction(async (parse, cancellationToken) => await RunAsync(parse.GetValue(config), cancellationToken));

var root = new RootCommand("Sensors: a city's edge gateway for classroom CO2 sensors, bins and lamp posts.") { run };
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(FileInfo? configFile, CancellationToken cancellationToken)
{
    var settings = GatewaySettings.Load(configFile?.FullName);
    if (!settings.IsValid)
    {
        foreach (var error in settings.Errors)
        {
            Console.Error.WriteLine($"Configuration error: {error}");
        }

        Console.Error.WriteLine($"The gateway did not start: {settings.Errors.Count} configuration error(s). Fix them and start it again.");
        return ExitCodes.Configuration;
    }

    using var host = GatewayHost.CreateBuilder(settings).Build();
    try
    {
        await host.RunAsync(cancellationToken);
    }
    catch (IOException error) when (error.Message.Contains("journal", StringComparison.OrdinalIgnoreCase))
    {
        Console.Error.WriteLine($"The gateway did not start: {error.Message}");
        return ExitCodes.IoError;
    }

    return 0;
}

internal static class ExitCodes
{
    /// <summary>EX_CONFIG from sysexits.h: systemd units can stop restarting on it.</summary>
    public const int Configuration = 78;

    /// <summary>EX_IOERR: the journal's folder cannot be used.</summary>
    public const int IoError = 74;
}
