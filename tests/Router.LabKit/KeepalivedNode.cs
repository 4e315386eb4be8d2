using System.Text;

namespace Router.LabKit;

/// <summary>
/// keepalived 2.2.7 as a lab peer: VRRP-only (-P), foreground (-n), logging to the console, with its own
/// pid files so two instances on one host do not clash. State is the last "(NAME) Entering X STATE" line
/// of its log: notify scripts run asynchronously and, at 100 ms adverts, can finish out of order (seen:
/// MASTER written after the later BACKUP), so the notify file is kept as history only.
/// </summary>
public sealed partial class KeepalivedNode : VrrpNodeBase
{
    private volatile string? _loggedState;
    public const string Binary = "/usr/sbin/keepalived";
    private readonly NotifyScript _notify;
    private readonly string _dir;

    public KeepalivedNode(LabTopology topology, string label, VrrpSettings settings) : base(topology, label, settings)
    {
        _dir = Path.Combine(topology.WorkDir, $"keepalived-{label}");
        Directory.CreateDirectory(_dir);
        _notify = new NotifyScript(_dir, label);
    }

    public override string Kind => "keepalived";

    public string ConfigPath => Path.Combine(_dir, "keepalived.conf");
    private string PidFile(string name) => Path.Combine(_dir, name + ".pid");

    public NotifyScript Notify => _notify;

    /// <summary>A keepalived.conf to run as is instead of one rendered from Settings (Settings still names the
    /// instance whose state is read, and the VIPs and timers the lab waits on).</summary>
    public string? ConfigText { get; set; }

    protected override void WriteConfig()
    {
        File.Delete(_notify.StatePath);
        _loggedState = null;
        File.WriteAllText(ConfigPath, ConfigText ?? Render(Settings, Label, _notify.ScriptPath));
    }

    /// <summary>keepalived.conf equivalent of the routerha UCI instance.</summary>
    public static string Render(VrrpSettings s, string routerId, string notifyScript)
    {
        var b = new StringBuilder();
        b.Append("global_defs {\n");
        b.Append($"  router_id {routerId}\n");
        b.Append("  script_user root\n");
        b.Append("  enable_script_security\n");
        b.Append("}\n");
        b.Append($"vrrp_instance {s.InstanceName} {{\n");
        // nopreempt and preempt_delay are only honoured when the initial state is BACKUP; we always start there.
        b.Append("  state BACKUP\n");
        b.Append($"  interface {s.Interface}\n");
        b.Append($"  virtual_router_id {s.Vrid}\n");
        b.Append($"  version {s.Version}\n");
        b.Append($"  priority {s.Priority}\n");
        b.Append($"  advert_int {s.AdvertSeconds}\n");
        if (!s.Preempt) b.Append("  nopreempt\n");
        if (s.PreemptDelay > TimeSpan.Zero) b.Append($"  preempt_delay {VrrpSettings.FormatSeconds(s.PreemptDelay)}\n");
        if (s.AuthPass is not null)
            b.Append($"  authentication {{\n    auth_type PASS\n    auth_pass {s.AuthPass}\n  }}\n");
        if (s.UnicastPeers.Count > 0)
        {
            b.Append("  unicast_peer {\n");
            foreach (var p in s.UnicastPeers) b.Append($"    {p}\n");
            b.Append("  }\n");
        }
        b.Append($"  notify {notifyScript}\n");
        b.Append("  virtual_ipaddress {\n");
        foreach (var v in s.Vips) b.Append($"    {v}\n");
        b.Append("  }\n");
        b.Append("}\n");
        return b.ToString();
    }

    protected override (string File, string[] Args) Command() => (Binary,
        ["-n", "-l", "-D", "-P", "-f", ConfigPath,
         "-p", PidFile("main"), "-r", PidFile("vrrp"), "-c", PidFile("check"), "-b", PidFile("bfd")]);

    public override void Start()
    {
        foreach (var f in (string[])["main", "vrrp", "check", "bfd"]) File.Delete(PidFile(f));
        base.Start();
        // The VRRP child does the work; track it too so teardown can never leave it behind.
        Wait.UntilAsync(() => VrrpChildPid is not null || !IsRunning, TimeSpan.FromSeconds(10),
            $"keepalived {Label} VRRP child", Diagnostics).GetAwaiter().GetResult();
        if (VrrpChildPid is int child) LabRun.TrackPid(child);
    }

    private int? VrrpChildPid
    {
        get
        {
            try { return int.TryParse(File.ReadAllText(PidFile("vrrp")).Trim(), out var pid) ? pid : null; }
            catch (FileNotFoundException) { return null; }
        }
    }

    public override IReadOnlyList<int> Pids =>
        Process is null ? [] : VrrpChildPid is int c ? [Process.Pid, c] : [Process.Pid];

    /// <summary>
    /// A crash: the parent is stopped first so it cannot respawn the child, and the child dies before the
    /// parent, because a child that outlives its parent shuts down gracefully (priority-0 advert).
    /// </summary>
    public override void Kill9()
    {
        var parent = Process ?? throw new InvalidOperationException($"{Label} not started");
        var child = VrrpChildPid;
        Native.Kill(parent.Pid, 19 /* SIGSTOP */);
        if (child is int c)
        {
            Native.Kill(c, Native.SIGKILL);
            LabRun.ForgetPid(c);
        }
        base.Kill9();
    }

    protected override string? ObserveState() => _loggedState;

    protected override void OnLogLine(string line)
    {
        var m = EnteringStateRegex().Match(line);
        if (m.Success && m.Groups[1].Value == Settings.InstanceName) _loggedState = m.Groups[2].Value;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\((\S+)\) Entering (\w+) STATE")]
    private static partial System.Text.RegularExpressions.Regex EnteringStateRegex();

    public override string Diagnostics() =>
        base.Diagnostics() + $"\nnotify history: {string.Join(" | ", _notify.History)}";

    public override void Dispose()
    {
        if (VrrpChildPid is int c) LabRun.KillTracked(c);
        base.Dispose();
    }
}
