using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// OpenWrt WAN interfaces via netifd: `ubus call network.interface.NAME up|down`. OMR's multipath flag
/// (network.NAME.multipath) is touched only when configured, and set before the interface comes up so the
/// MPTCP hotplug sees it.
/// </summary>
public sealed class OpenWrtWanAction(IReadOnlyList<string> interfaces, string? multipathMaster, string? multipathBackup, CommandRunner runner) : IRoleAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var start = context.Direction == ActionDirection.Start;
        if (start) await SetMultipath(multipathMaster, cancellationToken);
        foreach (var name in interfaces)
            await runner.RunCheckedAsync(["ubus", "call", $"network.interface.{name}", start ? "up" : "down"], null, cancellationToken);
        if (!start) await SetMultipath(multipathBackup, cancellationToken);
    }

    private async Task SetMultipath(string? value, CancellationToken cancellationToken)
    {
        if (value is null) return;
        foreach (var name in interfaces)
            await runner.RunCheckedAsync(["uci", "set", $"network.{name}.multipath={value}"], null, cancellationToken);
        await runner.RunCheckedAsync(["uci", "commit", "network"], null, cancellationToken);
    }
}
