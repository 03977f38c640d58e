using System.Globalization;
using System.Text;

namespace Sensors.Testing;

/// <summary>How big a fleet the console's scale test and benchmark write.</summary>
public sealed record FleetSize(int Gateways, int Sensors, int Devices)
{
    /// <summary>The issue's city: 100 gateways, 3,000 classroom sensors, 5,000 LoRaWAN devices.</summary>
    public static FleetSize City { get; } = new(100, 3000, 5000);
}

/// <summary>
/// A city's fleet for the operations console, written into a real InfluxDB relative to a real
/// "now": every gateway's heartbeat over the last two hours, every sensor's nights (the drift
/// rule's input) and last reading, every device's uplinks over the last day, every lamp's last
/// report, and the device registry that goes with them. A few of each are made wrong (a stopped
/// gateway, drifting, stuck and silent sensors, silent devices, flat batteries, lost frames,
/// faulty lamps) so that every state shows.
/// </summary>
public static class FleetScale
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static string S(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Local(DateTime local) => new(local, Paris.GetUtcOffset(local));

    /// <summary>Writes the fleet; returns the device registry (YAML) and the number of points written.</summary>
    public static (string Registry, long Points) Write(InfluxServer influx, string database, DateTimeOffset now, FleetSize size)
    {
        influx.CreateDatabase(database);
        var random = new Random(26);
        var batch = new List<string>(20_000);
        long points = 0;
        void Add(string line)
        {
            batch.Add(line);
            if (batch.Count == 20_000)
            {
                Flush();
            }
        }

        void Flush()
        {
            if (batch.Count == 0)
            {
                return;
            }

            using var response = influx.Http.PostAsync($"write?db={database}&precision=s", new StringContent(string.Join('\n', batch))).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"InfluxDB refused the fleet: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            }

            points += batch.Count;
            batch.Clear();
        }

        // Gateways: 60 % schools, 20 % waste depots, 20 % lighting cabinets; a heartbeat a minute for 2 hours.
        for (var g = 0; g < size.Gateways; g++)
        {
            var id = GatewayId(g, size.Gateways);
            var stopped = g % 37 == 7; // stopped 10 minutes ago
            var version = g % 20 == 3 ? "1.4.2" : "1.5.0";
            var hash = g % 25 == 4 ? "c0ffee000004" : g < size.Gateways * 6 / 10 ? "a1b2c3d4e5f6" : "0a1b2c3d4e5f";
            for (var minute = 120; minute >= (stopped ? 10 : 0); minute--)
            {
                var at = now.AddMinutes(-minute).AddSeconds(-(g % 50));
                Add($"gateway,gateway_id={id} version=\"{version}\",config_hash=\"{hash}\",report_interval_s=60i,clock_synced=true,journal_points={(g % 41 == 9 ? 12000 + minute : random.Next(0, 40))}i,journal_oldest_age_s={(g % 41 == 9 ? 5400 : random.Next(0, 20))}i,dead_letter_total=0i,quarantined_total={g % 3}i,dropped_total=0i,sources_stuck=0i,disk_free_bytes={20_000_000_000L - (g * 10_000_000L)}i,written_bytes_per_day={300_000_000L + (g * 1_000_000L)}i,under_voltage={(g % 43 == 13 ? "true" : "false")},under_voltage_since_boot={(g % 43 == 13 ? "true" : "false")},throttled=false,throttled_since_boot=false,soc_temperature_c={45 + (g % 20)},rss_bytes=58000000i,uptime_s={86400 + (120 - minute) * 60}i {S(at)}");
            }
        }

        // Classroom sensors: 50 to a school; the nights of the last week every 15 minutes (16
        // readings a night), the last reading 5 minutes ago (3 hours for the silent ones).
        var schools = Math.Max(1, size.Gateways * 6 / 10);
        var today = TimeZoneInfo.ConvertTime(now, Paris).Date;
        for (var s = 0; s < size.Sensors; s++)
        {
            var school = s % schools;
            var (site, room, id) = ($"ecole-{school:000}", $"salle-{s / schools:00}", $"co2-{s:0000}");
            var tags = $"air_quality,site={site},room={room},sensor_id={id},sensor_model={(s % 3 == 0 ? "SCD30" : "SCD41")}";
            var baseline = s % 100 == 42 ? 640 : 420 + random.Next(0, 40);
            for (var night = 0; night < 7; night++)
            {
                for (var q = 0; q < 16; q++)
                {
                    var at = Local(today.AddDays(-night).AddHours(1).AddMinutes(15 * q));
                    if (at < now)
                    {
                        Add($"{tags} co2_ppm={baseline + (q * 3)} {S(at)}");
                    }
                }
            }

            var silent = s % 150 == 77;
            Add($"{tags} co2_ppm={600 + random.Next(0, 900)},temperature_c=20.5,humidity_pct=45 {S(now.AddMinutes(silent ? -180 : -5))}");
            Add($"sensor_health,site={site},room={room},sensor_id={id},sensor_model={(s % 3 == 0 ? "SCD30" : "SCD41")} state=\"{(s % 500 == 250 ? "failed" : "ok")}\",reason=\"{(s % 500 == 250 ? "no answer at 0x62" : "reading")}\",gateway_id=\"{GatewayId(school, size.Gateways)}\",last_reading_age_s=60i,compensation=\"pressure 1003 hPa\",self_calibration=\"on\",self_calibration_by=\"factory\" {S(now.AddMinutes(-1))}");
        }

        // LoRaWAN devices: 30 % lamps, 60 % bins, 10 % classroom CO2; an uplink an hour over the last day.
        var registry = new StringBuilder("""
            device_types:
              bin:
                model: EM310-UDL
                codec: milesight-em310-udl
                uplink_every_s: 3600
              lamp:
                model: WS558
                codec: milesight-ws558
                uplink_every_s: 3600
                rated_power_w: 70
              co2:
                model: AM103
                codec: milesight-am103
                uplink_every_s: 3600
            devices:

            """);
        for (var d = 0; d < size.Devices; d++)
        {
            var eui = $"a84041{d:x10}";
            var kind = (d % 10) switch { < 3 => "lamp", < 9 => "bin", _ => "co2" };
            var quarter = $"quartier-{d % 40:00}";
            registry.Append("  - { dev_eui: ").Append(eui.ToUpperInvariant()).Append(", type: ").Append(kind).Append(", site: ").Append(quarter).Append(kind switch
            {
                "lamp" => $", lamp_id: lp-{d:00000}, street: rue-{d % 300:000}",
                "bin" => $", bin_id: pav-{d:00000}, sector: {quarter}, depth_mm: 1500",
                _ => $", room: cantine-{d:00000}, sensor_id: am103-{d:00000}",
            }).Append(" }\n");
            var silent = d % 97 == 5;
            var lossy = d % 89 == 11;
            for (var hour = 24; hour >= (silent ? 8 : 1); hour--)
            {
                if (lossy && hour % 3 == 0)
                {
                    continue; // a frame in three never arrives
                }

                Add($"lorawan_link,device_eui={eui},gateway_id={GatewayId(d % size.Gateways, size.Gateways)} rssi_dbm={-80 - random.Next(0, 40)},snr_db={Math.Round(10 - (random.NextDouble() * 18), 1).ToString(CultureInfo.InvariantCulture)},f_cnt={1000 + (24 - hour)}i {S(now.AddHours(-hour).AddMinutes(d % 60))}");
            }

            var last = now.AddHours(silent ? -8 : -1).AddMinutes(d % 60);
            switch (kind)
            {
                case "bin":
                    Add($"bin_fill,site={quarter},sector={quarter},bin_id=pav-{d:00000},device_eui={eui},device_model=EM310-UDL fill_pct={random.Next(0, 100)},battery_pct={(d % 71 == 3 ? 12 : 60 + random.Next(0, 40))} {S(last)}");
                    break;
                case "lamp":
                    var night = TimeZoneInfo.ConvertTime(last, Paris).Hour is >= 18 or < 7;
                    var on = d % 113 == 1 ? !night : night;
                    Add($"lamp,site={quarter},street=rue-{d % 300:000},lamp_id=lp-{d:00000},device_eui={eui},device_model=WS558 on={(on ? "true" : "false")},dim_pct={(on ? 100 : 0)},power_w={(on ? 68 + random.Next(0, 4) : 0)},fault_code={(d % 131 == 2 ? 4 : 0)}i {S(last)}");
                    break;
                default:
                    Add($"air_quality,site={quarter},room=cantine-{d:00000},sensor_id=am103-{d:00000},sensor_model=AM103,device_eui={eui} co2_ppm={500 + random.Next(0, 400)},battery_pct={70 + random.Next(0, 30)} {S(last)}");
                    break;
            }
        }

        Flush();
        return (registry.ToString(), points);
    }

    public static string GatewayId(int g, int count) =>
        g < count * 6 / 10 ? $"gw-ecole-{g:000}" : g < count * 8 / 10 ? $"gw-dechets-{g:000}" : $"gw-eclairage-{g:000}";
}
