namespace Router.LabKit;

/// <summary>
/// Kills, by pid, every process left inside the namespaces of one HA topology. A daemon killed mid-transition leaves
/// its notify or tunnel script running; such a script may start an OpenVPN client after the client's own cleanup ran,
/// which would then retry forever in a deleted namespace. `ip netns pids` names exactly the lab's processes.
/// </summary>
public static class LabReaper
{
    public static void KillEverythingIn(HaTopology t)
    {
        Netns[] all = [t.Lan.Switch, t.RouterA, t.RouterB, t.Client, t.IspA, t.IspB, t.Vps];
        var self = Environment.ProcessId;
        // A few rounds: a script killed between fork and exec can still have spawned one child.
        for (var round = 0; round < 3; round++)
        {
            var pids = all.SelectMany(PidsIn).Where(p => p != self).ToList();
            if (pids.Count == 0) return;
            foreach (var pid in pids)
            {
                Native.Kill(pid, Native.SIGKILL);
                LabRun.ForgetPid(pid);
            }
            try
            {
                Wait.For(() => all.SelectMany(PidsIn).Count(p => p != self), left => left == 0, TimeSpan.FromSeconds(1),
                    "lab namespaces to be empty", interval: TimeSpan.FromMilliseconds(50));
                return;
            }
            catch (TimeoutException) { /* next round kills what is left */ }
        }
    }

    private static IEnumerable<int> PidsIn(Netns ns)
    {
        var r = Shell.Run("ip", "netns", "pids", ns.Name);
        if (!r.Ok) return [];
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => int.TryParse(l, out var pid) ? pid : 0)
            .Where(p => p > 0)
            .ToList();
    }
}
