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
        var ns = new Netns(name);
        ns.Ip("link", "set", "lo", "up");
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

    public void Dispose()
    {
        if (_deleted) return;
        _deleted = true;
        Shell.Run("ip", "netns", "del", Name);
    }
}
