using System.Text;

namespace Router.LabKit;

/// <summary>routerha under test: a UCI config, `routerha run -c FILE`, state from `routerha status --json`.</summary>
public sealed class RouterHaNode : VrrpNodeBase
{
    private readonly string _dir;
    private readonly string _binary;

    public RouterHaNode(LabTopology topology, string label, VrrpSettings settings) : base(topology, label, settings)
    {
        _binary = RouterHaBinary.Require();
        _dir = Path.Combine(topology.WorkDir, $"routerha-{label}");
        Directory.CreateDirectory(_dir);
        Notify = new NotifyScript(_dir, label);
    }

    public override string Kind => "routerha";
    public string ConfigPath => Path.Combine(_dir, "routerha.uci");
    public string ControlSocket => Path.Combine(_dir, "ctl.sock");
    public NotifyScript Notify { get; }

    /// <summary>A UCI config to run as is instead of one rendered from Settings (it must set control_socket to
    /// <see cref="ControlSocket"/>; Settings still names the instance whose state is read).</summary>
    public string? ConfigText { get; set; }

    protected override void WriteConfig() => File.WriteAllText(ConfigPath, ConfigText ?? Render(Settings, ControlSocket, Notify.ScriptPath));

    /// <summary>Rewrites the config with new settings (for `reload` tests) without restarting.</summary>
    public void Rewrite(VrrpSettings settings) => File.WriteAllText(ConfigPath, Render(settings, ControlSocket, Notify.ScriptPath));

    public static string Render(VrrpSettings s, string controlSocket, string? notifyScript)
    {
        var b = new StringBuilder();
        b.Append("config global\n");
        b.Append($"\toption control_socket '{controlSocket}'\n");
        b.Append("\toption syslog '0'\n");
        if (s.NodeName is not null) b.Append($"\toption node_name '{s.NodeName}'\n");
        // A lab daemon must never reach the host's system bus: only a test that starts its own bus turns D-Bus on.
        if (!s.GlobalUci.Contains("option dbus", StringComparison.Ordinal)) b.Append("\toption dbus '0'\n");
        b.Append(s.GlobalUci);
        b.Append('\n');
        b.Append($"config instance '{s.InstanceName}'\n");
        b.Append($"\toption interface '{s.Interface}'\n");
        b.Append($"\toption vrid '{s.Vrid}'\n");
        b.Append($"\toption version '{s.Version}'\n");
        b.Append($"\toption priority '{s.Priority}'\n");
        b.Append($"\toption advert_interval '{s.AdvertSeconds}'\n");
        b.Append($"\toption preempt '{(s.Preempt ? 1 : 0)}'\n");
        b.Append($"\toption preempt_delay '{VrrpSettings.FormatSeconds(s.PreemptDelay)}'\n");
        foreach (var v in s.Vips) b.Append($"\tlist vip '{v}'\n");
        foreach (var p in s.UnicastPeers) b.Append($"\tlist unicast_peer '{p}'\n");
        if (s.AuthPass is not null) b.Append($"\toption auth_pass '{s.AuthPass}'\n");
        if (notifyScript is not null) b.Append($"\toption notify '{notifyScript}'\n");
        b.Append(s.ExtraUci);
        return b.ToString();
    }

    protected override (string File, string[] Args) Command() => (_binary, ["run", "-c", ConfigPath]);

    /// <summary>Runs a CLI verb against this node's control socket (unix sockets are reachable from any netns).</summary>
    public CommandResult Cli(params string[] verb) =>
        Shell.Run(_binary, [.. verb, "-s", ControlSocket], TimeSpan.FromSeconds(10));

    /// <summary>A dnsmasq dhcp-script call (argv and DNSMASQ_* variables) as dnsmasq would make it, to this node's daemon.</summary>
    public CommandResult DhcpScript(string[] args, IReadOnlyDictionary<string, string> dnsmasqEnvironment) =>
        Shell.Run(_binary, ["dhcp-script", "-c", ConfigPath, "-s", ControlSocket, .. args], TimeSpan.FromSeconds(10), dnsmasqEnvironment);

    /// <summary>The parsed status, or null while the control socket does not answer.</summary>
    public RouterHaStatus? TryStatus()
    {
        if (!File.Exists(ControlSocket)) return null;
        var r = Cli("status", "--json");
        if (!r.Ok) return null;
        return RouterHaStatus.Parse(r.StdOut);
    }

    public RouterHaInstanceStatus Instance()
    {
        var st = TryStatus() ?? throw new InvalidOperationException($"routerha {Label}: status unavailable\n{Diagnostics()}");
        return st.Instances.Single(i => i.Name == Settings.InstanceName);
    }

    /// <summary>State of any instance of this node (a sync group test has more than one).</summary>
    public string? StateOf(string instance) => TryStatus()?.Instances.FirstOrDefault(i => i.Name == instance)?.State;

    protected override string? ObserveState() =>
        TryStatus()?.Instances.FirstOrDefault(i => i.Name == Settings.InstanceName)?.State;

    /// <summary>Runs a CLI verb that must succeed.</summary>
    public void RunVerb(params string[] verb)
    {
        var r = Cli(verb);
        if (!r.Ok)
            throw new InvalidOperationException($"routerha {string.Join(' ', verb)} on {Label} failed ({r.ExitCode}): {r.StdErr.Trim()}");
    }
}
