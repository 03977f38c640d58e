using System.Globalization;
using System.Text;
using Sensors.Testing;

namespace Sensors.Operations.Tests;

/// <summary>
/// A small fleet written by hand into a real InfluxDB, each figure chosen so that the rules'
/// answer can be worked out on paper (the comments say how). "Now" is Thursday 3 December 2026,
/// 11:00 in Paris (10:00 UTC): a lesson has run since 08:30.
/// </summary>
public static class FleetData
{
    public const string Database = "fleet";

    public static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    public static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>A local Paris time on a day before <see cref="Now"/> (0 = Thursday 3 December).</summary>
    public static DateTimeOffset Local(int daysBefore, int hour, int minute = 0)
    {
        var local = new DateTime(2026, 12, 3, hour, minute, 0).AddDays(-daysBefore);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local));
    }

    public static string Registry => """
        device_types:
          t-bin:
            model: BIN-1
            codec: network-server
            uplink_every_s: 600
          t-bin-lithium:
            model: BIN-2
            codec: network-server
            uplink_every_s: 600
            battery_low_pct: 10
          t-lamp:
            model: LAMP-1
            codec: network-server
            uplink_every_s: 900
            rated_power_w: 100
        devices:
          - { dev_eui: A000000000000001, type: t-bin, site: nord, bin_id: pav-ok, sector: nord }
          - { dev_eui: A000000000000002, type: t-bin, site: nord, bin_id: pav-silent, sector: nord }
          - { dev_eui: A000000000000003, type: t-bin, site: nord, bin_id: pav-battery, sector: nord }
          - { dev_eui: A000000000000004, type: t-bin, site: sud, bin_id: pav-gaps, sector: sud }
          - { dev_eui: A000000000000005, type: t-bin, site: sud, bin_id: pav-wrap, sector: sud }
          - { dev_eui: A000000000000006, type: t-bin, site: sud, bin_id: pav-never, sector: sud }
          - { dev_eui: A000000000000007, type: t-bin-lithium, site: sud, bin_id: pav-lithium, sector: sud }
          - { dev_eui: B000000000000001, type: t-lamp, site: gare, lamp_id: lp-day, street: avenue }
          - { dev_eui: B000000000000002, type: t-lamp, site: gare, lamp_id: lp-fault, street: avenue }
          - { dev_eui: B000000000000003, type: t-lamp, site: gare, lamp_id: lp-dark, street: avenue }
          - { dev_eui: B000000000000004, type: t-lamp, site: gare, lamp_id: lp-weak, street: place }
          - { dev_eui: B000000000000005, type: t-lamp, site: gare, lamp_id: lp-fine, street: place }
        """;

    public static void Write(InfluxServer influx, IEnumerable<string> lines) => Write(influx, Database, lines);

    public static void Write(InfluxServer influx, string database, IEnumerable<string> lines)
    {
        using var response = influx.Http.PostAsync($"write?db={database}&precision=s", new StringContent(string.Join('\n', lines))).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"InfluxDB refused the lines: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }

    public static string S(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static void Seed(InfluxServer influx)
    {
        influx.CreateDatabase(Database);
        var lines = new List<string>();

        // Gateways. gw-a reported 30 s ago with four things wrong; 2 hours ago it had 2 dead
        // letters, now 5: growing by 3. gw-b last reported 181 s ago at 60 s intervals: over the
        // 3 × 60 = 180 s, not reporting. gw-c 179 s ago: still within. gw-odd sends few fields,
        // some absurd, and an id with markup.
        lines.Add($"gateway,gateway_id=gw-a dead_letter_total=2i,report_interval_s=60i {S(Now.AddHours(-2))}");
        lines.Add($"gateway,gateway_id=gw-a version=\"1.4.0\",config_hash=\"aaaaaaaaaaaa\",report_interval_s=60i,clock_synced=true,journal_points=5400i,journal_oldest_age_s=7200i,dead_letter_total=5i,written_bytes_per_day=3000000000i,disk_free_bytes=8000000000i,under_voltage=false,under_voltage_since_boot=true,sources_stuck=0i,soc_temperature_c=51.5 {S(Now.AddSeconds(-30))}");
        lines.Add($"gateway,gateway_id=gw-b version=\"1.4.0\",config_hash=\"aaaaaaaaaaaa\",report_interval_s=60i,clock_synced=true,journal_points=0i,journal_oldest_age_s=0i,dead_letter_total=0i {S(Now.AddSeconds(-181))}");
        lines.Add($"gateway,gateway_id=gw-c version=\"1.3.9\",config_hash=\"bbbbbbbbbbbb\",report_interval_s=60i,clock_synced=true,journal_points=0i,journal_oldest_age_s=0i,dead_letter_total=0i {S(Now.AddSeconds(-179))}");
        lines.Add($"gateway,gateway_id=gw-odd\\ <script> journal_points=-5i,soc_temperature_c=1e300,whatever=\"x\" {S(Now.AddSeconds(-10))}");

        // Classroom sensors: readings every 10 minutes for the 8 days before now.
        var nightly = new Dictionary<string, int[]>
        {
            // Night after night (01:00-05:00), the readings start at the value given and rise by 1
            // ppm every 10 minutes: 24 readings, whose 5th percentile (InfluxQL: nearest rank,
            // floor(24 × 0.05 + 0.5) = 1st) is the first. Nights are counted back from the last.
            ["co2-ok"] = [430, 425, 440, 435, 428, 432, 431],
            ["co2-drift"] = [600, 610, 590, 605, 620, 580, 600], // sorted 580 590 600 600 605 610 620: median 600, 180 from 420
            ["co2-few"] = [700, 700, 700, 0, 0, 0, 0], // only 3 nights with readings (0 = none): not enough to judge
        };
        foreach (var (sensor, nights) in nightly)
        {
            for (var night = 0; night < nights.Length; night++)
            {
                if (nights[night] == 0)
                {
                    continue;
                }

                for (var i = 0; i < 24; i++)
                {
                    lines.Add($"air_quality,site=ecole,room=r-{sensor},sensor_id={sensor},sensor_model=SCD41 co2_ppm={nights[night] + i} {S(Local(night, 1, 0).AddMinutes(10 * i))}");
                }
            }

            // Today's lesson (09:00-11:00 is the stuck rule's window): moving values.
            for (var i = 0; i < 24; i++)
            {
                lines.Add($"air_quality,site=ecole,room=r-{sensor},sensor_id={sensor},sensor_model=SCD41 co2_ppm={800 + (i * 7)} {S(Local(0, 9).AddMinutes(5 * i))}");
            }
        }

        // co2-stuck: 1234 ppm for every reading of the window (24 readings, spread 0).
        for (var i = 0; i < 24; i++)
        {
            lines.Add($"air_quality,site=ecole,room=r-stuck,sensor_id=co2-stuck,sensor_model=SCD30 co2_ppm=1234 {S(Local(0, 9).AddMinutes(5 * i))}");
        }

        // co2-silent: last reading 61 minutes ago (silent after 60).
        lines.Add($"air_quality,site=ecole,room=r-silent,sensor_id=co2-silent,sensor_model=S8 co2_ppm=650 {S(Now.AddMinutes(-61))}");

        // co2-failed: its gateway says it failed; its last reading is 2 minutes old.
        lines.Add($"air_quality,site=ecole,room=r-failed,sensor_id=co2-failed,sensor_model=MH-Z19B co2_ppm=700 {S(Now.AddMinutes(-2))}");
        lines.Add($"sensor_health,site=ecole,room=r-failed,sensor_id=co2-failed,sensor_model=MH-Z19B state=\"failed\",reason=\"no answer on /dev/ttyAMA0\",gateway_id=\"gw-a\",self_calibration=\"on\",self_calibration_by=\"factory\",last_calibration=\"2026-11-02T08:00:00Z\" {S(Now.AddMinutes(-1))}");

        // LoRaWAN devices (uplink every 600 s: silent after 1,800 s).
        lines.Add($"lorawan_link,device_eui=a000000000000001,gateway_id=gw-a rssi_dbm=-90,snr_db=7.5,f_cnt=40i {S(Now.AddMinutes(-29))}");
        lines.Add($"bin_fill,site=nord,sector=nord,bin_id=pav-ok,device_eui=a000000000000001,device_model=BIN-1 fill_pct=40,battery_pct=90 {S(Now.AddMinutes(-29))}");
        lines.Add($"lorawan_link,device_eui=a000000000000002,gateway_id=gw-a rssi_dbm=-100,snr_db=-3,f_cnt=41i {S(Now.AddMinutes(-31))}");
        lines.Add($"lorawan_link,device_eui=a000000000000003,gateway_id=gw-a rssi_dbm=-95,snr_db=2,f_cnt=42i {S(Now.AddMinutes(-5))}");
        lines.Add($"bin_fill,site=nord,sector=nord,bin_id=pav-battery,device_eui=a000000000000003,device_model=BIN-1 fill_pct=10,battery_pct=15 {S(Now.AddMinutes(-5))}");

        // pav-lithium: 15 % as pav-battery, but its type says low below 10 %.
        lines.Add($"lorawan_link,device_eui=a000000000000007,gateway_id=gw-a rssi_dbm=-95,snr_db=2,f_cnt=7i {S(Now.AddMinutes(-5))}");
        lines.Add($"bin_fill,site=sud,sector=sud,bin_id=pav-lithium,device_eui=a000000000000007,device_model=BIN-2 fill_pct=10,battery_pct=15 {S(Now.AddMinutes(-5))}");

        // pav-gaps: 10 11 _ _ 14 15 16 17 18 19, then a rejoin at 0 1 2 3. Positive steps
        // 1 3 1 1 1 1 1 (19→0 is negative: a rejoin, no loss) 1 1 1: sum 12, count 10, so 2
        // lost; 12 frames received; 2 / 14 = 14.3 % > 10 %.
        var gaps = new[] { 10, 11, 14, 15, 16, 17, 18, 19, 0, 1, 2, 3 };
        for (var i = 0; i < gaps.Length; i++)
        {
            lines.Add($"lorawan_link,device_eui=a000000000000004,gateway_id=gw-a rssi_dbm={-80 - i},snr_db=5,f_cnt={gaps[i]}i {S(Now.AddMinutes(-10 * (gaps.Length - i)))}");
        }

        // pav-wrap: 65530 … 65535 then 0 … 5: the 16-bit wrap, 12 frames, none lost.
        for (var i = 0; i < 12; i++)
        {
            lines.Add($"lorawan_link,device_eui=a000000000000005,gateway_id=gw-a rssi_dbm=-85,snr_db=6,f_cnt={(65530 + i) % 65536}i {S(Now.AddMinutes(-10 * (12 - i)))}");
        }

        // Lamps (rated 100 W). Sunrise in Paris on 3 December: 08:26; sunset 16:54.
        lines.Add($"lamp,site=gare,street=avenue,lamp_id=lp-day,device_eui=b000000000000001,device_model=LAMP-1 on=true,dim_pct=100,power_w=98,fault_code=0i {S(Local(0, 10, 55))}"); // lit at 10:55: by day
        lines.Add($"lamp,site=gare,street=avenue,lamp_id=lp-fault,device_eui=b000000000000002,device_model=LAMP-1 on=false,dim_pct=0,power_w=0,fault_code=3i {S(Local(0, 10, 50))}"); // off by day: fine, but fault 3
        lines.Add($"lamp,site=gare,street=avenue,lamp_id=lp-dark,device_eui=b000000000000003,device_model=LAMP-1 on=false,dim_pct=0,power_w=0,fault_code=0i {S(Local(0, 6))}"); // off at 06:00: dark at night
        lines.Add($"lamp,site=gare,street=place,lamp_id=lp-weak,device_eui=b000000000000004,device_model=LAMP-1 on=true,dim_pct=50,power_w=19,fault_code=0i {S(Local(0, 2))}"); // 50 W expected, 19 drawn: 31 > 30 % of 100
        lines.Add($"lamp,site=gare,street=place,lamp_id=lp-fine,device_eui=b000000000000005,device_model=LAMP-1 on=true,dim_pct=50,power_w=21,fault_code=0i {S(Local(0, 2))}"); // 29 from 50: within
        Write(influx, lines);
    }
}
