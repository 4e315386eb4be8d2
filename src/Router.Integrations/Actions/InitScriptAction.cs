using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>OpenWrt init scripts (dnsmasq for DHCP): `/etc/init.d/NAME start|stop`; procd makes both idempotent.</summary>
public sealed class InitScriptAction(IReadOnlyList<string> services, CommandRunner runner, string initDir) : IRoleAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        foreach (var service in services)
            await runner.RunCheckedAsync([Path.Combine(initDir, service), context.Direction == ActionDirection.Start ? "start" : "stop"], null, cancellationToken);
    }
}
