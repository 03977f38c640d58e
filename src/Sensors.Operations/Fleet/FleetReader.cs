using Sensors.Central;
using Sensors.LoRaWan.Registry;
using Sensors.Sites;

namespace Sensors.Operations.Fleet;

/// <summary>
/// Reads the fleet from the central InfluxDB in one request of a dozen InfluxQL statements
/// (each answered by the database over its series, never raw points by the thousand): every
/// gateway's last heartbeat and its dead letters an hour before, every sensor's last health report and
/// reading, the nights' 5th percentiles and the lessons' spread, every device's last uplink, day's link
/// medians, frame-counter steps and battery, every lamp's last report. Then the rules.
/// </summary>
public sealed class FleetReader(IInfluxQuery influx, ConsoleOptions options, SiteDirectory sites, Func<RegistryFile> registry)
{
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(30);

    public async Task<FleetSnapshot> ReadAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var rules = options.Rules;
        var zone = options.Zone;
        var recent = $"time > {Ql.Time(now - LookBack)} AND time <= {Ql.Time(now)}";
        var day = $"time > {Ql.Time(now - TimeSpan.FromDays(1))} AND time <= {Ql.Time(now)}";
        var statements = new List<string>
        {
            $"SELECT * FROM {From("gateway")} WHERE {recent} GROUP BY gateway_id ORDER BY time DESC LIMIT 1",
            $"SELECT last(dead_letter_total) FROM {From("gateway")} WHERE time > {Ql.Time(now - LookBack)} AND time <= {Ql.Time(now - TimeSpan.FromHours(1))} GROUP BY gateway_id",
            $"SELECT * FROM {From("sensor_health")} WHERE {recent} GROUP BY sensor_id ORDER BY time DESC LIMIT 1",
            $"SELECT last(co2_ppm) FROM {From("air_quality")} WHERE {recent} AND device_eui = '' GROUP BY site, room, sensor_id, sensor_model",
            $"SELECT last(rssi_dbm) FROM {From("lorawan_link")} WHERE {recent} GROUP BY device_eui",
            $"SELECT median(rssi_dbm), median(snr_db), count(f_cnt) FROM {From("lorawan_link")} WHERE {day} GROUP BY device_eui",
            $"SELECT sum(step), count(step) FROM (SELECT non_negative_difference(f_cnt) AS step FROM {From("lorawan_link")} WHERE {day} GROUP BY device_eui) WHERE step > 0 GROUP BY device_eui",
            $"SELECT last(battery_pct) FROM {From("bin_fill")}, {From("air_quality")}, {From("lamp")} WHERE {recent} GROUP BY device_eui",
            $"SELECT last(battery_v) FROM {From("bin_fill")}, {From("air_quality")}, {From("lamp")} WHERE {recent} GROUP BY device_eui",
            $"SELECT * FROM {From("lamp")} WHERE {recent} GROUP BY lamp_id ORDER BY time DESC LIMIT 1",
        };
        var nights = Nights(now, zone, rules).ToList();
        var firstNight = statements.Count;
        statements.AddRange(nights.Select(n => $"SELECT percentile(co2_ppm, 5) FROM {From("air_quality")} WHERE time >= {Ql.Time(n.From)} AND time < {Ql.Time(n.To)} AND device_eui = '' GROUP BY sensor_id"));
        var windows = new Dictionary<(DateTimeOffset From, DateTimeOffset To), int>();
        var siteWindows = new Dictionary<string, (DateTimeOffset, DateTimeOffset)>(StringComparer.Ordinal);
        foreach (var site in sites.All)
        {
            if (StuckWindow(site.LessonHours, sites.Zone(site.Site, zone), now, rules.StuckFor) is { } window)
            {
                siteWindows[site.Site] = window;
                windows.TryAdd(window, 0);
            }
        }

        if (StuckWindow(LessonHours.Default, zone, now, rules.StuckFor) is { } fallback)
        {
            windows.TryAdd(fallback, 0);
        }

