using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sensors.Gateway;
using Sensors.Gateway.Configuration;

// sensors: the gateway's one executable. Subcommands:
//   sensors run --config /etc/sensors/gateway.json       run the gateway (what systemd starts)
//   sensors journal stats|dead-letters|export|replay-dead-letters --config …
//   sensors config check --config /etc/sensors/gateway.json
var config = new Option<FileInfo?>("--config", "-c")
{
    Description = "The gateway's settings (JSON). Environment variables SENSORS_Section__Key override it.",
};

var run = new Command("run", "Run the gateway: take readings from the sources and forward them to InfluxDB.") { config };
run.SetAction(async (parse, cancellationToken) => await RunAsync(parse.GetValue(config), cancellationToken));

var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write.", Required = true };
var stats = new Command("stats", "How many readings wait in the journal, how old the oldest is, how many dead letters.") { config };
stats.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.Stats(s, Console.Out, TimeProvider.System)));
var deadLetters = new Command("dead-letters", "List the points InfluxDB refused, with its reasons.") { config };
deadLetters.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.DeadLetters(s, Console.Out)));
var replay = new Command("replay-dead-letters", "Put the dead letters back into the journal, after fixing their cause (the gateway must be stopped).") { config };
replay.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.ReplayAsync(s, Console.Out, Console.Error).GetAwaiter().GetResult()));
var export = new Command("export", "Write every waiting reading to a file as line protocol, to carry data out by hand.") { config, output };
export.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.Export(s, parse.GetValue(output)!.FullName, Console.Out)));
var journal = new Command("journal", "Look after the journal, the readings kept on disk until InfluxDB has them.") { stats, deadLetters, replay, export };

var check = new Command("check", "Check the settings, the site file and the secret files; explain each problem, or say what the gateway will do.") { config };
check.SetAction(parse =>
{
    var path = parse.GetValue(config)?.FullName;
    return ConfigCommands.Check(GatewaySettings.Load(path), path, Console.Out, Console.Error);
});
var configCommand = new Command("config", "The gateway's configuration (/etc/sensors).") { check };

var root = new RootCommand("Sensors: a city's edge gateway for classroom CO2 sensors, bins and lamp posts.") { run, journal, configCommand };
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static int WithSettings(FileInfo? configFile, Func<GatewaySettings, int> command)
{
    var settings = GatewaySettings.Load(configFile?.FullName);
    return settings.IsValid ? command(settings) : Refuse(settings);
}

static int Refuse(GatewaySettings settings)
{
    foreach (var error in settings.Errors)
    {
        Console.Error.WriteLine($"Configuration error: {error}");
    }

    Console.Error.WriteLine($"The gateway did not start: {settings.Errors.Count} configuration error(s). Fix them and start it again.");
    return ExitCodes.Configuration;
}

static async Task<int> RunAsync(FileInfo? configFile, CancellationToken cancellationToken)
{
    var settings = GatewaySettings.Load(configFile?.FullName);
    if (!settings.IsValid)
    {
        return Refuse(settings);
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
