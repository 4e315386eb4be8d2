namespace Router.LabKit;

/// <summary>What both daemon wrappers share: the process, waiting on observed state, teardown.</summary>
public abstract class VrrpNodeBase : IVrrpNode
{
    protected LabProcess? Process { get; private set; }

    protected VrrpNodeBase(LabTopology topology, string label, VrrpSettings settings)
    {
        Topology = topology;
        Label = label;
        Settings = settings;
        Namespace = topology.Router(label[0]);
        topology.Own(this);
    }

    protected LabTopology Topology { get; }
    public string Label { get; }
    public abstract string Kind { get; }
    public Netns Namespace { get; }
    public VrrpSettings Settings { get; }

    protected abstract (string File, string[] Args) Command();

    /// <summary>Writes config files before each start (also used to restart a killed node).</summary>
    protected abstract void WriteConfig();

    /// <summary>How a supervisor stand-in starts the daemon: extra environment, and a wrapper around the command
    /// (it must exec the daemon, so the pid stays the daemon's). Null: started as is.</summary>
    public IReadOnlyDictionary<string, string>? ExtraEnvironment { get; set; }

    public Func<(string File, string[] Args), (string File, string[] Args)>? Wrap { get; set; }

    /// <summary>The daemon's pid, or null before the first start.</summary>
    public int? Pid => Process?.Pid;

    public virtual void Start()
    {
        if (IsRunning) throw new InvalidOperationException($"{Label} already running");
        Process?.Dispose();
        WriteConfig();
        var command = Command();
        var (file, args) = Wrap is { } wrap ? wrap(command) : command;
        Process = LabProcess.Start(Namespace, file, args, OnLogLine, ExtraEnvironment);
    }

    /// <summary>Each line the daemon prints, in order (called under the log lock).</summary>
    protected virtual void OnLogLine(string line) { }

    public bool IsRunning => Process is { HasExited: false };

    /// <summary>The daemon's exit code once it has exited; null while it runs or before it started.</summary>
    public int? ExitCode => Process?.ExitCode;

    /// <summary>Everything the daemon printed since its last start.</summary>
    public string Log() => Process?.Log ?? "";

    /// <summary>The last lines the daemon printed.</summary>
    public string LogTail() => Process?.LogTail() ?? "";

    public virtual IReadOnlyList<int> Pids => Process is null ? [] : [Process.Pid];

    public virtual void Kill9()
    {
        var p = Process ?? throw new InvalidOperationException($"{Label} not started");
        p.Kill9();
        if (!p.WaitForExitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult().HasValue)
            throw new InvalidOperationException($"{Label} survived SIGKILL");
    }

    /// <summary>SIGSTOP: the daemon hangs, alive, holding whatever it holds (only SIGKILL ends it now).</summary>
    public void Freeze()
    {
        var p = Process ?? throw new InvalidOperationException($"{Label} not started");
        Native.Kill(p.Pid, Native.SIGSTOP);
    }

    public async Task<int?> TerminateAsync(TimeSpan timeout)
    {
        var p = Process ?? throw new InvalidOperationException($"{Label} not started");
        p.SendTerm();
        return await p.WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    public string State => IsRunning ? ObserveState() ?? "UNKNOWN" : "STOPPED";

    /// <summary>The daemon's own view of its state, or null if it cannot be observed yet.</summary>
    protected abstract string? ObserveState();

    public Task WaitForStateAsync(string state, TimeSpan timeout, CancellationToken ct = default) =>
        Wait.UntilAsync(() =>
            {
                var s = State;
                if (s == "STOPPED" && state != "STOPPED")
                    throw new InvalidOperationException($"{Kind} {Label} exited (code {Process?.ExitCode}) while waiting for {state}\n{Diagnostics()}");
                return s == state;
            },
            timeout, $"{Kind} {Label} to become {state}", Diagnostics, ct);

    public virtual string Diagnostics() =>
        $"--- {Kind} {Label} in {Namespace.Name}: state {State}, exit {Process?.ExitCode?.ToString() ?? "-"}\n{Process?.LogTail()}";

    public virtual void Dispose()
    {
        Process?.Dispose();
        GC.SuppressFinalize(this);
    }
}
