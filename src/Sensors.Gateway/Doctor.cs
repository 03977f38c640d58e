using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Devices.Scd30;
using System.Net.Sockets;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Devices.Tca9548a;
using Sensors.Gateway.Sources.Hardware;

namespace Sensors.Gateway;

/// <summary>One line of the doctor's report.</summary>
public sealed record Finding(Verdict Verdict, string Topic, string Text);

public enum Verdict
{
    Ok,
    Warning,
    Problem,
}

/// <summary>
/// `sensors doctor`, for the installer standing in front of the Pi: scans the I2C buses for the
/// Sensirion sensors (SCD4x at 0x62, SCD30 at 0x61) and reads their serial number, asks each
/// serial port of the site file for its sensor, compares what answers with the site file, then
/// checks the broker, InfluxDB, the clock and the free disk. Every line says what was found and,
/// when something is wrong, what to do. Run it with the gateway stopped (it talks to the sensors).
/// </summary>
public sealed class Doctor(GatewaySettings settings, IBusProvider buses, IClockSync clock, TimeProvider time, HttpClient http)
{
    // What answers where, by slot ("i2c-1 0x62", "i2c-1 0x62 (TCA9548A 0x70 channel 2)", "/dev/ttyUSB0").
    private readonly Dictionary<string, (string Model, string Identity)> _found = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<Finding>> ExamineAsync(CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        if (Sensors.Journal.Journal.IsHeldElsewhere(settings.Journal.Directory))
        {
            findings.Add(new Finding(Verdict.Warning, "gateway", $"running (it holds the journal in {settings.Journal.Directory}): it reads the same sensors, so one may look busy or absent here. For a clean check: sudo systemctl stop sensors, run the doctor, then start it again."));
        }

        await ExamineSensorsAsync(findings, cancellationToken).ConfigureAwait(false);
        await ExamineIndicatorsAsync(findings, cancellationToken).ConfigureAwait(false);
        await ExamineBrokerAsync(findings, cancellationToken).ConfigureAwait(false);
        await ExamineInfluxAsync(findings, cancellationToken).ConfigureAwait(false);
        findings.Add(clock.IsSynchronised
            ? new Finding(Verdict.Ok, "clock", $"synchronised ({time.GetUtcNow():yyyy-MM-dd HH:mm} UTC)")
            : new Finding(Verdict.Problem, "clock", "not synchronised: readings will wait until it is. Check `timedatectl` (NTP service active, a network that reaches a time server)."));
        ExamineDisk(findings);
        return findings;
    }

    public static string Report(IReadOnlyList<Finding> findings)
    {
        // One column for the texts, as wide as the longest topic (a long sensor id and its room).
        var width = findings.Count == 0 ? 0 : findings.Max(f => f.Topic.Length);
        var text = new System.Text.StringBuilder();
        foreach (var finding in findings)
        {
            text.Append(finding.Verdict switch { Verdict.Ok => "✓ ", Verdict.Warning => "⚠ ", _ => "✗ " })
                .Append(finding.Topic.PadRight(width)).Append(' ').Append(finding.Text).Append('\n');
        }

        var problems = findings.Count(f => f.Verdict == Verdict.Problem);
        var warnings = findings.Count(f => f.Verdict == Verdict.Warning);
        text.Append(problems == 0 && warnings == 0
            ? "All good: the gateway can run (sudo systemctl start sensors).\n"
            : $"{problems} problem(s), {warnings} warning(s): fix the ✗ lines, then run `sensors doctor` again.\n");
        return text.ToString();
    }

