using Router.Core.Config;

namespace Router.Integrations.Actions;

/// <summary>
/// What `routerha boot-guard` does before dnsmasq (START 19) and netifd (20) start: `network.X.auto=0` on every interface
/// of a fenced openwrt_wan action, so netifd leaves them down at boot, and `dhcp.S.ignore=1` on every section of an
/// openwrt_dnsmasq action, so a former MASTER's dnsmasq (its `force 1` still committed, which skips dhcp_check) does
/// not serve beside the current one. Both committed; routerha's MASTER plan turns them back on once elected.
/// </summary>
public static class BootGuardSwitches
{
    public static IReadOnlyList<string> Interfaces(IEnumerable<ActionConfig> actions) =>
        [.. actions.Where(a => a.Kind == ActionKind.OpenWrtWan && a.Fenced).SelectMany(a => a.Interfaces).Distinct()];

    public static IReadOnlyList<string> DhcpSections(IEnumerable<ActionConfig> actions) =>
        [.. actions.Where(a => a.Kind == ActionKind.OpenWrtDnsmasq).SelectMany(a => a.Sections).Distinct()];

    /// <summary>True when something had to be written.</summary>
    public static async Task<bool> ApplyAsync(IReadOnlyList<string> interfaces, IReadOnlyList<string> dhcpSections, OpenWrtSystem sys,
        CancellationToken cancellationToken)
    {
        var wan = await UciSwitches.EnsureAsync(sys, interfaces.Select(i => new UciSwitch("network", i, "auto", "1", "0", AbsentIsOn: true)),
            on: false, cancellationToken);
        var dhcp = await UciSwitches.EnsureAsync(sys, dhcpSections.Select(s => new UciSwitch("dhcp", s, "ignore", "0", "1", AbsentIsOn: true)),
            on: false, cancellationToken);
        return wan || dhcp;
    }
}
