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
        ActionKind.OpenWrtWan => new OpenWrtWanAction(c.Interfaces, c.MultipathMaster, c.MultipathBackup, env.Runner),
        ActionKind.OpenWrtGlorytun => new GlorytunAction(c.Services, env.Runner, env.InitDir),
        ActionKind.OpenWrtDnsmasq => new InitScriptAction(c.Services, env.Runner, env.InitDir),
        ActionKind.Link => new LinkAction(c.Interfaces, env.OpenLinkControl),
        ActionKind.Systemd => new SystemdAction(c.Services, env.Runner, env.SystemdRuntimeDir),
        ActionKind.Command => c.Check is { } check ? new CheckedCommandAction(c.Start, c.Stop, check, env.Runner) : new CommandPairAction(c.Start, c.Stop, env.Runner),
        ActionKind.Conntrackd => new ConntrackdAction(c.ConntrackdBinary ?? "conntrackd", c.ConntrackdConfig, env.Runner),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown action kind"),
    };

    public static Dictionary<string, IRoleAction> CreateAll(IEnumerable<ActionConfig> actions, ActionEnvironment env) =>
        actions.ToDictionary(a => a.Name, a => Create(a, env));
}
