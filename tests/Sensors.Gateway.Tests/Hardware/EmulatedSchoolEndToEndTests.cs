using System.Globalization;
using System.Net.Http;
using Sensors.Testing;

namespace Sensors.Gateway.Tests.Hardware;

/// <summary>The real gateway process reading the example school's sensors through the real drivers and emulators, into a real InfluxDB.</summary>
public sealed class EmulatedSchoolEndToEndTests : IDisposable
{
    private readonly InfluxServer _influx = new();

    [Fact]
    public async Task EmulatedSensors_OfTheExampleSchool_LandInInflux_WithTheirModels_AndTheirHealthOnMetrics()
    {
        using var gateway = new GatewayProcess(new GatewaySettingsBuilder("gw-hardware")
            .ExampleSchool()
            .Influx(_influx, "school").With("Influx", new { CreateDatabase = true })
            .With("Pipeline", new { FlushInterval = "00:00:00.500" })
            .With("Hardware", new { Emulate = true })
            .Build(), new Dictionary<string, string> { ["SENSORS_Hardware__Enabled"] = "true" }).Start();
        gateway.Process.WaitForOutput("Sensor scd30-ce2-a (SCD30, room ce2-a) started at i2c-1 0x61", TimeSpan.FromSeconds(30));

        // The SCD30 warms up for 30 s and measures every 5 s (interval_s in the site file).
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && Count("SCD30") < 2)
        {
            await Task.Delay(1000);
        }

        var rows = _influx.Query("school", "SELECT co2_ppm, temperature_c, humidity_pct, room, sensor_id, sensor_model FROM air_quality WHERE sensor_model = 'SCD30'");
        Assert.True(rows.Count >= 2, gateway.Output);
        Assert.All(rows, r =>
        {
            Assert.Equal("ce2-a", r["room"].GetString());
            Assert.Equal("scd30-ce2-a", r["sensor_id"].GetString());
            Assert.InRange(r["co2_ppm"].GetDouble(), 300, 5000);
            Assert.InRange(r["temperature_c"].GetDouble(), 10, 35);
        });

        // The BME280 of CE2 A, read by its .NET IoT binding, is the school's barometer: its pressure
        // (the standard atmosphere at 152 m, ±8 hPa of weather) lands in air_quality, and every SCD4x
        // and SCD30 is compensated for it; the serial sensors have no such setting.
        var climate = _influx.Query("school", "SELECT co2_ppm, temperature_c, humidity_pct, pressure_hpa, room FROM air_quality WHERE sensor_id = 'bme280-ce2-a'");
        Assert.NotEmpty(climate);
        Assert.All(climate, r =>
        {
            Assert.Equal("ce2-a", r["room"].GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, r["co2_ppm"].ValueKind);
            Assert.InRange(r["pressure_hpa"].GetDouble(), 986, 1004);
            Assert.InRange(r["temperature_c"].GetDouble(), 10, 35);
            Assert.InRange(r["humidity_pct"].GetDouble(), 10, 95);
        });
        foreach (var (sensor, model) in new[] { ("scd30-ce2-a", "SCD30"), ("scd41-cp-a", "SCD41"), ("scd41-ce1-b", "SCD41") })
        {
            Assert.Contains($"Sensor {sensor} ({model}, room", gateway.Output, StringComparison.Ordinal);
            Assert.Matches($"Sensor {sensor} \\({model}, room [a-z0-9-]+\\) compensates its CO2 for the ambient pressure, (98[6-9]|99[0-9]|100[0-4])\\.[0-9] hPa", gateway.Output);
        }

        Assert.DoesNotContain("Sensor mhz19b-cm1-a (MH-Z19B, room cm1-a) compensates", gateway.Output, StringComparison.Ordinal);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(gateway.HttpUrl, "metrics"));
        foreach (var sensor in new[] { "scd41-cp-a", "scd41-ce1-b", "scd30-ce2-a", "bme280-ce2-a", "mhz19b-cm1-a", "s8-cm2-b", "scd40-bibliotheque" })
        {
            Assert.Contains($"sensor_id=\"{sensor}\"", metrics, StringComparison.Ordinal);
        }

        Assert.Matches("sensors_sensor_readings_total\\{[^}]*sensor_id=\"scd30-ce2-a\"[^}]*outcome=\"ok\"\\} [1-9]", metrics);
        Assert.Matches("sensors_sensor_readings_total\\{[^}]*sensor_id=\"mhz19b-cm1-a\"[^}]*outcome=\"warmup\"\\} [1-9]", metrics);

        // The three SCD4x of the school share 0x62 behind the TCA9548A at 0x70, one channel each:
        // each is started on its channel and measures (its warm-up readings are counted), none fails.
        foreach (var (sensor, channel) in new[] { ("scd41-cp-a", 0), ("scd41-ce1-b", 1), ("scd40-bibliotheque", 2) })
        {
            Assert.Contains($"Sensor {sensor} (", gateway.Output, StringComparison.Ordinal);
            Assert.Contains($"started at i2c-1 0x62 (TCA9548A 0x70 channel {channel})", gateway.Output, StringComparison.Ordinal);
            Assert.Matches($"sensors_sensor_readings_total\\{{[^}}]*sensor_id=\"{sensor}\"[^}}]*outcome=\"warmup\"\\}} [1-9]", metrics);
            Assert.Matches($"sensors_sensor_readings_total\\{{[^}}]*sensor_id=\"{sensor}\"[^}}]*outcome=\"failed\"\\}} 0", metrics);
        }

        // The classroom indicators: the light of CP A (emulated GPIO pins), the LCD of CM2 B (the
        // HD44780 emulator behind its backpack) and the library's LED strip (the WS2812B emulator on
        // SPI), the last two drawn by their .NET IoT bindings, are driven from
        // the rooms' readings; the status page and /metrics say what each shows.
        Assert.Contains("Indicator of room cp-a (CP A) ready: three LEDs on GPIO 17, 27, 22 (green, orange, red), buzzer GPIO 23, mute button GPIO 24", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("Indicator of room cm2-b (CM2 B) ready: LCD 16×2 at i2c-1 0x27", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("Indicator of room bibliotheque (Bibliothèque) ready: strip of 8 WS2812B LEDs on spidev0.0", gateway.Output, StringComparison.Ordinal);
        foreach (var room in new[] { "cp-a", "cm2-b", "bibliotheque" })
        {
            Assert.Matches($"sensors_indicator_light\\{{site=\"ecole-jules-ferry\",room=\"{room}\",light=\"(grey|green|orange|red)\"\\}} 1", metrics);
            Assert.Matches($"sensors_indicator_up\\{{site=\"ecole-jules-ferry\",room=\"{room}\"\\}} 1", metrics);
        }

        var page = await http.GetStringAsync(gateway.HttpUrl);
        foreach (var room in new[] { "cp-a", "cm2-b", "bibliotheque" })
        {
            var card = page[page.IndexOf($"id=\"room-{room}\"", StringComparison.Ordinal)..];
            card = card[..card.IndexOf("</li>", StringComparison.Ordinal)];
            Assert.Matches("<p class=\"indicator\" data-indicator=\"(grey|green|orange|red)\">Voyant de la classe : ", card);
        }

        var errors = gateway.Output.Split('\n').Where(l => l.Contains(" ERROR ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    private long Count(string model)
    {
        try
        {
            var rows = _influx.Query("school", $"SELECT COUNT(co2_ppm) FROM air_quality WHERE sensor_model = '{model}'");
            return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
        }
        catch (InvalidOperationException)
        {
            return 0; // the database is created with the first write
        }
    }

    public void Dispose() => _influx.Dispose();
}
