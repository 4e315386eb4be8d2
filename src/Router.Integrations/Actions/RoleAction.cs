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

/// <summary>
/// An action whose effect can be read back, so a router notices when something else undid it (OMR's cron restarting
/// a service, an `ifup`, the VPS API client re-enabling the tunnel). Correcting the drift is <see cref="IRoleAction.RunAsync"/>
/// with the same context: both directions are idempotent.
/// </summary>
public interface IDriftCheckedAction : IRoleAction
{
    /// <summary>What differs from the state <paramref name="context"/>'s direction wants (one line each, e.g.
    /// "glorytun: glorytun.vpn.enable is 1"); empty when the system is in that state. Reads only, changes nothing.</summary>
    Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken);
}
