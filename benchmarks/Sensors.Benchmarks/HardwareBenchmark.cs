using System.Diagnostics;
using System.Text;
using Sensors.Hardware.Drivers;
using Sensors.Hardware.Emulation;
using Sensors.Testing;



/// <summary>
/// A large school: 30 CO2 sensors (12 SCD41, 6 SCD30, 6 MH-Z19B, 6 S8). First the CPU time of one
/// reading cycle of all 30 through the real drivers (and their emulators, so an upper bound),
/// as a share of one core at one cycle every 5 s; then the real gateway process polling 30
/// emulated sensors: its CPU share and its resident memory once steady. Goals: under 1 % of one
/// core, under 64 MB resident.
/// </summary>
internal static class HardwareBenchmark
{
    private static readonly string[] Models = ["SCD41", "SCD30", "MH-Z19B", "S8", "SCD41"];

    public static async Task RunAsync(int cycles, int seconds)
    {
        await DriversAsync(cycles);
        await GatewayAsync(seconds, []);
        await GatewayAsync(seconds, new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000", ["DOTNET_TieredPGO"] = "0" });
        await GatewayAsync(seconds, new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000", ["DOTNET_TieredPGO"] = "0", ["SENSORS_Http__Enabled"] = "false" });
    }

    private static async Task DriversAsync(int cycles)
    {
        var time = new VirtualTime(DateTimeOffset.UtcNow);
        var buses = new EmulatedBuses();
        var sensors = new List<ISensor>();
        for (var i = 0; i < 30; i++)
        {
            var location = Location(i);
            buses.Emulate(location, _ => (650, 21, 45), time);
            var sensor = SensorModels.Open(location, buses, time);
            await sensor.StartAsync(CancellationToken.None);
            sensors.Add(sensor);
        }

        async Task CycleAsync()
        {
            time.Advance(TimeSpan.FromSeconds(5));
            foreach (var sensor in sensors)
            {
                _ = await sensor.ReadAsync(CancellationToken.None) ?? throw new InvalidOperationException($"{sensor.Describe}: no reading");
            }
        }

        for (var i = 0; i < Math.Min(cycles, 200); i++)
        {
            await CycleAsync(); // warm-up: JIT, tiering
        }

        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < cycles; i++)
        {
            await CycleAsync();
        }

        watch.Stop();
        process.Refresh();
        var cpuPerCycle = (process.TotalProcessorTime - cpu).TotalMicroseconds / cycles;
        Console.WriteLine($"Hardware: 30 sensors (SCD41, SCD30, MH-Z19B, S8), {cycles:N0} reading cycles through the real drivers and their emulators:");
        Console.WriteLine($"  CPU per cycle of 30 readings: {cpuPerCycle:0} µs ({watch.Elapsed.TotalMicroseconds / cycles:0} µs elapsed), {(GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)cycles / 30:0} B allocated per reading on this thread");
        Console.WriteLine($"  at one cycle every 5 s: {cpuPerCycle / 5_000_000 * 100:0.000} % of one core (goal: under 1 %)");
    }

    private static async Task GatewayAsync(int seconds, Dictionary<string, string> environment)
    {
        using var folder = new TempFolder("hardware-bench");
        var site = new StringBuilder("site: grand-college\nname: Grand collège (benchmark)\nrooms:\n");
        for (var i = 0; i < 30; i++)
        {
            var location = Location(i);
            site.Append($"  - id: salle-{i}\n    volume_m3: 180\n    pupils: 28\n    sensors:\n      - id: sensor-{i}\n        model: {location.Model}\n        bus: {location.Bus}\n");
            if (location.Address is { } address)
            {
                site.Append($"        address: \"0x{address:x2}\"\n");
            }
        }

        File.WriteAllText(folder.File("site.yaml"), site.ToString());
        var env = new Dictionary<string, string>(environment) { ["SENSORS_Hardware__Enabled"] = "true" };
        using var gateway = new GatewayProcess(new
        {
            Gateway = new { Id = "bench-hardware", ReportInterval = "00:01:00" },
            Site = new { File = folder.File("site.yaml") },
            Hardware = new { Emulate = true },
        }, env).Start();
        gateway.Process.WaitForOutput("Sensor sensor-29", TimeSpan.FromSeconds(30));
        var pid = gateway.Process.Pid!.Value;
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(10, seconds / 3))); // warm-up, JIT, first readings
        var cpu = ProcessStats.CpuTicks(pid);
        var watch = Stopwatch.StartNew();
        var peak = 0L;
        var samples = new List<long>();
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rss = ProcessStats.StatusKiB(pid, "VmRSS");
            samples.Add(rss);
            peak = Math.Max(peak, rss);
        }

        var cpuShare = (ProcessStats.CpuTicks(pid) - cpu) / 100.0 / watch.Elapsed.TotalSeconds * 100;
        var steady = samples.Skip(samples.Count / 2).Average() / 1024;
        var flags = environment.Count == 0 ? "defaults" : string.Join(" ", environment.Select(e => $"{e.Key}={e.Value}"));
        Console.WriteLine($"Gateway process polling 30 emulated sensors for {seconds} s ({flags}):");
        Console.WriteLine($"  CPU: {cpuShare:0.00} % of one core (everything: polling, journal, status server, GC); resident memory steady {steady:0.0} MB, peak {peak / 1024.0:0.0} MB (goal: under 64 MB)");
    }

    private static SensorLocation Location(int i)
    {
        var model = Models[i % Models.Length];
        return SensorModels.IsI2c(model)
            ? new SensorLocation(model, $"i2c-{10 + i}", null, model == "SCD30" ? 5 : null)
            : new SensorLocation(model, $"/dev/ttyUSB{i}", null);
    }
}
