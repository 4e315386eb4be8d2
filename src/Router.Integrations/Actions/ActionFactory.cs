using Router.Core.Config;
using Router.Core.Ports;

namespace Router.Integrations.Actions;

/// <summary>Where the backends find the system: PATH for ubus/uci/systemctl/conntrackd, the init script directory,
/// and rtnetlink for links (opened in the daemon's network namespace when the action runs).</summary>
public sealed record ActionEnvironment(CommandRunner Runner, Func<ILinkControl> OpenLinkControl)
{
    public string InitDir { get; init; } = "/etc/init.d";
    public string SystemdRuntimeDir { get; init; } = SystemdAction.RuntimeDir;
}

/// <summary>Builds the backend of each configured action.</summary>
public static class ActionFactory
{
    public static IRoleAction Create(ActionConfig c, ActionEnvironment env) => c.Kind switch
    {
        ActionKind.OpenWrtWan => new OpenWrtWanAction(c.Interfaces, c.MultipathMaster, c.MultipathBackup, OpenWrt(env)),
        ActionKind.OpenWrtGlorytun => new GlorytunAction(c.Services, OpenWrt(env)),
        ActionKind.OpenWrtDnsmasq => new OpenWrtDnsmasqAction(c.Sections, c.Services, OpenWrt(env)),
        ActionKind.OmrVpn => OmrSelectedServiceAction.Vpn(c.Vpn, OpenWrt(env)),
        ActionKind.OmrProxy => OmrSelectedServiceAction.Proxy(c.Proxy, OpenWrt(env)),
        ActionKind.OmrVpsApi => new OmrVpsApiAction(c.Servers, OpenWrt(env)),
        ActionKind.Link => new LinkAction(c.Interfaces, env.OpenLinkControl),
        ActionKind.Systemd => new SystemdAction(c.Services, env.Runner, env.SystemdRuntimeDir),
        ActionKind.Command => c.Check is { } check ? new CheckedCommandAction(c.Start, c.Stop, check, env.Runner) : new CommandPairAction(c.Start, c.Stop, env.Runner),
        ActionKind.Conntrackd => new ConntrackdAction(c.ConntrackdBinary ?? "conntrackd", c.ConntrackdConfig, env.Runner),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown action kind"),
    };

    private static OpenWrtSystem OpenWrt(ActionEnvironment env) => new(env.Runner, env.InitDir);

    public static Dictionary<string, IRoleAction> CreateAll(IEnumerable<ActionConfig> actions, ActionEnvironment env) =>
        actions.ToDictionary(a => a.Name, a => Create(a, env));
}
