namespace Router.LabKit;

/// <summary>One named network namespace (/var/run/netns/NAME); deleted on Dispose.</summary>
public sealed class Netns : IDisposable
{
    public string Name { get; }
    private bool _deleted;

    private Netns(string name) => Name = name;

    public static Netns Create(string name)
    {
        if (name.Length > 15) throw new ArgumentException($"namespace name '{name}' longer than 15 characters");
        Shell.Ip("netns", "add", name);
        // Tracked so that the exit sweep deletes it even if its owner never gets to Dispose.
        LabRun.TrackNamespace(name);
        var ns = new Netns(name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    public string Path => $"/var/run/netns/{Name}";

    /// <summary>`ip -n NAME ...`, throwing on failure.</summary>
    public string Ip(params string[] args) => Shell.Ip(["-n", Name, .. args]);

    /// <summary>Runs a command inside the namespace and returns its result.</summary>
    public CommandResult Exec(string file, params string[] args) =>
        Shell.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Runs <paramref name="action"/> on a thread that entered this namespace; sockets it opens stay here.</summary>
    public T RunInside<T>(Func<T> action)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path);
                if (Native.SetNs((int)handle.DangerousGetHandle(), Native.CLONE_NEWNET) != 0)
                    throw new IOException($"setns({Name}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        { IsBackground = true, Name = $"in-{Name}" };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30))) throw new TimeoutException($"work inside {Name} did not finish");
        if (error is not null) throw new InvalidOperationException($"inside {Name}: {error.Message}", error);
        return result!;
    }

    public void Sysctl(params string[] assignments)
    {
        var r = Exec("sysctl", ["-q", "-w", .. assignments]);
        if (!r.Ok) throw new InvalidOperationException($"sysctl in {Name} failed: {r.StdErr.Trim()}");
    }

    /// <summary>
    /// Waits for the IPv6 link-local address of <paramref name="device"/> to be usable: the kernel adds it once the
    /// link has carrier (linkwatch work, asynchronous) and keeps it tentative for a moment even without DAD, and
    /// binding to it fails until then.
    /// </summary>
    public void WaitForLinkLocal(string device, TimeSpan? timeout = null) =>
        Wait.For(() => Ip("-6", "-o", "addr", "show", "dev", device, "scope", "link"),
            shown => shown.Contains("fe80::", StringComparison.Ordinal) && !shown.Contains("tentative", StringComparison.Ordinal),
            timeout ?? TimeSpan.FromSeconds(10), $"a usable link-local address on {device} in {Name}", shown => shown,
            TimeSpan.FromMilliseconds(20));

    public void Dispose()
    {
        if (_deleted) return;
        _deleted = true;
        // Still tracked if that failed: the exit sweep tries again.
        if (Shell.Run("ip", "netns", "del", Name).Ok) LabRun.ForgetNamespace(Name);
    }
}