    private async Task ExamineSensorsAsync(List<Finding> findings, CancellationToken cancellationToken)
    {
        var site = settings.Site;
        var expected = site?.WiredSensors().ToList() ?? [];
        _found.Clear();
        var garbled = new HashSet<string>(StringComparer.Ordinal); // slots where something answered, but never a whole answer

        // I2C: each bus, both Sensirion addresses.
        var i2cBuses = buses.I2cBuses();
        if (i2cBuses.Count == 0 && expected.Any(e => SensorModels.IsI2c(e.Sensor.Model)))
        {
            findings.Add(new Finding(Verdict.Problem, "I2C", "no I2C bus on this machine: enable I2C (sudo raspi-config → Interface Options → I2C), reboot, run the doctor again."));
        }

        // The TCA9548A multiplexers the site file names: each answers, with every channel off, so
        // that the scan of the bus itself sees only what is wired to it; then each channel's scan.
        var muxes = expected.Select(e => HardwareSource.BusOf(e.Sensor)).Select(path => MuxPaths.TryParse(path, out var bus, out var mux, out _) ? (Bus: bus, Mux: mux) : default)
            .Where(m => m.Bus is not null).Distinct().ToList();
        var silentMuxes = new HashSet<(string, int)>();
        foreach (var (bus, mux) in muxes)
        {
            try
            {
                using var control = buses.OpenI2c(bus, mux);
                control.Write([0]);
                var mask = new byte[1];
                control.Read(mask);
                findings.Add(new Finding(mask[0] == 0 ? Verdict.Ok : Verdict.Warning, "TCA9548A", mask[0] == 0
                    ? $"multiplexer at {Short(bus)} 0x{mux:x2} answers; channels 0–7 scanned below"
                    : $"multiplexer at {Short(bus)} 0x{mux:x2} answers, but did not turn its channels off (control register 0x{mask[0]:x2}): its RESET line may be floating, or another device answers at 0x{mux:x2}."));
            }
            catch (HardwareException error)
            {
                silentMuxes.Add((bus, mux));
                findings.Add(new Finding(Verdict.Problem, "TCA9548A", $"the site file puts sensors behind a multiplexer at {Short(bus)} 0x{mux:x2}, but it does not answer ({error.Message}). Check its VCC, GND, SDA, SCL, RESET (held high) and A0–A2 (0x70 with all three low)."));
            }
        }

        foreach (var bus in i2cBuses)
        {
            foreach (var (address, model) in new[] { (Scd4x.DefaultAddress, "SCD4x"), (Scd30.DefaultAddress, "SCD30") })
            {
                if (await ProbeI2cAsync(bus, address, model, garbled, cancellationToken).ConfigureAwait(false) is { } identity)
                {
                    _found[Slot(bus, address)] = (model, identity);
                }
            }
        }

        // Temperature, humidity and pressure sensors: only where the site file puts one (0x44 and
        // 0x76 are common addresses of other chips), started through their binding.
        foreach (var (_, sensor) in expected.Where(e => SensorModels.IsKnown(e.Sensor.Model) && !SensorModels.MeasuresCo2(e.Sensor.Model)))
        {
            var model = SensorModels.Normalise(sensor.Model);
            var slot = Slot(HardwareSource.BusOf(sensor), SensorModels.ParseAddress(sensor.Address) ?? SensorModels.DefaultAddress(model));
            try
            {
                using var climate = SensorModels.Open(HardwareSource.Location(sensor, site!), buses, time);
                _found[slot] = (model, await climate.StartAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (HardwareException error) when (Heard(error))
            {
                garbled.Add(slot);
            }
            catch (HardwareException)
            {
            }
        }

        foreach (var (bus, mux) in muxes.Where(m => !silentMuxes.Contains(m)))
        {
            for (var channel = 0; channel < Tca9548a.Channels; channel++)
            {
                var path = MuxPaths.Of(bus, mux, channel);
                foreach (var (address, model) in new[] { (Scd4x.DefaultAddress, "SCD4x"), (Scd30.DefaultAddress, "SCD30") })
                {
                    if (await ProbeI2cAsync(path, address, model, garbled, cancellationToken).ConfigureAwait(false) is { } identity)
                    {
                        _found[Slot(path, address)] = (model, identity);
                    }
                }
            }

            using var control = buses.OpenI2c(bus, mux);
            control.Write([0]); // every channel off again, as the gateway expects to find it
            MuxPaths.Mux(buses, bus, mux).Forget();
        }

        // Serial: only the ports the site file names (probing other ports could upset other devices).
        foreach (var (_, sensor) in expected.Where(e => !SensorModels.IsI2c(e.Sensor.Model)))
        {
            if (await ProbeSerialAsync(sensor.Bus, SensorModels.Normalise(sensor.Model), garbled, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                _found[sensor.Bus] = answer;
            }
        }

        foreach (var (room, sensor) in expected)
        {
            var model = SensorModels.Normalise(sensor.Model);
            var slot = SensorModels.IsI2c(model)
                ? Slot(HardwareSource.BusOf(sensor), SensorModels.ParseAddress(sensor.Address) ?? SensorModels.DefaultAddress(model))
                : sensor.Bus;
            var topic = $"{sensor.Id} ({room.Id})";
            if (!_found.ContainsKey(slot) && garbled.Contains(slot))
            {
                findings.Add(new Finding(Verdict.Problem, topic, SensorModels.IsI2c(model)
                    ? $"something answers at {slot}, but every answer fails its checksum: the line is noisy or a contact is loose. Check SDA, SCL and GND (shared with the Pi), keep the wires short (under a metre without a bus buffer), and the pull-ups."
                    : $"something answers on {slot}, but every answer fails its checksum or its framing: the line is noisy or mis-wired. Check GND (shared with the Pi), the 5 V supply under load, TX to RX and the cable's length."));
            }
            else if (!_found.ContainsKey(slot) && OnAnotherChannel(sensor, model) is { } elsewhere)
            {
                _found.Remove(elsewhere.Slot);
                findings.Add(new Finding(Verdict.Problem, topic, $"the site file puts a {model} at {slot}, but it answers on channel {elsewhere.Channel} of that multiplexer ({elsewhere.Identity}). Move its wires to SD{MuxChannel(sensor)}/SC{MuxChannel(sensor)}, or write channel: {elsewhere.Channel} in the site file."));
            }
            else if (!_found.Remove(slot, out var there))
            {
                findings.Add(new Finding(Verdict.Problem, topic, SensorModels.IsI2c(model)
                    ? $"the site file puts a {model} at {slot}, but nothing answers there. Check its wiring (SDA, SCL, 3.3 V, GND), the bus and the address; `i2cdetect -y {sensor.Bus.Split('-').Last()}` lists what answers."
                    : $"the site file puts a {model} on {slot}, but nothing answers there. Check the port (ls /dev/tty*), 5 V power, TX to the Pi's RX and RX to TX."));
            }
            else if (!SensorModels.Family(there.Model).Equals(SensorModels.Family(model), StringComparison.Ordinal))
            {
                findings.Add(new Finding(Verdict.Problem, topic, $"the site file says {model} at {slot}, but a {there.Model} answers there ({there.Identity}). Correct the model in the site file, or the wiring."));
            }
            else
            {
                findings.Add(new Finding(Verdict.Ok, topic, $"{model} at {slot} answers ({there.Identity})"));
            }
        }

        foreach (var (slot, (model, identity)) in _found.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            findings.Add(new Finding(Verdict.Warning, slot, $"a {model} answers here ({identity}) but the site file has no sensor here: add it to {settings.SitePath ?? "the site file"} (room, id, model, bus) or it will not be read."));
        }

        if (site is null)
        {
            findings.Add(new Finding(Verdict.Warning, "site file", "Site:File is empty: no sensor is expected; name the site file in the settings."));
        }
    }

    /// <summary>
    /// Each classroom indicator of the site file is opened and blinks (LEDs: green, orange, red and a
    /// chirp of the buzzer; an LCD: a test screen and its backlight), so that the installer in the
    /// room sees it; a device that cannot be had says what to check. Left dark afterwards.
    /// </summary>
    private async Task ExamineIndicatorsAsync(List<Finding> findings, CancellationToken cancellationToken)
    {
        var rooms = settings.Site?.Rooms.Where(r => r.Indicator is not null).ToList() ?? [];
        if (rooms.Count == 0)
        {
            return;
        }

        using var devices = Sensors.Gateway.Indicators.IndicatorDevices.For(buses, settings.Hardware.Emulate);
        foreach (var room in rooms)
        {
            var topic = $"indicator ({room.Id})";
            try
            {
                using var indicator = devices.Open(room.Indicator!);
                await indicator.BlinkAsync(time, cancellationToken).ConfigureAwait(false);
                var seen = indicator switch
                {
                    Sensors.Hardware.Devices.TrafficLight.GpioTrafficLight => "lit green, orange, then red" + (room.Indicator!.Buzzer is null ? string.Empty : ", and the buzzer chirped"),
                    Sensors.Hardware.Devices.Ws2812.Ws2812Strip => "turned green, orange, then red",
                    _ => "showed \"Test indicateur\" and blinked its backlight twice",
                };
                findings.Add(new Finding(Verdict.Ok, topic, $"{indicator.Describe}: {seen}. If nothing showed in the room, check its wiring and power."));
            }
            catch (HardwareException error)
            {
                findings.Add(new Finding(Verdict.Problem, topic, $"{error.Message}{(room.Indicator!.Is(Sensors.Sites.IndicatorKind.Lcd) ? " An LCD backpack answers at 0x27 (PCF8574) or 0x3f (PCF8574A): `i2cdetect -y 1` shows which." : string.Empty)}"));
            }
        }
    }

    /// <summary>"i2c-1 0x62", or behind a multiplexer "i2c-1 0x62 (TCA9548A 0x70 channel 2)".</summary>
    private static string Slot(string path, int address) =>
        MuxPaths.TryParse(path, out var bus, out var mux, out var channel)
            ? $"{Short(bus)} 0x{address:x2} (TCA9548A 0x{mux:x2} channel {channel})"
            : $"{Short(path)} 0x{address:x2}";

    private static string Short(string bus) => bus.Replace("/dev/", string.Empty, StringComparison.Ordinal);

    private static int? MuxChannel(Sensors.Sites.SensorSpec sensor) => MuxPaths.TryParse(HardwareSource.BusOf(sensor), out _, out _, out var channel) ? channel : null;

    private (string Slot, int Channel, string Identity)? OnAnotherChannel(Sensors.Sites.SensorSpec sensor, string model)
    {
        if (!MuxPaths.TryParse(HardwareSource.BusOf(sensor), out var bus, out var mux, out var channel))
        {
            return null;
        }

        var address = SensorModels.ParseAddress(sensor.Address) ?? SensorModels.DefaultAddress(model);
        var expectedSlots = settings.Site!.WiredSensors().Select(e => Slot(HardwareSource.BusOf(e.Sensor), SensorModels.ParseAddress(e.Sensor.Address) ?? SensorModels.DefaultAddress(e.Sensor.Model))).ToHashSet(StringComparer.Ordinal);
        for (var other = 0; other < Tca9548a.Channels; other++)
        {
            var slot = Slot(MuxPaths.Of(bus, mux, other), address);
            if (other != channel && !expectedSlots.Contains(slot) && _found.TryGetValue(slot, out var there) && SensorModels.Family(there.Model) == SensorModels.Family(model))
            {
                return (slot, other, there.Identity);
            }
        }

        return null;
    }

    /// <summary>An answer that was heard but could not be read (a checksum or the framing): something is there.</summary>
    private static bool Heard(HardwareException error) => error.Fault is HardwareFault.Checksum or HardwareFault.Protocol;

    private async Task<string?> ProbeI2cAsync(string bus, int address, string model, HashSet<string> garbled, CancellationToken cancellationToken)
    {
        try
        {
            using var device = MuxPaths.Open(buses, bus, address);
            if (model == "SCD4x")
            {
                var sensor = new Scd4x(device, time);
                await sensor.StopAsync(cancellationToken).ConfigureAwait(false);
                return $"serial {await sensor.GetSerialNumberAsync(cancellationToken).ConfigureAwait(false)}";
            }

            return $"firmware {await new Scd30(device, time).GetFirmwareVersionAsync(cancellationToken).ConfigureAwait(false)}";
        }
        catch (HardwareException error)
        {
            if (Heard(error))
            {
                garbled.Add(Slot(bus, address));
            }

            return null;
        }
    }

    /// <summary>Asks the expected model first, then the other serial model: a wrong model in the site file shows.</summary>
    private async Task<(string Model, string Identity)?> ProbeSerialAsync(string port, string expected, HashSet<string> garbled, CancellationToken cancellationToken)
    {
        foreach (var model in expected == "S8" ? new[] { "S8", "MH-Z19B" } : ["MH-Z19B", "S8"])
        {
            try
            {
                using var sensor = SensorModels.Open(new SensorLocation(model, port, null), buses, time);
                return (model, await sensor.StartAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (HardwareException error) when (Heard(error))
            {
                garbled.Add(port);
            }
            catch (HardwareException)
            {
            }
        }

        return null;
    }

    private async Task ExamineBrokerAsync(List<Finding> findings, CancellationToken cancellationToken)
    {
        var mqtt = settings.Mqtt;
        if (!mqtt.IsConfigured)
        {
            findings.Add(new Finding(Verdict.Ok, "MQTT broker", "not used (no Mqtt:Subscriptions)"));
            return;
        }

        try
        {
            using var tcp = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await tcp.ConnectAsync(mqtt.Host, mqtt.Port, timeout.Token).ConfigureAwait(false);
            findings.Add(new Finding(Verdict.Ok, "MQTT broker", $"{mqtt.Host}:{mqtt.Port} accepts connections"));
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            findings.Add(new Finding(Verdict.Problem, "MQTT broker", $"{mqtt.Host}:{mqtt.Port} does not answer ({(error is OperationCanceledException ? "timeout" : error.Message)}). Is Mosquitto running (systemctl status mosquitto)? Check Mqtt:Host and Mqtt:Port."));
        }
    }

    private async Task ExamineInfluxAsync(List<Finding> findings, CancellationToken cancellationToken)
    {
        if (settings.Influx.Url is not { } url)
        {
            findings.Add(new Finding(Verdict.Warning, "InfluxDB", "not configured (Influx:Url): readings stay in the journal until it is set."));
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var answer = await http.GetAsync(new Uri(url, "ping"), timeout.Token).ConfigureAwait(false);
            var version = answer.Headers.TryGetValues("X-Influxdb-Version", out var values) ? values.FirstOrDefault() : null;
            findings.Add(answer.IsSuccessStatusCode
                ? new Finding(Verdict.Ok, "InfluxDB", $"{url} answers{(version is null ? string.Empty : $" (version {version})")}")
                : new Finding(Verdict.Problem, "InfluxDB", $"{url} answered {(int)answer.StatusCode} to /ping: is this InfluxDB? Check Influx:Url."));
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
        {
            findings.Add(new Finding(Verdict.Warning, "InfluxDB", $"{url} unreachable ({(error is OperationCanceledException ? "timeout" : error.Message)}). Readings will wait in the journal; check the network and Influx:Url."));
        }
    }

    private void ExamineDisk(List<Finding> findings)
    {
        var directory = settings.Journal.Directory;
        var existing = directory;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var free = new DriveInfo(existing).AvailableFreeSpace;
        var cap = settings.Journal.MaxBytes;
        findings.Add(free >= cap
            ? new Finding(Verdict.Ok, "disk", $"{free / 1024 / 1024} MiB free for the journal in {directory} (cap {cap / 1024 / 1024} MiB)")
            : new Finding(free >= cap / 4 ? Verdict.Warning : Verdict.Problem, "disk", $"only {free / 1024 / 1024} MiB free in {directory}, less than Journal:MaxBytes ({cap / 1024 / 1024} MiB): free some space or lower the cap, or a long outage will fill the disk."));
    }
}
