using Sensors.Hardware.Devices.Tca9548a;
using Sensors.Hardware.Devices.SenseAirS8;
using Sensors.Hardware.Devices.Scd4x;
using Sensors.Hardware.Devices.Scd30;
using Sensors.Hardware.Devices.Mhz19b;
using System.Globalization;
using Sensors.Hardware.Bus;
using Sensors.Hardware.Devices.Bme280;
using Sensors.Hardware.Devices.Sht3x;
using Sensors.Hardware.Devices.Sht4x;

namespace Sensors.Hardware.Drivers;

/// <summary>Where a sensor is and what it is, as a site file says it.</summary>
public sealed record SensorLocation(string Model, string Bus, int? Address, int? IntervalSeconds = null, int? AltitudeM = null);

/// <summary>The sensor models we drive: which bus they sit on, their default address, and how to open one.</summary>
public static class SensorModels
{
    public static readonly IReadOnlyList<string> Known = ["SCD40", "SCD41", "SCD30", "MH-Z19B", "S8", "SHT40", "SHT41", "SHT45", "SHT30", "SHT31", "SHT35", "BME280"];

    public static bool IsKnown(string model) => Known.Contains(Normalise(model));

    public static bool IsI2c(string model) => Normalise(model) is not ("MH-Z19B" or "S8");

    /// <summary>A CO2 sensor (with its temperature and humidity), as opposed to a climate sensor (SHT4x, SHT3x, BME280).</summary>
    /// <summary>
    /// Automatic self-calibration as each CO2 sensor leaves the factory, by its datasheet: on for the
    /// SCD4x (every 7 days of readings), the MH-Z19B and the S8 (ABC, 24 h and 8 days); off for the
    /// SCD30. Null for a sensor without CO2.
    /// </summary>
    public static bool? FactorySelfCalibration(string model) => Normalise(model) switch
    {
        "SCD40" or "SCD41" or "MH-Z19B" or "S8" => true,
        "SCD30" => false,
        _ => null,
    };

    public static bool MeasuresCo2(string model) => Normalise(model) is "SCD40" or "SCD41" or "SCD30" or "MH-Z19B" or "S8";

    /// <summary>SCD4x, SHT4x, SHT3x, BME280 or the model itself: the models that answer the same commands.</summary>
    public static string Family(string model) => Normalise(model) switch
    {
        "SCD40" or "SCD41" or "SCD4X" => "SCD4x",
        "SHT40" or "SHT41" or "SHT45" => "SHT4x",
        "SHT30" or "SHT31" or "SHT35" => "SHT3x",
        var other => other,
    };

    public static int DefaultAddress(string model) => Family(model) switch
    {
        "SCD30" => Scd30.DefaultAddress,
        "SHT4x" => Sht4xClimate.DefaultAddress,
        "SHT3x" => Sht3xClimate.DefaultAddress,
        "BME280" => Bme280Climate.DefaultAddress,
        _ => Scd4x.DefaultAddress,
    };

    public static string Normalise(string model) => model.Trim().ToUpperInvariant() switch
    {
        "MHZ19B" or "MH-Z19" or "MH-Z19B" => "MH-Z19B",
        "SENSEAIR S8" or "S8" or "S8-LP" => "S8",
        var other => other,
    };

    /// <summary>"0x62", "98" or empty (the model's default).</summary>
    public static int? ParseAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) && hex is > 0x02 and < 0x78 ? hex : null
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) && dec is > 0x02 and < 0x78 ? dec : null;
    }

    /// <summary>
    /// Opens the bus and builds the driver; the sensor is not started yet. A sensor behind a
    /// TCA9548A's channel (bus "i2c-1/0x70:2") is reached through the multiplexer, which selects
    /// its channel and makes the transfer in one step, so that sensors on other channels can be
    /// read at the same time.
    /// </summary>
    public static ISensor Open(SensorLocation location, IBusProvider buses, TimeProvider time)
    {
        var model = Normalise(location.Model);
        if (!MeasuresCo2(model) && IsKnown(model))
        {
            return OpenClimate(location, model, buses);
        }

        return model switch
        {
            "SCD40" or "SCD41" => new Scd4x(MuxPaths.Open(buses, location.Bus, location.Address ?? Scd4x.DefaultAddress), time, model) { AltitudeM = location.AltitudeM },
            "SCD30" => new Scd30(MuxPaths.Open(buses, location.Bus, location.Address ?? Scd30.DefaultAddress), time) { AltitudeM = location.AltitudeM, IntervalSeconds = Math.Clamp(location.IntervalSeconds ?? 2, 2, 1800) },
            "MH-Z19B" => new Mhz19b(buses.OpenSerial(location.Bus), time),
            "S8" => new SenseAirS8(buses.OpenSerial(location.Bus), time),
            _ => throw new ArgumentException($"Unknown sensor model '{location.Model}'; expected one of {string.Join(", ", Known)}.", nameof(location)),
        };
    }

    /// <summary>
    /// A climate sensor, read through its .NET IoT binding: in a method of its own, so that the
    /// bindings' assembly is loaded only when a site file names one.
    /// </summary>
    private static ISensor OpenClimate(SensorLocation location, string model, IBusProvider buses)
    {
        var address = location.Address ?? DefaultAddress(model);
        var device = MuxPaths.Open(buses, location.Bus, address);
        var bus = MuxPaths.TryParse(location.Bus, out var main, out _, out _) ? main : location.Bus;
        return Family(model) switch
        {
            "SHT4x" => new Sht4xClimate(device, bus, address, model),
            "SHT3x" => new Sht3xClimate(device, bus, address, model),
            _ => new Bme280Climate(device, bus, address),
        };
    }
}
