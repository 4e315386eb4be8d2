using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// DHCP on OpenWrt/OMR: dnsmasq keeps running on both routers (OMR's cron restarts a stopped one within a minute, and
/// it also answers DNS). The dhcp sections are switched instead: MASTER `ignore=0` and `force=1` (so dnsmasq's
/// dhcp_check does not refuse while the old master's answer is still cached), BACKUP `ignore=1`; then a `restart`,
/// which re-reads the config and the lease file routerha has just written (`start` on a running dnsmasq does not).
/// </summary>
public sealed class OpenWrtDnsmasqAction(IReadOnlyList<string> sections, IReadOnlyList<string> services, OpenWrtSystem sys) : IDriftCheckedAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        await UciSwitches.EnsureAsync(sys, Switches(context), context.Direction == ActionDirection.Start, cancellationToken);
        foreach (var service in services) await sys.InitAsync(service, "restart", cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var lines = await UciSwitches.DriftAsync(sys, "dhcp", Switches(context), context.Direction == ActionDirection.Start, cancellationToken);
        foreach (var service in services)
            if (!await sys.RunningAsync(service, cancellationToken)) lines.Add($"dhcp: /etc/init.d/{service} is not running");
        return lines;
    }

    /// <summary>ignore unset means serving; force is only wanted on the MASTER (a BACKUP's value does not matter).</summary>
    private IEnumerable<UciSwitch> Switches(ActionContext context)
    {
        foreach (var section in sections)
        {
            yield return new UciSwitch("dhcp", section, "ignore", "0", "1", AbsentIsOn: true);
            if (context.Direction == ActionDirection.Start) yield return UciSwitch.Enable("dhcp", section, "force");
        }
    }
}