        foreach (var window in windows.Keys.ToList())
        {
            windows[window] = statements.Count;
            statements.Add($"SELECT spread(co2_ppm), count(co2_ppm) FROM {From("air_quality")} WHERE time >= {Ql.Time(window.From)} AND time < {Ql.Time(window.To)} AND device_eui = '' GROUP BY site, sensor_id");
        }

        var answer = await influx.QueryAsync(statements, cancellation).ConfigureAwait(false);
        var gateways = Gateways(answer[0], answer[1], now);
        var sensors = Sensors(answer[2], answer[3], answer.Skip(firstNight).Take(nights.Count).ToList(), windows, siteWindows, fallback: StuckWindow(LessonHours.Default, zone, now, rules.StuckFor), answer, now);
        var registered = registry();
        var devices = Devices(registered, answer[4], answer[5], answer[6], answer[7], answer[8], now);
        var lamps = Lamps(registered, answer[9], now);
        return new FleetSnapshot(now, gateways, sensors, devices, lamps);
    }

    private string From(string measurement) => options.Policy.Length > 0 ? options.Influx.Qualified(options.Policy, measurement) : Ql.Name(measurement);

    /// <summary>The last <see cref="RuleOptions.DriftNights"/> night windows (local time) that have ended.</summary>
    public static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Nights(DateTimeOffset now, TimeZoneInfo zone, RuleOptions rules)
    {
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var found = 0;
        for (var date = today; found < rules.DriftNights && date > today.AddDays(-rules.DriftNights - 2); date = date.AddDays(-1))
        {
            var to = LessonHours.Instant(date + rules.NightTo, zone);
            if (to <= now)
            {
                found++;
                yield return (LessonHours.Instant(date + rules.NightFrom, zone), to);
            }
        }
    }

    /// <summary>The last <paramref name="length"/> of the latest stretch of lessons that lasted that long (ongoing or within 8 days), or null.</summary>
    public static (DateTimeOffset From, DateTimeOffset To)? StuckWindow(LessonHours lessons, TimeZoneInfo zone, DateTimeOffset now, TimeSpan length)
    {
        var spans = lessons.Between(now - TimeSpan.FromDays(8), now, zone).ToList();
        for (var i = spans.Count - 1; i >= 0; i--)
        {
            var (from, to) = spans[i];
            while (i > 0 && spans[i - 1].To == from)
            {
                from = spans[--i].From; // back-to-back spans are one stretch
            }

            if (to - from >= length)
            {
                return (to - length, to);
            }
        }

        return null;
    }

    private List<GatewayRow> Gateways(IReadOnlyList<Series> last, IReadOnlyList<Series> hourAgo, DateTimeOffset now)
    {
        var before = hourAgo.Where(s => s.Rows.Count > 0).ToDictionary(s => s.Tag("gateway_id"), s => Series.Number(s.Rows[0], 1), StringComparer.Ordinal);
        var rows = new List<GatewayRow>();
        foreach (var series in last.Where(s => s.Rows.Count > 0))
        {
            var id = series.Tag("gateway_id");
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var c = 1; c < series.Columns.Count; c++)
            {
                fields[series.Columns[c]] = series.Rows[0][c];
            }

            var row = new GatewayRow(id, options.ServiceOfGateway(id), Series.Time(series.Rows[0]), fields, []);
            rows.Add(row with { Problems = Rules.Gateway(row, now, options.Rules, before.GetValueOrDefault(id)) });
        }

        return [.. rows.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private List<SensorRow> Sensors(
        IReadOnlyList<Series> health,
        IReadOnlyList<Series> lastCo2,
        IReadOnlyList<IReadOnlyList<Series>> nights,
        Dictionary<(DateTimeOffset, DateTimeOffset), int> windows,
        Dictionary<string, (DateTimeOffset, DateTimeOffset)> siteWindows,
        (DateTimeOffset, DateTimeOffset)? fallback,
        IReadOnlyList<IReadOnlyList<Series>> answer,
        DateTimeOffset now)
    {
        var rows = new Dictionary<string, SensorRow>(StringComparer.Ordinal);
        foreach (var series in lastCo2.Where(s => s.Rows.Count > 0 && s.Tag("sensor_id").Length > 0))
        {
            var id = series.Tag("sensor_id");
            rows[id] = new SensorRow(series.Tag("site"), series.Tag("room"), id, series.Tag("sensor_model"), null, Series.Time(series.Rows[0]), Series.Number(series.Rows[0], 1),
                null, null, null, null, null, null, 0, null, 0, []);
        }

        foreach (var series in health.Where(s => s.Rows.Count > 0))
        {
            var id = series.Tag("sensor_id");
            var row = series.Rows[0];
            string? Text(string column) => series.Find(column) is var i and >= 0 && row[i] is string text ? text : null;
            var existing = rows.GetValueOrDefault(id) ?? new SensorRow(Text("site") ?? string.Empty, Text("room") ?? string.Empty, id, Text("sensor_model") ?? string.Empty, null, null, null, null, null, null, null, null, null, 0, null, 0, []);
            rows[id] = existing with
            {
                GatewayId = Text("gateway_id"),
                State = Text("state"),
                Reason = Text("reason"),
                Compensation = Text("compensation"),
                SelfCalibration = Text("self_calibration") is { } on ? $"{on} ({Text("self_calibration_by") ?? "?"})" : null,
                LastCalibration = Text("last_calibration"),
            };
        }

        var nightly = new Dictionary<string, List<double?>>(StringComparer.Ordinal);
        foreach (var night in nights)
        {
            foreach (var series in night.Where(s => s.Rows.Count > 0))
            {
                (nightly.TryGetValue(series.Tag("sensor_id"), out var list) ? list : nightly[series.Tag("sensor_id")] = []).Add(Series.Number(series.Rows[0], 1));
            }
        }

        var result = new List<SensorRow>(rows.Count);
        foreach (var row in rows.Values)
        {
            var (baseline, count) = Rules.NightBaseline(nightly.GetValueOrDefault(row.SensorId) ?? []);
            (double? Spread, long Count) lesson = (null, 0);
            if ((siteWindows.TryGetValue(row.Site, out var window) ? window : fallback) is { } w && windows.TryGetValue(w, out var index))
            {
                var series = answer[index].FirstOrDefault(s => s.Tag("sensor_id") == row.SensorId && s.Tag("site") == row.Site && s.Rows.Count > 0);
                if (series is not null)
                {
                    lesson = (Series.Number(series.Rows[0], 1), (long)(Series.Number(series.Rows[0], 2) ?? 0));
                }
            }

            var complete = row with { NightBaseline = baseline, Nights = count, LessonSpread = lesson.Spread, LessonReadings = lesson.Count };
            result.Add(complete with { Problems = Rules.Sensor(complete, now, options.Rules) });
        }

        return [.. result.OrderBy(r => r.Site, StringComparer.Ordinal).ThenBy(r => r.Room, StringComparer.Ordinal).ThenBy(r => r.SensorId, StringComparer.Ordinal)];
    }

    private List<DeviceRow> Devices(RegistryFile registry, IReadOnlyList<Series> lastLink, IReadOnlyList<Series> medians, IReadOnlyList<Series> steps, IReadOnlyList<Series> batteryPct, IReadOnlyList<Series> batteryV, DateTimeOffset now)
    {
        static Dictionary<string, object?[]> ByEui(IReadOnlyList<Series> series) =>
            series.Where(s => s.Rows.Count > 0 && s.Tag("device_eui").Length > 0).GroupBy(s => DeviceRegistry.NormaliseEui(s.Tag("device_eui")) ?? s.Tag("device_eui"))
                .ToDictionary(g => g.Key, g => g.OrderByDescending(s => Series.Time(s.Rows[0])).First().Rows[0], StringComparer.Ordinal);

        var last = ByEui(lastLink);
        var day = ByEui(medians);
        var step = ByEui(steps);
        var pct = ByEui(batteryPct);
        var volts = ByEui(batteryV);
        var known = registry.Devices.Where(d => DeviceRegistry.NormaliseEui(d.DevEui) is not null).GroupBy(d => DeviceRegistry.NormaliseEui(d.DevEui)!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rows = new List<DeviceRow>();
        foreach (var eui in known.Keys.Union(last.Keys).Distinct(StringComparer.Ordinal))
        {
            var spec = known.GetValueOrDefault(eui);
            var type = spec is null ? null : registry.DeviceTypes.GetValueOrDefault(spec.Type);
            var (kind, service, asset) = spec switch
            {
                { BinId.Length: > 0 } => ("bin", "waste", spec.BinId!),
                { LampId.Length: > 0 } => ("lamp", "lighting", spec.LampId!),
                { Room.Length: > 0 } => ("room", "environment", spec.Room!),
                _ => ("unknown", "unknown", string.Empty),
            };
            var frames = day.TryGetValue(eui, out var d) ? (long)(Series.Number(d, 3) ?? 0) : 0;
            var lost = step.TryGetValue(eui, out var s) ? Rules.FramesLost(Series.Number(s, 1) ?? 0, (long)(Series.Number(s, 2) ?? 0)) : 0;
            var row = new DeviceRow(
                eui,
                service,
                kind,
                spec?.Site ?? string.Empty,
                asset,
                type?.Model ?? string.Empty,
                last.TryGetValue(eui, out var l) ? Series.Time(l) : null,
                type?.UplinkEveryS is { } every and > 0 ? TimeSpan.FromSeconds(every) : null,
                pct.TryGetValue(eui, out var p) ? Series.Number(p, 1) : null,
                volts.TryGetValue(eui, out var v) ? Series.Number(v, 1) : null,
                d is null ? null : Series.Number(d, 1),
                d is null ? null : Series.Number(d, 2),
                frames,
                lost,
                [],
                type?.BatteryLowPct,
                type?.BatteryLowV);
            rows.Add(row with { Problems = Rules.Device(row, now, options.Rules) });
        }

        return [.. rows.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Site, StringComparer.Ordinal).ThenBy(r => r.Asset, StringComparer.Ordinal).ThenBy(r => r.Eui, StringComparer.Ordinal)];
    }

    private List<LampRow> Lamps(RegistryFile registry, IReadOnlyList<Series> last, DateTimeOffset now)
    {
        var rated = registry.Devices.Where(d => !string.IsNullOrEmpty(d.LampId))
            .GroupBy(d => d.LampId!).ToDictionary(g => g.Key, g => registry.DeviceTypes.GetValueOrDefault(g.First().Type)?.RatedPowerW, StringComparer.Ordinal);
        var rows = new List<LampRow>();
        foreach (var series in last.Where(s => s.Rows.Count > 0))
        {
            var row = series.Rows[0];
            object? Value(string column) => series.Find(column) is var i and >= 0 ? row[i] : null;
            double? Number(string column) => Value(column) switch { double x when double.IsFinite(x) => x, long n => n, _ => null };
            var on = Value("on") switch { bool b => b, long n => n != 0, double x => x != 0, _ => (bool?)null };
            var id = series.Tag("lamp_id");
            var lamp = new LampRow(id, Value("site") as string ?? string.Empty, Value("street") as string ?? string.Empty, Value("device_eui") as string ?? string.Empty, Value("device_model") as string ?? string.Empty,
                Series.Time(row), on, Number("dim_pct"), Number("power_w"), Number("fault_code") is { } f ? (long)f : null, rated.GetValueOrDefault(id), []);
            rows.Add(lamp with { Problems = Rules.Lamp(lamp, now, options.Rules, options.Latitude, options.Longitude) });
        }

        return [.. rows.OrderBy(r => r.Site, StringComparer.Ordinal).ThenBy(r => r.Street, StringComparer.Ordinal).ThenBy(r => r.LampId, StringComparer.Ordinal)];
    }
}
