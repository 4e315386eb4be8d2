using Router.Core.Config;
using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// omr_vpn and omr_proxy: the service OMR names in <c>openmptcprouter.settings.vpn</c> / <c>.proxy</c> (read each time,
/// unless pinned) is switched on and started on MASTER, switched off and stopped otherwise. Every other known one is
/// kept off and stopped in both roles, first: enabling the wrong tunnel starts a second client on tun0.
/// </summary>
public sealed class OmrSelectedServiceAction(string setting, string? pinned, IReadOnlyList<OmrService> known, OpenWrtSystem sys) : IDriftCheckedAction
{
    public static OmrSelectedServiceAction Vpn(string? pinned, OpenWrtSystem sys) => new("openmptcprouter.settings.vpn", pinned, OmrService.Tunnels, sys);

    public static OmrSelectedServiceAction Proxy(string? pinned, OpenWrtSystem sys) => new("openmptcprouter.settings.proxy", pinned, OmrService.Proxies, sys);

    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var (selected, unknown) = await SelectAsync(cancellationToken);
        foreach (var other in known)
            if (other != selected && await other.PresentAsync(sys, cancellationToken))
                await other.EnsureAsync(sys, on: false, cancellationToken);
        if (unknown is not null) throw new ActionFailedException(unknown);
        if (selected is not null) await selected.EnsureAsync(sys, context.Direction == ActionDirection.Start, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var (selected, unknown) = await SelectAsync(cancellationToken);
        if (unknown is not null) throw new ActionFailedException(unknown);
        var lines = new List<string>();
        foreach (var other in known)
            if (other != selected && await other.PresentAsync(sys, cancellationToken))
                lines.AddRange(await other.DriftAsync(sys, on: false, cancellationToken));
        if (selected is not null) lines.AddRange(await selected.DriftAsync(sys, context.Direction == ActionDirection.Start, cancellationToken));
        return lines;
    }

    /// <summary>The service to drive (null for none), or why there is none routerha can drive.</summary>
    private async Task<(OmrService? Selected, string? Unknown)> SelectAsync(CancellationToken cancellationToken)
    {
        var name = pinned ?? await sys.GetAsync(setting, cancellationToken);
        if (OmrNames.IsNone(name)) return (null, null);
        var service = known.FirstOrDefault(s => s.Name == name);
        return service is not null ? (service, null)
            : (null, $"{setting} is '{name}': routerha drives only {string.Join(", ", known.Select(s => s.Name))} (the known ones are kept off)");
    }
}
