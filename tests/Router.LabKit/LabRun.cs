using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Router.LabKit;

/// <summary>
/// Identity of this lab process: every namespace it creates starts with <see cref="Prefix"/>, so parallel
/// runs never collide and the exit safety net removes exactly what this run left behind.
/// </summary>
public static class LabRun
{
    /// <summary>"rha" + 6 random hex digits: 9 characters, leaving room for a topology number and a role letter.</summary>
    public static readonly string Prefix = "rha" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    private static readonly ConcurrentDictionary<int, byte> LivePids = new();
    // Namespaces named without the prefix are still this run's to delete.
    private static readonly ConcurrentDictionary<string, byte> LiveNamespaces = new();
    private static int _topologyCounter;

    static LabRun()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => SweepAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => SweepAll();
    }

    public static int NextTopologyNumber() => Interlocked.Increment(ref _topologyCounter);

    public static void TrackPid(int pid) => LivePids[pid] = 0;

    public static void ForgetPid(int pid) => LivePids.TryRemove(pid, out _);

    public static void TrackNamespace(string name) => LiveNamespaces[name] = 0;

    public static void ForgetNamespace(string name) => LiveNamespaces.TryRemove(name, out _);

    /// <summary>SIGKILLs the pid if this run still owns it.</summary>
    public static void KillTracked(int pid)
    {
        if (LivePids.TryRemove(pid, out _)) Native.Kill(pid, Native.SIGKILL);
    }

    /// <summary>Last-resort cleanup at process exit: kill every process still tracked, delete this run's namespaces.</summary>
    public static void SweepAll()
    {
        foreach (var pid in LivePids.Keys) KillTracked(pid);
        foreach (var ns in ListOwnNamespaces().Union(LiveNamespaces.Keys))
        {
            try { Shell.Run("ip", "netns", "del", ns); } catch (Exception) { /* exit path: best effort */ }
        }
    }

    public static IReadOnlyList<string> ListOwnNamespaces()
    {
        var r = Shell.Run("ip", "netns", "list");
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToList();
    }
}
