using System.Globalization;

namespace Sensors.Testing;

/// <summary>How big a generated city is. <see cref="City"/> is a real city's size (#25); the tests use a small one.</summary>
public sealed record CitySize(
    int Schools = 60,
    int RoomsPerSchool = 8,
    int HourlyDays = 365,
    int MinuteDays = 14,
    int Sectors = 40,
    int Bins = 11_200,
    int PickupDays = 365,
    int Containers = 3_000,
    int FillDays = 30,
    int Lamps = 1_500,
    int Streets = 100,
    int LampDays = 30)
{
    public static CitySize City { get; } = new();

    public int Rooms => Schools * RoomsPerSchool;

    public override string ToString() =>
        $"{Schools} schools × {RoomsPerSchool} rooms = {Rooms} rooms ({HourlyDays} days hourly, {MinuteDays} days minute data); {Bins:N0} bins in {Sectors} sectors ({PickupDays} days of pickups); {Containers:N0} containers ({FillDays} days); {Lamps:N0} lamps on {Streets} streets ({LampDays} days)";
}

/// <summary>
/// A city of any size written straight into a real InfluxDB as the gateways and the continuous
/// queries of schema.iql would leave it: minute data in "raw" for the last days the raw policy
/// keeps, and the hourly roll-ups in "hourly" for the whole period (computed here, the same
/// numbers the CQs give). Deterministic: the same size and end give the same points.
/// <list type="bullet">
/// <item>classrooms "ecole-NN"/"salle-N": CO2 by the hour of a school day; one reading a minute;</item>
/// <item>bins "bin-NNNNN" (household pseudonyms) in "secteur-NN": each lifted once a week, on its
/// sector's weekday, 06:00–12:00, 60–80 % of them with a weight;</item>
/// <item>containers "pav-NNNN": a fill level every hour, rising through the week;</item>
/// <item>lamps "lp-NNNN" on "rue-NNN": every 10 minutes, 40 W in the evening and morning, 20 W
/// dimmed at night, off by day; a few with a fault code, a few silent for the last two days.</item>
/// </list>
/// </summary>
public static class CityScale
{
    /// <summary>Writes the schema and the city ending at <paramref name="now"/>; the number of points written.</summary>
    public static long Write(InfluxServer influx, CitySize size, DateTimeOffset now)
    {
        foreach (var statement in CitySeed.SchemaStatements())
        {
            influx.Execute(statement);
        }

        long points = 0;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        using (var raw = new CitySeed.Batch(influx, "raw"))
        using (var hourly = new CitySeed.Batch(influx, "hourly"))
        {
            Classrooms(raw, hourly, size, today, now);
            Pickups(raw, hourly, size, today, now);
            Containers(raw, hourly, size, today, now);
            Lamps(raw, hourly, size, today, now);
            raw.Flush();
            hourly.Flush();
            points = raw.Lines + hourly.Lines;
        }

        return points;
    }

    public static string School(int i) => $"ecole-{i:00}";

    public static string Sector(int i) => $"secteur-{i:00}";

    public static string Street(int i) => $"rue-{i:000}";

    private static double Co2(int room, DateTime local)
    {
        if (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || local.Hour < 8 || local.Hour >= 17)
        {
            return 420 + (room % 7);
        }

        return 600 + (((room * 37) + (local.Hour * 53) + local.Minute) % 1300);
    }

    private static void Classrooms(CitySeed.Batch raw, CitySeed.Batch hourly, CitySize size, DateTimeOffset today, DateTimeOffset now)
    {
        var paris = CitySeed.Paris;
        var hourlyFrom = today.AddDays(-size.HourlyDays);
        var minuteFrom = today.AddDays(-size.MinuteDays);
        for (var at = hourlyFrom; at <= now; at = at.AddHours(1))
        {
            var local = TimeZoneInfo.ConvertTime(at, paris).DateTime;
            for (var room = 0; room < size.Rooms; room++)
            {
                var (school, name) = (School(room / size.RoomsPerSchool), $"salle-{room % size.RoomsPerSchool}");
                double sum = 0, min = double.MaxValue, max = 0;
                int above1000 = 0, above1700 = 0;
                for (var m = 0; m < 60; m++)
                {
                    var ppm = Co2(room, local.AddMinutes(m));
                    sum += ppm;
                    min = Math.Min(min, ppm);
                    max = Math.Max(max, ppm);
                    above1000 += ppm > 1000 ? 1 : 0;
                    above1700 += ppm > 1700 ? 1 : 0;
                    if (at >= minuteFrom && at.AddMinutes(m) <= now)
                    {
                        raw.Line(string.Create(CultureInfo.InvariantCulture, $"air_quality,room={name},sensor_id=scd41-{room},sensor_model=SCD41,site={school} co2_ppm={ppm},temperature_c=20.5,humidity_pct=45 {at.AddMinutes(m).ToUnixTimeSeconds()}"));
                    }
                }

                var extra = (above1000 > 0 ? $",samples_above_1000={above1000}i" : string.Empty) + (above1700 > 0 ? $",samples_above_1700={above1700}i" : string.Empty);
                hourly.Line(string.Create(CultureInfo.InvariantCulture, $"air_quality,room={name},sensor_id=scd41-{room},sensor_model=SCD41,site={school} co2_ppm={sum / 60:0.###},co2_ppm_min={min},co2_ppm_max={max},samples=60i{extra},temperature_c=20.5,humidity_pct=45 {at.ToUnixTimeSeconds()}"));
            }
        }
    }

