using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Sensors.Gateway.Http;
using Sensors.Pipeline.Metrics;
using Sensors.Testing;

namespace Sensors.Benchmarks;

/// <summary>
/// /metrics through System.Diagnostics.Metrics (#17): our small <see cref="PrometheusExporter"/>
/// served by the gateway's own HTTP server, against OpenTelemetry's SDK with its Prometheus
/// HttpListener exporter (the packaged alternative), and against a fixed text served by our server
/// (the baseline: what HTTP alone costs). Each runs in a process of its own, so that one's
/// assemblies do not weigh on another's memory; the same instruments in each, shaped like a school
/// gateway's: 30 sensors by outcome and by state (240 series), 30 other families, a write-time
/// histogram. Figures: managed heap and resident memory the exporter adds, assemblies loaded,
/// bytes allocated and time per scrape.
/// </summary>
internal static class MetricsBenchmark
{
    private const int Sensors = 30;

    public static async Task RunAsync(int scrapes)
    {
        Console.WriteLine($"Metrics (#17): /metrics from System.Diagnostics.Metrics, {scrapes} scrapes each, one process each");
        var rows = new List<(string Name, Dictionary<string, double> Figures)>();
        foreach (var contender in new[] { "baseline", "ours", "opentelemetry" })
        {
            rows.Add((contender, await ChildAsync(contender, scrapes)));
        }

        var baseline = rows[0].Figures;
        Console.WriteLine($"  {"exporter",-15} {"heap added",11} {"RSS added",10} {"assemblies",10} {"alloc/scrape",13} {"µs/scrape",10} {"text bytes",10}");
        foreach (var (name, f) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-15} {f["heap_kb"] - (name == "baseline" ? 0 : baseline["heap_kb"]),8:0} KB {f["rss_kb"] - (name == "baseline" ? 0 : baseline["rss_kb"]),7:0} KB {f["assemblies"],10:0} {f["alloc_per_scrape"],10:0} B {f["us_per_scrape"],10:0} {f["bytes"],10:0}"));
        }

        var ours = rows[1].Figures;
        var otel = rows[2].Figures;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  OpenTelemetry / ours: {(otel["rss_kb"] - baseline["rss_kb"]) / Math.Max(1, ours["rss_kb"] - baseline["rss_kb"]):0.0}x the resident memory added, {otel["alloc_per_scrape"] / ours["alloc_per_scrape"]:0.0}x the bytes allocated per scrape, {otel["us_per_scrape"] / ours["us_per_scrape"]:0.0}x the time per scrape"));
        Console.WriteLine("  (heap and RSS added: over the baseline process, which has the same HTTP client, server and runtime; RSS moves by a few hundred KB from run to run)");
    }

    private static async Task<Dictionary<string, double>> ChildAsync(string contender, int scrapes)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in Environment.GetCommandLineArgs().Skip(1).Take(0).Concat(["metrics-child", contender, scrapes.ToString(CultureInfo.InvariantCulture)]))
        {
            info.ArgumentList.Add(argument);
        }

        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Insert(0, typeof(MetricsBenchmark).Assembly.Location);
        }

        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_TieredPGO"] = "1";
        using var child = Process.Start(info)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        var errors = await child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("figures ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"metrics-child {contender} printed no figures: {output} {errors}");
        return line["figures ".Length..].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    /// <summary>One contender, in this process: set up, scrape once (warm), measure, scrape <paramref name="scrapes"/> times.</summary>
    public static async Task ChildRunAsync(string contender, int scrapes)
    {
        using var http = new HttpClient();
        await Task.Yield();
        var port = FreePort.Next();
        using var stop = new CancellationTokenSource();
        using var meter = new Meter("Sensors.Gateway");
        Settle();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        IDisposable? exporter = null;
        var path = "/metrics";
        switch (contender)
        {
            case "baseline":
                var fixedText = string.Concat(Enumerable.Repeat("sensors_x_total{source=\"mqtt\"} 12\n", 300));
                _ = new SmallHttpServer(0, TimeSpan.FromSeconds(5), (_, _) => Task.FromResult(new HttpResponse(200, PrometheusExporter.ContentType, fixedText))).Start(IPAddress.Loopback, port, stop.Token);
                break;
            case "ours":
                var ours = new PrometheusExporter(meter);
                exporter = ours;
                Instruments(meter);
                _ = new SmallHttpServer(0, TimeSpan.FromSeconds(5), (_, _) => Task.FromResult(new HttpResponse(200, PrometheusExporter.ContentType, ours.Collect()))).Start(IPAddress.Loopback, port, stop.Token);
                break;
            case "opentelemetry":
                Instruments(meter);
                exporter = Sdk.CreateMeterProviderBuilder().AddMeter("Sensors.Gateway")
                    .AddPrometheusHttpListener(o =>
                    {
                        o.Host = "127.0.0.1";
                        o.Port = port;
                        o.ScrapeResponseCacheDurationMilliseconds = 0; // every scrape collects, as ours does
                        o.DisableTotalNameSuffixForCounters = true;    // our names already end in _total
                    })
                    .Build();
                break;
        }

        var url = new Uri($"http://127.0.0.1:{port}{path}");
        var bytes = (await http.GetStringAsync(url)).Length; // warm: JIT, first connection
        for (var i = 0; i < 20; i++)
        {
            await http.GetStringAsync(url);
        }

        Settle();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssKb = Environment.WorkingSet / 1024.0;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < scrapes; i++)
        {
            await http.GetStringAsync(url);
        }

        clock.Stop();
        var perScrape = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)scrapes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"figures heap_kb={(heapAfter - heapBefore) / 1024.0:0.0} rss_kb={rssKb:0} assemblies={AppDomain.CurrentDomain.GetAssemblies().Length} alloc_per_scrape={perScrape:0} us_per_scrape={clock.Elapsed.TotalMicroseconds / scrapes:0.0} bytes={bytes}"));
        exporter?.Dispose();
        await stop.CancelAsync();
    }

    private static void Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>A school gateway's instruments: 30 sensors by outcome and by state, thirty single families, a histogram.</summary>
    private static void Instruments(Meter meter)
    {
        var outcomes = new[] { "ok", "warmup", "refused", "failed" };
        var states = new[] { "ok", "warming_up", "degraded", "failed" };
        meter.CreateObservableCounter("sensors_sensor_readings", () => Enumerable.Range(0, Sensors).SelectMany(s => outcomes.Select(o => Measure.Of(1000 + s, ("site", "ecole-jules-ferry"), ("room", $"salle-{s}"), ("sensor_id", $"scd41-{s}"), ("model", "SCD41"), ("outcome", o)))), description: "Readings of each CO2 sensor by outcome.");
        meter.CreateObservableGauge("sensors_sensor_health", () => Enumerable.Range(0, Sensors).SelectMany(s => states.Select(o => Measure.Of(o == "ok" ? 1 : 0, ("site", "ecole-jules-ferry"), ("room", $"salle-{s}"), ("sensor_id", $"scd41-{s}"), ("model", "SCD41"), ("state", o)))), description: "1 for each sensor's current state.");
        for (var i = 0; i < 30; i++)
        {
            var value = i * 17L;
            meter.CreateObservableGauge($"sensors_family_{i}", () => value, description: $"Family {i}.");
        }

        var histogram = meter.CreateHistogram("sensors_influx_write_duration_seconds", unit: null, description: "Time InfluxDB took to answer a batch.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(0.003 * (i % 50));
        }
    }
}
