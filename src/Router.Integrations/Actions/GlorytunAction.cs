using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// The Glorytun tunnel on OMR (glorytun and/or glorytun-udp). Stopping alone is not enough: omr-tracker restarts
/// a tunnel that is down unless `PKG.vpn.enable` is 0, so the BACKUP side disables it in UCI first, then stops it;
/// the MASTER side enables, then starts.
/// </summary>
public sealed class GlorytunAction(IReadOnlyList<string> services, CommandRunner runner, string initDir) : IRoleAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var start = context.Direction == ActionDirection.Start;
        foreach (var service in services)
        {
            await runner.RunCheckedAsync(["uci", "set", $"{service}.vpn.enable={(start ? 1 : 0)}"], null, cancellationToken);
            await runner.RunCheckedAsync(["uci", "commit", service], null, cancellationToken);
            await runner.RunCheckedAsync([Path.Combine(initDir, service), start ? "start" : "stop"], null, cancellationToken);
        }
    }
}
