using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>Why an action runs: the plan's target state and direction (start on MASTER, stop otherwise).</summary>
public sealed record ActionContext(string ActionName, RoleTarget Target, ActionDirection Direction, string Reason, TimeSpan? Timeout = null);

/// <summary>
/// One external action. Both directions are idempotent (starting what runs, or stopping what is stopped, is
/// success) so the plan may retry, and a reboot may re-run them. Failure is an <see cref="ActionFailedException"/>;
/// cancellation must end whatever the action started.
/// </summary>
public interface IRoleAction
{
    Task RunAsync(ActionContext context, CancellationToken cancellationToken);
}
