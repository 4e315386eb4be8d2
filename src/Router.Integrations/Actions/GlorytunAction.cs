using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// openwrt_glorytun, the older tunnel kind (omr_vpn follows openmptcprouter.settings.vpn instead): the named Glorytun
/// packages (glorytun and/or glorytun-udp). Stopping alone is not enough: omr-tracker restarts a tunnel that is down
/// unless `PKG.vpn.enable` is 0, so the BACKUP side disables it in UCI first, then stops it; the MASTER side enables,
/// then starts.
/// </summary>
public sealed class GlorytunAction(IReadOnlyList<string> services, OpenWrtSystem sys) : IDriftCheckedAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var start = context.Direction == ActionDirection.Start;
        foreach (var service in services)
        {
            await sys.SetAsync($"{service}.vpn.enable", start ? "1" : "0", cancellationToken);
            await sys.CommitAsync(service, cancellationToken);
            await sys.InitAsync(service, start ? "start" : "stop", cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var service in services)
            lines.AddRange(await new OmrService(service, service, [UciSwitch.Enable(service, "vpn")])
                .DriftAsync(sys, context.Direction == ActionDirection.Start, cancellationToken));
        return lines;
    }
}
