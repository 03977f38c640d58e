

/// <summary>CPU time and memory of a process, read from /proc.</summary>
internal static class ProcessStats
{
    /// <summary>User + system CPU time in clock ticks (USER_HZ, 100 per second).</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A line of /proc/pid/status ("VmRSS", "VmHWM"), as the kernel prints it ("61234 kB").</summary>
    public static string Status(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal))?[(key.Length + 1)..].Trim() ?? "?";

    public static long StatusKiB(int pid, string key) => long.Parse(Status(pid, key).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Bytes the process has caused to reach the storage layer (/proc/PID/io write_bytes).</summary>
    public static long WriteBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/io").First(l => l.StartsWith("write_bytes:", StringComparison.Ordinal))["write_bytes:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Where resident memory is (/proc/PID/smaps_rollup): anonymous (heaps, stacks, JIT'd code) and files (the runtime and assemblies mapped).</summary>
    public static string MemoryBreakdown(int pid)
    {
        var rollup = File.ReadLines($"/proc/{pid}/smaps_rollup")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[1].TrimEnd().EndsWith(" kB", StringComparison.Ordinal))
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim()[..^3], System.Globalization.CultureInfo.InvariantCulture));
        var anonymous = rollup.GetValueOrDefault("Anonymous");
        return $"{anonymous / 1024.0:0.0} MB anonymous, {(rollup.GetValueOrDefault("Rss") - anonymous) / 1024.0:0.0} MB files";
    }
}
