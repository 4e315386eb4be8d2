namespace Router.LabKit;

/// <summary>Memory and CPU of a process from /proc, the figures the benchmark compares.</summary>
public static class ProcStats
{
    /// <summary>Resident set size in KiB (VmRSS in /proc/PID/status).</summary>
    public static long VmRssKb(int pid) => FieldKb($"/proc/{pid}/status", "VmRSS:");

    /// <summary>Proportional set size in KiB (shared pages split between sharers), /proc/PID/smaps_rollup.</summary>
    public static long PssKb(int pid) => FieldKb($"/proc/{pid}/smaps_rollup", "Pss:");

    /// <summary>
    /// CPU time of all threads: the nanosecond run time in /proc/PID/task/*/schedstat, because the 10 ms
    /// ticks of /proc/PID/stat are too coarse for an idle daemon over 30 s.
    /// </summary>
    public static TimeSpan CpuTime(int pid)
    {
        long ns = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try { ns += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0]); }
            catch (IOException) { /* thread ended between listing and reading */ }
        }
        return TimeSpan.FromTicks(ns / 100);
    }

    private static long FieldKb(string file, string key)
    {
        foreach (var line in File.ReadLines(file))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        throw new InvalidDataException($"{key} not in {file}");
    }
}
