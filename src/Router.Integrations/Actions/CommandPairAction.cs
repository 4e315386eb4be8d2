using Router.Core.Roles;
using Router.Integrations.Notify;

namespace Router.Integrations.Actions;

/// <summary>
/// Any start/stop command pair (split like notify scripts, no shell). The command learns the transition from its
/// environment: ROUTERHA_ACTION (the action's name), ROUTERHA_DIRECTION (start|stop), ROUTERHA_STATE
/// (MASTER|BACKUP|FAULT|STOP) and ROUTERHA_REASON. A direction without a command does nothing.
/// </summary>
public class CommandPairAction(string? start, string? stop, CommandRunner runner) : IRoleAction
{
    protected CommandRunner Runner => runner;

    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var line = context.Direction == ActionDirection.Start ? start : stop;
        if (line is null) return;
        await runner.RunCheckedAsync(CommandLine.Split(line), Environment(context), cancellationToken);
    }

    protected static Dictionary<string, string> Environment(ActionContext context) => new()
    {
        ["ROUTERHA_ACTION"] = context.ActionName,
        ["ROUTERHA_DIRECTION"] = context.Direction == ActionDirection.Start ? "start" : "stop",
        ["ROUTERHA_STATE"] = RoleNames.Of(context.Target),
        ["ROUTERHA_REASON"] = context.Reason,
    };
}

/// <summary>
/// A command pair with `option check`: a command that exits 0 while what start starts is running and non-zero while it
/// is not (like `/etc/init.d/NAME running`), so continuous enforcement notices when something else undid the last
/// transition. It gets the same environment, ROUTERHA_DIRECTION being the state wanted.
/// </summary>
public sealed class CheckedCommandAction(string? start, string? stop, string check, CommandRunner runner)
    : CommandPairAction(start, stop, runner), IDriftCheckedAction
{
    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var outcome = await Runner.RunAsync(CommandLine.Split(check), Environment(context), cancellationToken);
        var started = outcome.ExitCode == 0;
        if (started == (context.Direction == ActionDirection.Start)) return [];
        var said = outcome.Output.Length > 0 ? $": {outcome.Output}" : "";
        return [started
            ? $"{context.ActionName}: running (check exited 0{said})"
            : $"{context.ActionName}: not running (check exited {outcome.ExitCode}{said})"];
    }
}
