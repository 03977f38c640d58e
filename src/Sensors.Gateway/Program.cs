using Sensors.Gateway.Sources.Hardware;
using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sensors.Gateway;
using Sensors.Gateway.Configuration;

// sensors: the gateway's one executable. Subcommands:
//   sensors run --config /etc/sensors/gateway.json       run the gateway (what systemd starts)
//   sensors journal stats|dead-letters|unreadable|export|replay-dead-letters --config …
//   sensors config check --config /etc/sensors/gateway.json
//   sensors doctor | read | calibrate --config …            for installers, with the gateway stopped
//   sensors simulate-field --config …                       the field devices of the registry, for a demo
//   sensors pseudonymise --key-file KEY [--column chip] < chips.csv   chip → pseudonym, for the waste service's billing
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
var unreadable = new Command("unreadable", "List the messages that could not become readings (a codec error, an unknown device), with the reason.") { config };
unreadable.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.Unreadable(s, Console.Out)));
var replay = new Command("replay-dead-letters", "Put the dead letters back into the journal, after fixing their cause (the gateway must be stopped).") { config };
replay.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.ReplayAsync(s, Console.Out, Console.Error).GetAwaiter().GetResult()));
var export = new Command("export", "Write every waiting reading to a file as line protocol, to carry data out by hand.") { config, output };
export.SetAction(parse => WithSettings(parse.GetValue(config), s => JournalCommands.Export(s, parse.GetValue(output)!.FullName, Console.Out)));
var journal = new Command("journal", "Look after the journal, the readings kept on disk until InfluxDB has them.") { stats, deadLetters, unreadable, replay, export };

var check = new Command("check", "Check the settings, the site file and the secret files; explain each problem, or say what the gateway will do.") { config };
check.SetAction(parse =>
{
    var path = parse.GetValue(config)?.FullName;
    return ConfigCommands.Check(GatewaySettings.Load(path), path, Console.Out, Console.Error);
});
var configCommand = new Command("config", "The gateway's configuration (/etc/sensors).") { check };

var count = new Option<int>("--count", "-n") { Description = "How many tables to print (0: until Ctrl-C).", DefaultValueFactory = _ => 0 };
var read = new Command("read", "Show the site file's sensors' live readings as a table (stop the gateway first).") { config, count };
read.SetAction(async (parse, cancellationToken) => await WithSettingsAsync(parse.GetValue(config), s => HardwareCommands.ReadAsync(s, Buses(s), TimeProvider.System, Console.Out, parse.GetValue(count), cancellationToken)));
var doctor = new Command("doctor", "Check everything an installer can: sensors on their buses against the site file, broker, InfluxDB, clock, disk (stop the gateway first).") { config };
doctor.SetAction(async (parse, cancellationToken) => await WithSettingsAsync(parse.GetValue(config), async s =>
{
    using var http = new HttpClient();
    var findings = await new Doctor(s, Buses(s), ClockSyncFor(s), TimeProvider.System, http).ExamineAsync(cancellationToken);
    Console.Out.Write(Doctor.Report(findings));
    return findings.Any(f => f.Verdict == Verdict.Problem) ? 1 : 0;
}));
var sensorId = new Option<string>("--sensor", "-s") { Description = "The sensor's id in the site file.", Required = true };
var reference = new Option<int?>("--reference") { Description = "Forced recalibration: the CO2 of the air around the sensor now, in ppm (e.g. 420 outdoors)." };
var asc = new Option<string?>("--asc") { Description = "Automatic self-calibration: on or off." };
var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
var calibrate = new Command("calibrate", "Recalibrate a sensor against a reference, or switch its automatic self-calibration (stop the gateway first).") { config, sensorId, reference, asc, yes };
calibrate.SetAction(async (parse, cancellationToken) => await WithSettingsAsync(parse.GetValue(config), s =>
{
    var ascValue = parse.GetValue(asc);
    bool? automatic = ascValue is null ? null : ascValue.Equals("on", StringComparison.OrdinalIgnoreCase);
    return HardwareCommands.CalibrateAsync(s, Buses(s), TimeProvider.System, parse.GetValue(sensorId)!, parse.GetValue(reference), automatic, parse.GetValue(yes), Console.In, Console.Out, cancellationToken);
}));

