using Router.Core.Roles;
using Router.Integrations.Notify;

namespace Router.Integrations.Actions;

/// <summary>
/// Any start/stop command pair (split like notify scripts, no shell). The command learns the transition from its
/// environment: ROUTERHA_ACTION (the action's name), ROUTERHA_DIRECTION (start|stop), ROUTERHA_STATE
/// (MASTER|BACKUP|FAULT|STOP) and ROUTERHA_REASON. A direction without a command does nothing.
/// </summary>
public sealed class CommandPairAction(string? start, string? stop, CommandRunner runner) : IRoleAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var line = context.Direction == ActionDirection.Start ? start : stop;
        if (line is null) return;
        var environment = new Dictionary<string, string>
        {
            ["ROUTERHA_ACTION"] = context.ActionName,
            ["ROUTERHA_DIRECTION"] = context.Direction == ActionDirection.Start ? "start" : "stop",
            ["ROUTERHA_STATE"] = RoleNames.Of(context.Target),
            ["ROUTERHA_REASON"] = context.Reason,
        };
        await runner.RunCheckedAsync(CommandLine.Split(line), environment, cancellationToken);
    }
}
