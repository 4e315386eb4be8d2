using Router.Core.Config;

namespace Router.Integrations.Actions;

/// <summary>
/// What `routerha boot-guard` does before netifd starts: `network.X.auto=0` (committed) on every interface of a fenced
/// openwrt_wan action, so netifd leaves them down at boot until routerha's election; the MASTER plan sets auto=1.
/// </summary>
public static class WanBootGuard
{
    public static IReadOnlyList<string> Interfaces(IEnumerable<ActionConfig> actions) =>
        [.. actions.Where(a => a.Kind == ActionKind.OpenWrtWan && a.Fenced).SelectMany(a => a.Interfaces).Distinct()];

    /// <summary>True when something had to be written.</summary>
    public static Task<bool> ApplyAsync(IReadOnlyList<string> interfaces, OpenWrtSystem sys, CancellationToken cancellationToken) =>
        UciSwitches.EnsureAsync(sys, interfaces.Select(i => new UciSwitch("network", i, "auto", "1", "0", AbsentIsOn: true)), on: false, cancellationToken);
}
