using System.Globalization;

namespace Router.Integrations.Health;

/// <summary>Up while a process runs: the one whose pid a pid file holds, or any whose name (/proc/PID/comm)
/// matches. A zombie does not count as running.</summary>
public sealed class ProcessProbe : HealthProbe
{
    private readonly string? _pidFile;
    private readonly string? _name;
    private readonly string _proc;

    private ProcessProbe(string? pidFile, string? name, string proc)
    {
        _pidFile = pidFile;
        _name = name;
        _proc = proc;
    }

    public static ProcessProbe ByPidFile(string pidFile, string proc = "/proc") => new(pidFile, null, proc);
    public static ProcessProbe ByName(string name, string proc = "/proc") => new(null, name, proc);

    protected override Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_pidFile is not null ? ByPid(_pidFile) : ByComm(_name!));

    private (bool, string) ByPid(string pidFile)
    {
        if (!File.Exists(pidFile)) return (false, $"{pidFile}: missing");
        var text = File.ReadAllText(pidFile).Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            return (false, $"{pidFile}: '{text}' is not a pid");
        return Running(pid) ? (true, $"pid {pid} running") : (false, $"pid {pid} (from {pidFile}) not running");
    }

    private (bool, string) ByComm(string name)
    {
        foreach (var dir in Directory.EnumerateDirectories(_proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string comm;
            try { comm = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'); }
            catch (IOException) { continue; }      // exited while we looked
            if (comm == name && Running(pid)) return (true, $"{name} running as pid {pid}");
        }
        return (false, $"no process named {name}");
    }

    private bool Running(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(_proc, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, the state follows the last ')'.
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }
}
