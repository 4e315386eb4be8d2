namespace Router.LabKit;

/// <summary>
/// routerha as installed from the ipk into a musl-only root, run with chroot inside the router's namespace:
/// the artifact an OpenWrt router runs. Its CLI (status, notify scripts) also runs inside the root.
/// </summary>
public sealed class MuslRouterHaNode : VrrpNodeBase
{
    public const string ConfigInside = "/etc/config/routerha";
    public const string SocketInside = "/var/run/routerha.sock";
    public const string NotifyInside = "/usr/libexec/lab-notify.sh";
    public const string NotifyLogInside = "/tmp/notify.log";

    public MuslRouterHaNode(LabTopology topology, string label, VrrpSettings settings, MuslRoot root)
        : base(topology, label, settings)
    {
        Root = root;
        root.WriteFile(NotifyInside, $"#!/bin/sh\necho \"$1 $2 $3 $4\" >> {NotifyLogInside}\n", "0755");
    }

    public MuslRoot Root { get; }

    /// <summary>Each line the daemon prints, as it arrives (the bench times start-up by it).</summary>
    public event Action<string>? LogLine;

    protected override void OnLogLine(string line) => LogLine?.Invoke(line);
    public override string Kind => "routerha-musl";

    protected override void WriteConfig() =>
        Root.WriteFile(ConfigInside, RouterHaNode.Render(Settings, SocketInside, NotifyInside), "0600");

    protected override (string File, string[] Args) Command() =>
        ("chroot", [Root.Dir, "/usr/sbin/routerha", "run", "-c", ConfigInside]);

    /// <summary>Every notify call as "INSTANCE NAME STATE PRIORITY" lines.</summary>
    public IReadOnlyList<string> NotifyHistory =>
        File.Exists(Root.PathOf(NotifyLogInside)) ? File.ReadAllLines(Root.PathOf(NotifyLogInside)) : [];

    public RouterHaStatus? TryStatus()
    {
        if (!File.Exists(Root.PathOf(SocketInside))) return null;
        var r = Root.Run("/usr/sbin/routerha", "status", "--json", "-c", ConfigInside);
        return r.Ok ? RouterHaStatus.Parse(r.StdOut) : null;
    }

    protected override string? ObserveState() =>
        TryStatus()?.Instances.FirstOrDefault(i => i.Name == Settings.InstanceName)?.State;
}
