using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Sensors.Testing;

/// <summary>
/// A city's data in a real InfluxDB, as deploy/central sets it up: the schema of
/// deploy/central/influxdb/schema.iql, a stretch of minute data written into "raw", and the hourly
/// roll-ups computed by running each continuous query's own SELECT … INTO over that stretch. The
/// numbers follow simple rules so that tests can compute what the portal must show by hand:
/// <list type="bullet">
/// <item>classrooms (site <see cref="Site"/>), one reading a minute, 450 ppm outside lessons; during
/// lessons (a French primary school's week) a pattern per room that repeats every half hour:
/// cp 600; ce1 1000 for 15 min then 1200; cm1 1800, 1300, 700 for 10 min each; cm2 1800; extra
/// rooms (the benchmark's) like cm1;</item>
/// <item>bins: sector nord b-n1 85 %, b-n2 90 %, b-n3 40 %; sector sud b-s1 81 %, b-s2 20 %, read hourly;</item>
/// <item>pickups: sector nord 3 a weekday (07:00, 07:10, 07:20, 12 kg each), sud 2 on Tuesday and Friday (08:00, 08:05, 10 kg);</item>
/// <item>lamps every 10 min: lp-1, lp-2 avenue-de-la-gare, lp-3 and lp-4 rue-victor-hugo; 40 W from 17:00 to 23:00 and 06:00 to 08:00,
/// 20 W dimmed to 50 % from 23:00 to 06:00, off by day (460 Wh a day); lp-3 reports fault 2 in the last two hours;
/// lp-4 is silent for the last three days.</item>
/// </list>
/// </summary>
public static class CitySeed
{
    public const string Site = "ecole-test";
    public const string Database = "sensors";
    public static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    public static readonly string[] Rooms = ["cp", "ce1", "cm1", "cm2"];

    /// <summary>Chips' pseudonyms written as bin_id of the pickups: none may ever show on the portal.</summary>
    public static readonly string[] Households = ["3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"];

