using Sensors.Gateway.Sources.Self;
using Sensors.Hardware.Devices.Scd4x;
using Sensors.Gateway.Sources.Hardware;
using Sensors.Sites;
using System.Globalization;
using Sensors.Gateway.Configuration;
using Sensors.Gateway.Sources;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;

namespace Sensors.Gateway;

/// <summary>
/// `sensors read` (live readings as a table) and `sensors calibrate` (forced recalibration or
/// automatic self-calibration on/off, after a confirmation), for installers. Both talk to the
/// sensors directly: stop the gateway first (sudo systemctl stop sensors).
/// </summary>
public static class HardwareCommands
{
    public static async Task<int> ReadAsync(GatewaySettings settings, IBusProvider buses, TimeProvider time, TextWriter output, int rounds, CancellationToken cancellationToken)
    {
        var wired = Wired(settings).ToList();
        if (wired.Count == 0)
        {
            output.WriteLine("No sensor with a bus in the site file: nothing to read.");
            return 1;
        }

        var sensors = new List<(string Room, SensorSpec Spec, ISensor? Sensor, string Status)>();
        foreach (var (room, spec) in wired)
        {
            try
            {
                var sensor = SensorModels.Open(HardwareSource.Location(spec, settings.Site!), buses, time);
                var identity = await sensor.StartAsync(cancellationToken).ConfigureAwait(false);
                sensors.Add((room.Id, spec, sensor, identity));
            }
            catch (HardwareException error)
            {
                sensors.Add((room.Id, spec, null, error.Message));
            }
        }

        try
        {
            for (var round = 0; rounds <= 0 || round < rounds; round++)
            {
                var rows = new List<string[]>();
                foreach (var (room, spec, sensor, status) in sensors)
                {
                    var cells = new[] { room, spec.Id, SensorModels.Normalise(spec.Model), sensor?.Describe ?? spec.Bus, "", "", "", "", status };
                    if (sensor is not null)
                    {
                        try
                        {
                            var sample = await WaitForSampleAsync(sensor, time, cancellationToken).ConfigureAwait(false);
                            cells[4] = sample is null ? "—" : sample.Co2Ppm is { } ppm ? ppm.ToString("0", CultureInfo.InvariantCulture) : "";
                            cells[5] = sample?.TemperatureC is { } t ? t.ToString("0.0", CultureInfo.InvariantCulture) : "";
                            cells[6] = sample?.HumidityPct is { } h ? h.ToString("0", CultureInfo.InvariantCulture) : "";
                            cells[7] = sample?.PressureHpa is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "";
                            cells[8] = sample is null ? "no new measurement yet" : "ok";
                        }
                        catch (HardwareException error)
                        {
                            cells[8] = error.Message;
                        }
                    }

                    rows.Add(cells);
                }

                output.WriteLine($"{time.GetUtcNow():HH:mm:ss} UTC");
                Table(output, ["room", "sensor", "model", "where", "CO2 ppm", "°C", "RH %", "hPa", "status"], rows);
                output.WriteLine();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (_, _, sensor, _) in sensors)
            {
                sensor?.Dispose();
            }
        }

        return 0;
    }

    public static async Task<int> CalibrateAsync(GatewaySettings settings, IBusProvider buses, TimeProvider time, string sensorId, int? referencePpm, bool? automatic, bool confirmed, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var target = Wired(settings).FirstOrDefault(w => w.Sensor.Id == sensorId);
        if (target.Sensor is null)
        {
            output.WriteLine($"No sensor '{sensorId}' with a bus in the site file. Known: {string.Join(", ", Wired(settings).Select(w => w.Sensor.Id))}.");
            return 2;
        }

        if (referencePpm is null == automatic is null)
        {
            output.WriteLine("Say what to do: --reference PPM (forced recalibration, e.g. 420 outdoors) or --asc on|off (automatic self-calibration).");
            return 2;
        }

        var model = SensorModels.Normalise(target.Sensor.Model);
        if (!SensorModels.MeasuresCo2(model))
        {
            output.WriteLine($"{sensorId} is a {model}, a temperature and humidity sensor: it has no CO2 to calibrate. Name one of the CO2 sensors: {string.Join(", ", Wired(settings).Where(w => SensorModels.MeasuresCo2(w.Sensor.Model)).Select(w => w.Sensor.Id))}.");
            return 2;
        }

        var what = referencePpm is { } ppm
            ? $"recalibrate {target.Sensor.Id} ({model}, room {target.Room.Id}) to {ppm} ppm. It must have been in air at {ppm} ppm (outdoors, or a window wide open with nobody in the room) for at least 3 minutes; a wrong reference shifts every reading after it"
            : $"turn automatic self-calibration {(automatic == true ? "on" : "off")} on {target.Sensor.Id} ({model}, room {target.Room.Id})";
        if (!confirmed)
        {
            output.Write($"About to {what}. Go on? [y/N] ");
            if (input.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes" or "o" or "oui"))
            {
                output.WriteLine("Nothing done.");
                return 1;
            }
        }

        try
        {
            // Not started first: a restart just before a forced recalibration would void the
            // minutes the sensor spent measuring the reference air.
            using var sensor = (ICo2Sensor)SensorModels.Open(HardwareSource.Location(target.Sensor, settings.Site!), buses, time);
            if (referencePpm is { } reference)
            {
                if (sensor is Scd4x scd4x)
                {
                    var correction = await scd4x.PerformForcedRecalibrationAsync(reference, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"Done: {target.Sensor.Id} recalibrated to {reference} ppm (correction {correction:+0;-0} ppm).");
                    Record(() => CalibrationLog.AppendForced(settings.Journal.Directory, target.Sensor.Id, reference, time.GetUtcNow()));
                }
                else
                {
                    await sensor.CalibrateAsync(reference, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"Done: {target.Sensor.Id} recalibrated to {reference} ppm.");
                    Record(() => CalibrationLog.AppendForced(settings.Journal.Directory, target.Sensor.Id, reference, time.GetUtcNow()));
                }
            }
            else
            {
                await sensor.SetAutomaticCalibrationAsync(automatic!.Value, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"Done: automatic self-calibration {(automatic.Value ? "on" : "off")} on {target.Sensor.Id}.");
                Record(() => CalibrationLog.AppendSelfCalibration(settings.Journal.Directory, target.Sensor.Id, automatic.Value, time.GetUtcNow()));
            }

            return 0;
        }
        catch (Exception error) when (error is HardwareException or ArgumentOutOfRangeException)
        {
            output.WriteLine($"Not done: {error.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
            return 1;
        }
    }

    /// <summary>The calibration is done whatever happens to its record; a record that cannot be written is said, with where.</summary>
    private static void Record(Action append)
    {
        try
        {
            append();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"The calibration is done, but not recorded for the console ({error.Message}): run sensors calibrate as the sensors user (sudo -u sensors), which can write to the journal's folder.");
        }
    }

    private static IEnumerable<(RoomSpec Room, SensorSpec Sensor)> Wired(GatewaySettings settings) =>
        settings.Site?.WiredSensors() ?? [];

    private static async Task<SensorSample?> WaitForSampleAsync(ISensor sensor, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + sensor.MeasurementInterval + TimeSpan.FromSeconds(2);
        while (true)
        {
            if (await sensor.ReadAsync(cancellationToken).ConfigureAwait(false) is { } sample)
            {
                return sample;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Table(TextWriter output, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Min(60, Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => (c.Length > 60 ? c[..57] + "..." : c).PadRight(widths[i]))).TrimEnd());
        }
    }
}
