using System.Reflection;

namespace Sensors.Testing;

/// <summary>
/// One way for end-to-end tests to write the gateway's settings file: the parts a test uses
/// (InfluxDB, the broker, the example school, the simulation), each with the short timings tests
/// want (a batch every 200 ms, a pause of a second after a failure), and anything else a test
/// needs said with <see cref="With"/>. <see cref="Build"/> gives what <see cref="GatewayProcess"/>
/// writes as gateway.json.
/// </summary>
public sealed class GatewaySettingsBuilder
{
    private readonly Dictionary<string, Dictionary<string, object?>> _sections = new(StringComparer.Ordinal);

    public GatewaySettingsBuilder(string gatewayId)
    {
        With("Gateway", new { Id = gatewayId });
        With("Pipeline", new { FlushInterval = "00:00:00.200", FailurePause = "00:00:01" });
    }

    /// <summary>InfluxDB on <paramref name="influx"/>, database <paramref name="database"/>.</summary>
    public GatewaySettingsBuilder Influx(InfluxServer influx, string database) => With("Influx", new { Url = influx.Url.ToString(), Database = database });

    /// <summary>The broker and the subscriptions (anonymous objects with the keys of Mqtt:Subscriptions).</summary>
    public GatewaySettingsBuilder Mqtt(MosquittoServer broker, params object[] subscriptions) => With("Mqtt", new { broker.Port, Subscriptions = subscriptions });

    /// <summary>The example school's site file (firmware-config/sites/ecole-jules-ferry.yaml).</summary>
    public GatewaySettingsBuilder ExampleSchool() => With("Site", new { File = RepoPaths.Of("firmware-config/sites/ecole-jules-ferry.yaml") });

    /// <summary>A site file of the test's own.</summary>
    public GatewaySettingsBuilder Site(string path) => With("Site", new { File = path });

    /// <summary>The example city's device registry (firmware-config/registry/devices.yaml), for LoRaWAN and pickups.</summary>
    public GatewaySettingsBuilder ExampleRegistry() => With("LoRaWan", new { Registry = RepoPaths.Of("firmware-config/registry/devices.yaml") });

    /// <summary>The site's classrooms simulated, a reading every <paramref name="interval"/>, with <paramref name="backfill"/> of history at start.</summary>
    public GatewaySettingsBuilder Simulation(TimeSpan interval, TimeSpan backfill) =>
        With("Simulation", new { Enabled = true, Interval = interval.ToString(), Backfill = backfill.ToString() });

    /// <summary>Sets the keys of <paramref name="values"/> (an anonymous object) in <paramref name="section"/>, over what is there.</summary>
    public GatewaySettingsBuilder With(string section, object values)
    {
        if (!_sections.TryGetValue(section, out var keys))
        {
            _sections[section] = keys = new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        foreach (var property in values.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            keys[property.Name] = property.GetValue(values);
        }

        return this;
    }

    public object Build() => _sections.ToDictionary(s => s.Key, s => (object)new Dictionary<string, object?>(s.Value), StringComparer.Ordinal);
}