    private static void Pickups(CitySeed.Batch raw, CitySeed.Batch hourly, CitySize size, DateTimeOffset today, DateTimeOffset now)
    {
        var paris = CitySeed.Paris;
        var rawFrom = today.AddDays(-88);
        for (var day = today.AddDays(-size.PickupDays); day <= now; day = day.AddDays(1))
        {
            var local = TimeZoneInfo.ConvertTime(day, paris).DateTime.Date;
            for (var bin = 0; bin < size.Bins; bin++)
            {
                var sector = bin % size.Sectors;
                if ((int)local.DayOfWeek != 1 + (sector % 5))
                {
                    continue; // each sector's round is on one weekday
                }

                var minute = 6 * 60 + ((bin * 7919) % 360);
                var localTime = local.AddMinutes(minute);
                var at = new DateTimeOffset(localTime, paris.GetUtcOffset(localTime));
                if (at > now)
                {
                    continue;
                }

                var weight = bin % 10 < 7 ? string.Create(CultureInfo.InvariantCulture, $",weight_kg={5 + ((bin * 31 + local.DayOfYear) % 200) / 10.0}") : string.Empty;
                var tags = $"bin_pickup,bin_id=bin-{bin:00000},sector={Sector(sector)},truck_id=camion-{sector % 8}";
                if (at >= rawFrom)
                {
                    raw.Line($"{tags} count=1i{weight} {at.ToUnixTimeSeconds()}");
                }

                var hour = at.ToUnixTimeSeconds() / 3600 * 3600;
                hourly.Line($"{tags} count=1i{weight} {hour}");
            }
        }
    }

    private static void Containers(CitySeed.Batch raw, CitySeed.Batch hourly, CitySize size, DateTimeOffset today, DateTimeOffset now)
    {
        for (var at = today.AddDays(-size.FillDays); at <= now; at = at.AddHours(1))
        {
            var hours = (int)(at - today.AddDays(-size.FillDays)).TotalHours;
            for (var c = 0; c < size.Containers; c++)
            {
                var fill = Math.Min(100, ((c * 13) + hours) % 170 / 1.6);
                var line = string.Create(CultureInfo.InvariantCulture, $"bin_fill,bin_id=pav-{c:0000},device_eui=eui-pav-{c:0000},device_model=EM310-UDL,sector={Sector(c % size.Sectors)},site=depot fill_pct={fill:0.#},battery_pct=90 {at.ToUnixTimeSeconds()}");
                raw.Line(line);
                hourly.Line(string.Create(CultureInfo.InvariantCulture, $"bin_fill,bin_id=pav-{c:0000},device_eui=eui-pav-{c:0000},device_model=EM310-UDL,sector={Sector(c % size.Sectors)},site=depot fill_pct={fill:0.#},fill_pct_max={fill:0.#},battery_pct=90 {at.ToUnixTimeSeconds()}"));
            }
        }
    }

    private static void Lamps(CitySeed.Batch raw, CitySeed.Batch hourly, CitySize size, DateTimeOffset today, DateTimeOffset now)
    {
        var paris = CitySeed.Paris;
        var meters = new double[size.Lamps];
        var from = today.AddDays(-size.LampDays);
        for (var at = from; at <= now; at = at.AddMinutes(10))
        {
            var local = TimeZoneInfo.ConvertTime(at, paris).DateTime;
            var watts = CitySeed.LampPower(local);
            for (var lamp = 0; lamp < size.Lamps; lamp++)
            {
                meters[lamp] += watts * (1 + (lamp % 3 * 0.25)) / 6000.0; // kWh in 10 minutes
                var silent = lamp % 250 == 7 && at > now - TimeSpan.FromDays(2);
                if (silent)
                {
                    continue;
                }

                var fault = lamp % 100 == 3 && at > now - TimeSpan.FromHours(3) ? 2 : 0;
                var power = watts * (1 + (lamp % 3 * 0.25));
                var dim = watts == 20 ? 50 : watts > 0 ? 100 : 0;
                var tags = $"lamp,device_eui=eui-lp-{lamp:0000},device_model=WS558,lamp_id=lp-{lamp:0000},site=ville,street={Street(lamp % size.Streets)}";
                raw.Line(string.Create(CultureInfo.InvariantCulture, $"{tags} on={(watts > 0 ? "true" : "false")},dim_pct={dim},power_w={power},energy_kwh={meters[lamp]:0.######},fault_code={fault} {at.ToUnixTimeSeconds()}"));
                if (local.Minute == 50)
                {
                    var hour = at.AddMinutes(-50);
                    hourly.Line(string.Create(CultureInfo.InvariantCulture, $"{tags} dim_pct={dim},power_w={power},energy_kwh={meters[lamp]:0.######},fault_code={fault} {hour.ToUnixTimeSeconds()}"));
                }

            }
        }
    }
}
