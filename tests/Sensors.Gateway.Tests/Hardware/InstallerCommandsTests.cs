using Sensors.Hardware.Devices.Scd4x;
using Sensors.Pipeline.Clock;
using Sensors.Gateway.Configuration;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Hardware;

/// <summary>`sensors doctor`, `read` and `calibrate` against emulated buses.</summary>
public sealed class InstallerCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new("installer");

    private GatewaySettings Settings(string siteYaml, string extra = "")
    {
        var site = _folder.File("site.yaml");
        File.WriteAllText(site, siteYaml);
        var path = _folder.File("gateway.json");
        File.WriteAllText(path, $$"""{ "Site": { "File": "{{site}}" }, "Journal": { "Directory": "{{_folder.File("journal")}}" } {{extra}} }""");
        var settings = GatewaySettings.Load(path);
        Assert.Empty(settings.Errors);
        return settings;
    }

    private const string School = """
        site: ecole-test
        name: École du Test
        rooms:
          - id: cp
            volume_m3: 160
            pupils: 22
            sensors: [{ id: scd41-cp, model: SCD41, bus: i2c-1 }]
          - id: ce1
            volume_m3: 170
            pupils: 24
            sensors: [{ id: scd30-ce1, model: SCD30, bus: i2c-1 }]
          - id: cm1
            volume_m3: 180
            pupils: 25
            sensors: [{ id: mhz-cm1, model: MH-Z19B, bus: /dev/ttyUSB0 }]
          - id: cm2
            volume_m3: 180
            pupils: 25
            sensors: [{ id: s8-cm2, model: S8, bus: /dev/ttyUSB1 }]
        """;

    private static (double, double, double) Air(DateTimeOffset _) => (640, 21, 45);

    [Fact]
    public async Task Doctor_ReportsWhatAgreesWithTheSiteFile_AndWhatDoesNot()
    {
        var settings = Settings(School);
        var time = TimeProvider.System;
        var buses = new EmulatedBuses()
            .Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, time)   // where the site file says
            .Emulate(new SensorLocation("SCD30", "i2c-3", null), Air, time)   // on another bus than the site file says
            .Emulate(new SensorLocation("S8", "/dev/ttyUSB0", null), Air, time); // an S8 where the site file says MH-Z19B
                                                                               // and nothing on /dev/ttyUSB1
        using var http = new HttpClient();
        var findings = await new Doctor(settings, buses, new AssumedClockSync(), time, http).ExamineAsync(CancellationToken.None);
        var report = Doctor.Report(findings);

        Assert.Contains("✓ scd41-cp (cp)", report, StringComparison.Ordinal);
        Assert.Contains("SCD41 at i2c-1 0x62 answers (serial", report, StringComparison.Ordinal);
        Assert.Contains("✗ scd30-ce1 (ce1)", report, StringComparison.Ordinal);
        Assert.Contains("the site file puts a SCD30 at i2c-1 0x61, but nothing answers there", report, StringComparison.Ordinal);
        Assert.Contains("⚠ i2c-3 0x61", report, StringComparison.Ordinal);
        Assert.Contains("a SCD30 answers here (firmware 3.66) but the site file has no sensor here", report, StringComparison.Ordinal);
        Assert.Contains("✗ mhz-cm1 (cm1)", report, StringComparison.Ordinal);
        Assert.Contains("the site file says MH-Z19B at /dev/ttyUSB0, but a S8 answers there (sensor id", report, StringComparison.Ordinal);
        Assert.Contains("✗ s8-cm2 (cm2)", report, StringComparison.Ordinal);
        Assert.Contains("TX to the Pi's RX", report, StringComparison.Ordinal);
        Assert.Contains("✓ clock", report, StringComparison.Ordinal);
        Assert.Contains("3 problem(s), 2 warning(s)", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_AlignsItsRows_WhateverTheLengthOfASensorsIdAndRoom()
    {
        var settings = Settings(School.Replace("scd41-cp", "scd41-ecole-jean-jaures-cp-bis", StringComparison.Ordinal).Replace("id: cm1", "id: cm1-cm2-double-niveau", StringComparison.Ordinal));
        var time = TimeProvider.System;
        var buses = new EmulatedBuses().Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, time);
        using var http = new HttpClient();
        var findings = await new Doctor(settings, buses, new AssumedClockSync(), time, http).ExamineAsync(CancellationToken.None);
        var rows = Doctor.Report(findings).Split('\n');

        Assert.StartsWith("✓ scd41-ecole-jean-jaures-cp-bis (cp) SCD41", rows.Single(r => r.Contains("jean-jaures", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith("✗ mhz-cm1 (cm1-cm2-double-niveau) ", rows.Single(r => r.Contains("mhz-cm1", StringComparison.Ordinal)), StringComparison.Ordinal);
        // Each finding's text starts in the same column, whatever the length of its topic.
        var columns = findings.Select((finding, i) => rows[i].IndexOf(finding.Text, StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(columns.Count == 1, "rows not aligned:\n" + string.Join('\n', rows));
    }

    private const string MuxSchool = """
        site: ecole-mux
        name: École du Multiplexeur
        rooms:
          - id: cp
            volume_m3: 170
            pupils: 24
            sensors: [{ id: scd41-cp, model: SCD41, bus: i2c-1, mux: "0x70", channel: 0 }]
          - id: ce1
            volume_m3: 170
            pupils: 24
            sensors: [{ id: scd41-ce1, model: SCD41, bus: i2c-1, mux: "0x70", channel: 1 }]
          - id: ce2
            volume_m3: 170
            pupils: 24
            sensors: [{ id: scd41-ce2, model: SCD41, bus: i2c-1, mux: "0x70", channel: 2 }]
        """;

    [Fact]
    public async Task Doctor_ScansEachChannelOfAMultiplexer_AndFindsASensorOnTheWrongChannel()
    {
        var settings = Settings(MuxSchool);
        var time = TimeProvider.System;
        var buses = new EmulatedBuses().AddBus("i2c-1")
            .Emulate(new SensorLocation("SCD41", "i2c-1/0x70:0", null), Air, time)
            .Emulate(new SensorLocation("SCD41", "i2c-1/0x70:1", null), Air, time)
            .Emulate(new SensorLocation("SCD41", "i2c-1/0x70:5", null), Air, time); // the CE2's wires went to SD5/SC5
        using var http = new HttpClient();
        var report = Doctor.Report(await new Doctor(settings, buses, new AssumedClockSync(), time, http).ExamineAsync(CancellationToken.None));

        Assert.Contains("✓ TCA9548A", report, StringComparison.Ordinal);
        Assert.Contains("multiplexer at i2c-1 0x70 answers; channels 0–7 scanned below", report, StringComparison.Ordinal);
        Assert.Contains("SCD41 at i2c-1 0x62 (TCA9548A 0x70 channel 0) answers (serial", report, StringComparison.Ordinal);
        Assert.Contains("SCD41 at i2c-1 0x62 (TCA9548A 0x70 channel 1) answers (serial", report, StringComparison.Ordinal);
        Assert.Contains("✗ scd41-ce2 (ce2)", report, StringComparison.Ordinal);
        Assert.Contains("the site file puts a SCD41 at i2c-1 0x62 (TCA9548A 0x70 channel 2), but it answers on channel 5 of that multiplexer", report, StringComparison.Ordinal);
        Assert.Contains("Move its wires to SD2/SC2, or write channel: 5 in the site file.", report, StringComparison.Ordinal);
        Assert.DoesNotContain("the site file has no sensor here", report, StringComparison.Ordinal);
        Assert.Equal(0, buses.Multiplexer("i2c-1").Mask); // every channel off again for the gateway
        Assert.Contains("1 problem(s), 1 warning(s)", report, StringComparison.Ordinal); // the warning: no InfluxDB in these settings
    }

    [Fact]
    public async Task Doctor_SaysWhenTheMultiplexerItselfDoesNotAnswer()
    {
        var settings = Settings(MuxSchool);
        using var http = new HttpClient();
        var report = Doctor.Report(await new Doctor(settings, new EmulatedBuses().AddBus("i2c-1"), new AssumedClockSync(), TimeProvider.System, http).ExamineAsync(CancellationToken.None));

        Assert.Contains("✗ TCA9548A", report, StringComparison.Ordinal);
        Assert.Contains("the site file puts sensors behind a multiplexer at i2c-1 0x70, but it does not answer", report, StringComparison.Ordinal);
        Assert.Contains("RESET (held high)", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mux: \"0x70\"", "mux '0x70', channel '': a sensor behind a TCA9548A needs both its address")]
    [InlineData("channel: 3", "mux '', channel '3': a sensor behind a TCA9548A needs both its address")]
    [InlineData("mux: \"0x70\", channel: 8", "channel: 0 to 7")]
    [InlineData("mux: \"0x62\", channel: 1", "mux: 0x70 to 0x77")]
    public void ASiteFile_SaysWhatAMultiplexedSensorLacks(string wiring, string error)
    {
        var site = _folder.File("bad-mux.yaml");
        File.WriteAllText(site, $$"""
            site: ecole-mux
            rooms:
              - id: cp
                volume_m3: 170
                pupils: 24
                sensors: [{ id: scd41-cp, model: SCD41, bus: i2c-1, {{wiring}} }]
            """);
        var path = _folder.File("gateway-bad-mux.json");
        File.WriteAllText(path, $$"""{ "Site": { "File": "{{site}}" } }""");

        Assert.Contains(GatewaySettings.Load(path).Errors, e => e.Contains("sensor 'scd41-cp': ", StringComparison.Ordinal) && e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void TwoSensorsOnTheSameChannel_AreRefused_ButTheSameAddressOnTwoChannelsIsNot()
    {
        Assert.Empty(Settings(MuxSchool).Errors);
        var site = _folder.File("same-channel.yaml");
        File.WriteAllText(site, MuxSchool.Replace("channel: 1", "channel: 0", StringComparison.Ordinal));
        var path = _folder.File("gateway-same-channel.json");
        File.WriteAllText(path, $$"""{ "Site": { "File": "{{site}}" } }""");
        Assert.Contains(GatewaySettings.Load(path).Errors, e => e.Contains("sensor 'scd41-ce1' is wired at i2c-1 0x62 behind the TCA9548A at 0x70 channel 0, like sensor 'scd41-cp'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_TellsANoisyLine_FromASilentOne()
    {
        var settings = Settings(School);
        var time = TimeProvider.System;
        var noisy = new SensorFaults { CorruptAnswers = 10_000 }; // every answer arrives with a wrong CRC/checksum
        var buses = new EmulatedBuses()
            .Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, time, noisy)
            .Emulate(new SensorLocation("SCD30", "i2c-1", null), Air, time)
            .Emulate(new SensorLocation("MH-Z19B", "/dev/ttyUSB0", null), Air, time, new SensorFaults { CorruptAnswers = 10_000 });
                                                                               // and nothing on /dev/ttyUSB1
        using var http = new HttpClient();
        var report = Doctor.Report(await new Doctor(settings, buses, new AssumedClockSync(), time, http).ExamineAsync(CancellationToken.None));

        var lines = report.Split('\n');
        Assert.Contains("every answer fails its checksum", lines.Single(l => l.StartsWith("✗ scd41-cp", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("every answer fails its checksum", lines.Single(l => l.StartsWith("✗ mhz-cm1", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("nothing answers there", lines.Single(l => l.StartsWith("✗ s8-cm2", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith("✓ scd30-ce1", lines.Single(l => l.Contains("scd30-ce1", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_SaysSo_WhenTheGatewayIsRunningBesideIt()
    {
        var settings = Settings(School);
        var buses = new EmulatedBuses().Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, TimeProvider.System);
        using var http = new HttpClient();
        var doctor = new Doctor(settings, buses, new AssumedClockSync(), TimeProvider.System, http);
        Assert.DoesNotContain("⚠ gateway", Doctor.Report(await doctor.ExamineAsync(CancellationToken.None)), StringComparison.Ordinal);

        // A gateway holds the journal (here: this process, as `sensors run` would from another).
        await using (Sensors.Journal.Journal.Open(settings.Journal))
        {
            // The lock is per open file description: a second open from this process is refused as from another.
            var report = Doctor.Report(await doctor.ExamineAsync(CancellationToken.None));
            Assert.Contains("⚠ gateway", report, StringComparison.Ordinal);
            Assert.Contains("sudo systemctl stop sensors", report, StringComparison.Ordinal);
        }
    }

    private const string SchoolWithClimateAndIndicators = """
        site: ecole-test
        rooms:
          - id: cp
            volume_m3: 160
            pupils: 22
            indicator: { kind: leds, green: 17, orange: 27, red: 22, buzzer: 23, mute_button: 24 }
            sensors:
              - { id: scd41-cp, model: SCD41, bus: i2c-1 }
              - { id: bme280-cp, model: BME280, bus: i2c-1 }
          - id: ce1
            volume_m3: 170
            pupils: 24
            indicator: { kind: lcd, bus: i2c-1 }
            sensors:
              - { id: scd30-ce1, model: SCD30, bus: i2c-1 }
              - { id: sht41-ce1, model: SHT41, bus: i2c-1 }
          - id: cm1
            volume_m3: 180
            pupils: 25
            indicator: { kind: lcd, bus: i2c-1, address: "0x3f" }
            sensors: [{ id: scd41-cm1, model: SCD41 }]
          - id: cm2
            volume_m3: 180
            pupils: 25
            indicator: { kind: strip, spi: spidev0.0, leds: 4 }
            sensors: [{ id: scd41-cm2, model: SCD41 }]
          - id: bcd
            volume_m3: 100
            pupils: 10
            indicator: { kind: strip, spi: spidev1.0, leds: 4 }
            sensors: [{ id: scd41-bcd, model: SCD41 }]
        """;

    [Fact]
    public async Task Doctor_StartsTheClimateSensorsWhereTheSiteFilePutsThem_AndBlinksEachIndicator()
    {
        var settings = Settings(SchoolWithClimateAndIndicators, """, "Hardware": { "Emulate": true }""");
        var time = TimeProvider.System;
        var glass = new Sensors.Hardware.Devices.Hd44780.Hd44780Emulator("i2c-1");
        var strip = new Sensors.Hardware.Devices.Ws2812.Ws2812Emulator(4);
        var buses = new EmulatedBuses()
            .Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, time)
            .Emulate(new SensorLocation("SCD30", "i2c-1", null), Air, time)
            .Emulate(new SensorLocation("BME280", "i2c-1", null), Air, time, pressureHpa: _ => 1003)
            .Emulate(new SensorLocation("SHT31", "i2c-1", null), Air, time) // an SHT31 where the site file says SHT41: it does not take the SHT4x's commands
            .Add("i2c-1", 0x27, glass)                                        // and nothing at 0x3f
            .AddSpi("spidev0.0", strip);                                      // and SPI bus 1 not enabled
        using var http = new HttpClient();

        var report = Doctor.Report(await new Doctor(settings, buses, new AssumedClockSync(), time, http).ExamineAsync(CancellationToken.None));

        Assert.Contains("✓ bme280-cp (cp)", report, StringComparison.Ordinal);
        Assert.Contains("BME280 at i2c-1 0x76 answers (chip id 0x60)", report, StringComparison.Ordinal);
        Assert.Contains("✗ sht41-ce1 (ce1)", report, StringComparison.Ordinal);
        Assert.Contains("the site file puts a SHT41 at i2c-1 0x44, but nothing answers there", report, StringComparison.Ordinal);
        Assert.Contains("✓ indicator (cp)", report, StringComparison.Ordinal);
        Assert.Contains("three LEDs on GPIO 17, 27, 22 (green, orange, red), buzzer GPIO 23, mute button GPIO 24: lit green, orange, then red, and the buzzer chirped", report, StringComparison.Ordinal);
        Assert.Contains("✓ indicator (ce1)", report, StringComparison.Ordinal);
        Assert.Contains("LCD 16×2 at i2c-1 0x27: showed \"Test indicateur\"", report, StringComparison.Ordinal);
        Assert.Contains("Test indicateur |################", glass.Screens);
        Assert.False(glass.BacklightOn); // left dark
        Assert.Contains("✗ indicator (cm1)", report, StringComparison.Ordinal);
        Assert.Contains("i2c-1 0x3f", report, StringComparison.Ordinal);
        Assert.Contains("0x27 (PCF8574) or 0x3f (PCF8574A)", report, StringComparison.Ordinal);
        Assert.Contains("✓ indicator (cm2)", report, StringComparison.Ordinal);
        Assert.Contains("strip of 4 WS2812B LEDs on spidev0.0: turned green, orange, then red", report, StringComparison.Ordinal);
        Assert.Equal([(0, 0, 0), (0, 63, 0), (63, 27, 0), (63, 0, 0)], strip.Frames.Take(4).Select(f => ((int)f[0].R, (int)f[0].G, (int)f[0].B))); // dark, then green, orange, red
        Assert.Equal((0, 0, 0), (strip.Pixels[3].R, strip.Pixels[3].G, strip.Pixels[3].B)); // left dark
        Assert.Contains("✗ indicator (bcd)", report, StringComparison.Ordinal);
        Assert.Contains("/dev/spidev1.0 does not exist: SPI is not enabled", report, StringComparison.Ordinal);

        var read = new StringWriter();
        Assert.Equal(0, await HardwareCommands.ReadAsync(settings, buses, time, read, 1, CancellationToken.None));
        Assert.Matches("^cp +bme280-cp +BME280 +i2c-1 0x76 +21.0 +45 +1003.0 +ok$", read.ToString().Split('\n').Single(l => l.Contains("bme280-cp", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_PrintsEachSensorsLiveValues_AndSaysWhichOneDoesNotAnswer()
    {
        var settings = Settings(School);
        var buses = new EmulatedBuses()
            .Emulate(new SensorLocation("SCD41", "i2c-1", null), Air, TimeProvider.System)
            .Emulate(new SensorLocation("SCD30", "i2c-1", null), Air, TimeProvider.System)
            .Emulate(new SensorLocation("MH-Z19B", "/dev/ttyUSB0", null), Air, TimeProvider.System);
        var output = new StringWriter();

        Assert.Equal(0, await HardwareCommands.ReadAsync(settings, buses, TimeProvider.System, output, 1, CancellationToken.None));

        var lines = output.ToString().Split('\n');
        Assert.Matches("^cp +scd41-cp +SCD41 +i2c-1 0x62 +640 +21.0 +45 +ok$", lines.Single(l => l.StartsWith("cp ", StringComparison.Ordinal)));
        Assert.Matches("^cm1 +mhz-cm1 +MH-Z19B +/dev/ttyUSB0 +640 +ok$", lines.Single(l => l.StartsWith("cm1 ", StringComparison.Ordinal)));
        Assert.Contains("/dev/ttyUSB1 does not exist", lines.Single(l => l.StartsWith("cm2 ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibrate_AsksFirst_ThenRecalibrates()
    {
        var settings = Settings(School);
        var time = new VirtualTime(DateTimeOffset.UtcNow);
        var co2 = 470.0;
        var chip = new Scd4xEmulator(_ => (co2, 12, 60), time);
        var buses = new EmulatedBuses().Add("i2c-1", 0x62, chip);
        var output = new StringWriter();

        Assert.Equal(1, await HardwareCommands.CalibrateAsync(settings, buses, time, "scd41-cp", 420, null, false, new StringReader("n\n"), output, CancellationToken.None));
        Assert.Contains("Nothing done.", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Scd4x.PerformForcedRecalibrationCommand, chip.Commands);

        // The sensor has measured outdoors for 3 minutes: the installer confirms.
        await new Scd4x(chip, time).StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(3));
        output = new StringWriter();
        Assert.Equal(0, await HardwareCommands.CalibrateAsync(settings, buses, time, "scd41-cp", 420, null, false, new StringReader("y\n"), output, CancellationToken.None));
        Assert.Contains("recalibrated to 420 ppm (correction -50 ppm)", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(0, await HardwareCommands.CalibrateAsync(settings, buses, time, "scd41-cp", null, false, true, TextReader.Null, output, CancellationToken.None));
        Assert.False(chip.AutomaticSelfCalibration);
    }

    public void Dispose() => _folder.Dispose();
}