    /// <summary>The statements of schema.iql's DDL section, in order.</summary>
    public static IReadOnlyList<string> SchemaStatements() => [.. File.ReadAllLines(RepoPaths.Of("deploy/central/influxdb/schema.iql"))
        .SkipWhile(l => l != "# DDL").Skip(1).TakeWhile(l => l != "# DML")
        .Where(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal) && !l.StartsWith('#'))];

    /// <summary>A continuous query's SELECT … INTO for [from, to): what the CQ computes each hour, run for that stretch.</summary>
    public static string RollUp(string cq, DateTimeOffset from, DateTimeOffset to)
    {
        var select = Regex.Match(cq, "BEGIN (?<select>.*) END$").Groups["select"].Value;
        var range = $"time >= '{from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' AND time < '{to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'";
        return select.Contains(" WHERE ", StringComparison.Ordinal)
            ? select.Replace(" WHERE ", $" WHERE {range} AND ", StringComparison.Ordinal)
            : select.Replace(" GROUP BY ", $" WHERE {range} GROUP BY ", StringComparison.Ordinal);
    }

    /// <summary>Line protocol (seconds) written into "raw", as a gateway writes it; throws with InfluxDB's answer if refused.</summary>
    public static void Write(InfluxServer influx, IEnumerable<string> lines)
    {
        using var response = influx.Http.PostAsync($"write?db={Database}&rp=raw&precision=s", new StringContent(string.Join('\n', lines))).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"InfluxDB refused the lines: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }

    /// <summary>Every continuous query of schema.iql run over [from, to), as the CQs do each hour (and again for late data, RESAMPLE FOR 2d).</summary>
    public static void RollUpAll(InfluxServer influx, DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var cq in SchemaStatements().Where(s => s.StartsWith("CREATE CONTINUOUS QUERY", StringComparison.Ordinal)))
        {
            influx.Execute(RollUp(cq, from, to));
        }
    }

    /// <summary>Thursday 10:00 in Paris, the last one before today: the portal's "now" in the tests (a lesson is on).</summary>
    public static DateTimeOffset LastThursdayTen()
    {
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Paris).Date;
        var day = today.AddDays(-1);
        while (day.DayOfWeek != DayOfWeek.Thursday)
        {
            day = day.AddDays(-1);
        }

        return new DateTimeOffset(day.AddHours(10), Paris.GetUtcOffset(day.AddHours(10)));
    }

    /// <summary>CO2 of a room at a local time.</summary>
    public static double Co2(string room, DateTime local)
    {
        if (!IsLesson(local))
        {
            return 450;
        }

        var minute = local.Minute % 30;
        return room switch
        {
            "cp" => 600,
            "ce1" => minute < 15 ? 1000 : 1200,
            "cm2" => 1800,
            _ => minute < 10 ? 1800 : minute < 20 ? 1300 : 700,
        };
    }

    /// <summary>Lessons: 08:30–12:00 and 13:30–16:30 on Monday, Tuesday, Thursday, Friday; 08:30–12:00 on Wednesday.</summary>
    public static bool IsLesson(DateTime local)
    {
        if (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return false;
        }

        var t = local.TimeOfDay;
        return (t >= new TimeSpan(8, 30, 0) && t < new TimeSpan(12, 0, 0))
            || (local.DayOfWeek != DayOfWeek.Wednesday && t >= new TimeSpan(13, 30, 0) && t < new TimeSpan(16, 30, 0));
    }

    /// <summary>A lamp's power at a local time, in W.</summary>
    public static double LampPower(DateTime local) => local.Hour switch
    {
        >= 17 and < 23 => 40,
        23 or < 6 => 20,
        6 or 7 => 40,
        _ => 0,
    };

    /// <summary>Writes the schema and <paramref name="history"/> of data ending at <paramref name="now"/> (included), then the hourly roll-ups.</summary>
    public static void Seed(InfluxServer influx, DateTimeOffset now, TimeSpan history, int extraRooms = 0)
    {
        var statements = SchemaStatements();
        foreach (var statement in statements)
        {
            influx.Execute(statement);
        }

        // Minute data older than raw's 90 days is refused at write time; open the policy while seeding.
        influx.Execute("ALTER RETENTION POLICY raw ON sensors DURATION INF");
        var from = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) - history;
        var rooms = Rooms.Concat(Enumerable.Range(1, extraRooms).Select(i => $"salle-{i:00}")).ToArray();
        using var writer = new Batch(influx);
        var lampEnergyWh = new double[4];
        for (var at = from; at <= now; at = at.AddMinutes(1))
        {
            var local = TimeZoneInfo.ConvertTime(at, Paris).DateTime;
            var seconds = at.ToUnixTimeSeconds();
            foreach (var room in rooms)
            {
                writer.Line($"air_quality,room={room},sensor_id=scd41-{room},sensor_model=SCD41,site={Site} co2_ppm={Co2(room, local)},temperature_c=20.5,humidity_pct=45 {seconds}");
            }

            if (at.Minute == 0)
            {
                foreach (var (bin, sector, fill) in new[] { ("b-n1", "nord", 85), ("b-n2", "nord", 90), ("b-n3", "nord", 40), ("b-s1", "sud", 81), ("b-s2", "sud", 20) })
                {
                    writer.Line($"bin_fill,bin_id={bin},device_eui=eui-{bin},device_model=EM310-UDL,sector={sector},site=depot fill_pct={fill},distance_mm={1500 - (fill * 15)},battery_pct=90 {seconds}");
                }
            }

            if (local.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday && local.Hour == 7 && local.Minute is 0 or 10 or 20)
            {
                writer.Line($"bin_pickup,bin_id={Households[local.Minute / 10]},sector=nord,truck_id=camion-1 count=1i,weight_kg=12 {seconds}");
            }

            if (local.DayOfWeek is DayOfWeek.Tuesday or DayOfWeek.Friday && local.Hour == 8 && local.Minute is 0 or 5)
            {
                writer.Line($"bin_pickup,bin_id={Households[local.Minute / 5]},sector=sud,truck_id=camion-2 count=1i,weight_kg=10 {seconds}");
            }

            // Energy counts as it is used: each minute adds its power, and every tenth minute is reported.
            var watts = LampPower(local);
            for (var lamp = 0; lamp < 4; lamp++)
            {
                lampEnergyWh[lamp] += watts / 60.0;
            }

            if (at.Minute % 10 == 0)
            {
                foreach (var (lamp, street, index) in new[] { ("lp-1", "avenue-de-la-gare", 0), ("lp-2", "avenue-de-la-gare", 1), ("lp-3", "rue-victor-hugo", 2), ("lp-4", "rue-victor-hugo", 3) })
                {
                    if (lamp == "lp-4" && at > now - TimeSpan.FromDays(3))
                    {
                        continue;
                    }

                    var fault = lamp == "lp-3" && at > now - TimeSpan.FromHours(2) ? 2 : 0;
                    var on = watts > 0;
                    writer.Line(string.Create(CultureInfo.InvariantCulture, $"lamp,device_eui=eui-{lamp},device_model=WS558,lamp_id={lamp},site=ville,street={street} on={(on ? "true" : "false")},dim_pct={(watts == 20 ? 50 : on ? 100 : 0)},power_w={watts},energy_kwh={lampEnergyWh[index] / 1000:0.######},fault_code={fault} {seconds}"));
                }
            }
        }

        writer.Flush();
        var cqs = statements.Where(s => s.StartsWith("CREATE CONTINUOUS QUERY", StringComparison.Ordinal)).ToList();
        for (var month = from; month <= now; month = month.AddDays(30))
        {
            var end = month.AddDays(30) < now.AddHours(1) ? month.AddDays(30) : now.AddHours(1);
            foreach (var cq in cqs)
            {
                influx.Execute(RollUp(cq, month, end));
            }
        }

        influx.Execute("ALTER RETENTION POLICY raw ON sensors DURATION 90d");
    }

    /// <summary>Line protocol in gzip-ed batches of 50 000 lines, into one retention policy (seconds).</summary>
    internal sealed class Batch(InfluxServer influx, string policy = "raw") : IDisposable
    {
        private readonly StringBuilder _lines = new(8 * 1024 * 1024);
        private int _count;

        public void Line(string line)
        {
            _lines.Append(line).Append('\n');
            Lines++;
            if (++_count == 50_000)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_count == 0)
            {
                return;
            }

            using var body = new MemoryStream();
            using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(_lines.ToString()));
            }

            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentEncoding.Add("gzip");
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = influx.Http.PostAsync($"write?db={Database}&rp={policy}&precision=s", content).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"InfluxDB refused the seed: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            }

            _lines.Clear();
            _count = 0;
        }

        public long Lines { get; private set; }

        public void Dispose() => Flush();
    }
}