var simulateField = new Command("simulate-field", "Play the registry's LoRaWAN devices and two trucks on the broker, as a network server and onboard units would (demo, rehearsal).") { config };
simulateField.SetAction(async (parse, cancellationToken) => await WithSettingsAsync(parse.GetValue(config), s => SimulateCommand.RunAsync(s, Console.Out, TimeProvider.System, cancellationToken)));

var keyFile = new Option<FileInfo>("--key-file", "-k") { Description = "The pickup key (the gateways' Pickups:KeyFile).", Required = true };
var keyVersion = new Option<string>("--key-version") { Description = "Which key it is (the gateways' Pickups:KeyVersion), written beside each pseudonym.", DefaultValueFactory = _ => Sensors.LoRaWan.Pickups.ChipPseudonymiser.DefaultVersion };
var column = new Option<string?>("--column") { Description = "The input is CSV with a header line: the chip ids' column, by name or number from 1. Without it: one chip id a line." };
var pseudonymise = new Command("pseudonymise", "Read chip ids (stdin) and write chip_id,bin_id,key_version as CSV (stdout): the billing software joins its households to the console's export with it, on the waste service's machine.") { keyFile, keyVersion, column };
pseudonymise.SetAction(parse => PseudonymiseCommand.Run(parse.GetValue(keyFile)!.FullName, parse.GetValue(keyVersion)!, parse.GetValue(column), Console.In, Console.Out, Console.Error));

var root = new RootCommand("Sensors: a city's edge gateway for classroom CO2 sensors, bins and lamp posts.") { run, journal, configCommand, doctor, read, calibrate, simulateField, pseudonymise };
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static GatewaySettings Load(FileInfo? configFile)
{
    var settings = GatewaySettings.Load(configFile?.FullName);
    foreach (var warning in settings.Warnings)
    {
        Console.Error.WriteLine($"Configuration warning: {warning}");
    }

    return settings;
}

static int WithSettings(FileInfo? configFile, Func<GatewaySettings, int> command)
{
    var settings = Load(configFile);
    return settings.IsValid ? command(settings) : Refuse(settings);
}

static async Task<int> WithSettingsAsync(FileInfo? configFile, Func<GatewaySettings, Task<int>> command)
{
    var settings = Load(configFile);
    return settings.IsValid ? await command(settings) : Refuse(settings);
}

static Sensors.Hardware.Bus.IBusProvider Buses(GatewaySettings settings) =>
    settings.Site is { } site ? Sensors.Gateway.Sources.Hardware.HardwareSource.BusesFor(site, settings.Hardware, TimeProvider.System) : new Sensors.Hardware.Linux.LinuxBuses();

static Sensors.Pipeline.Clock.IClockSync ClockSyncFor(GatewaySettings settings) =>
    settings.Clock.Source == Sensors.Pipeline.Clock.ClockSyncSource.Kernel
        ? new Sensors.Pipeline.Clock.KernelClockSync(TimeProvider.System, settings.Clock.NotBefore)
        : new Sensors.Pipeline.Clock.AssumedClockSync();

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
    var settings = Load(configFile);
    if (!settings.IsValid)
    {
        return Refuse(settings);
    }

    using var host = GatewayHost.CreateBuilder(settings).Build();
    try
    {
        await host.RunAsync(cancellationToken);
    }
    catch (Exception error) when (OptionsChecks.Failures(error) is { Count: > 0 } failures)
    {
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"Configuration error: {failure}");
        }

        Console.Error.WriteLine($"The gateway did not start: {failures.Count} configuration error(s). Fix them and start it again.");
        return ExitCodes.Configuration;
    }
    catch (Sensors.Journal.JournalUnavailableException error)
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

    /// <summary>EX_USAGE: the command line asks for something that is not there (a CSV column).</summary>
    public const int Usage = 64;
}
