namespace Router.Core.Roles;

/// <summary>One piece of enforcement work for the action backend: read the action's drift from the state
/// <paramref name="Direction"/> wants (Correct false), or run the action again in that direction (Correct true).
/// It queues behind plan steps on the same serial executor. Report the end with
/// <see cref="RoleCoordinator.OnEnforcementResult"/> quoting the ticket.</summary>
public sealed record EnforcementWork(long Ticket, string Action, ActionDirection Direction, RoleTarget Target, bool Correct,
    TimeSpan? Timeout, string Reason);

/// <summary>Run this check or correction off the loop.</summary>
public sealed record RunEnforcement(EnforcementWork Work) : RoleCommand;

/// <summary>Abandon this check or correction (a new plan supersedes it); a result that still arrives is ignored.</summary>
public sealed record CancelEnforcement(long Ticket) : RoleCommand;

/// <summary>Unchecked: no check has answered since the current plan completed. CheckFailing: the check itself failed
/// (its command is missing, it timed out), so whether the action drifted is unknown.</summary>
public enum DriftState { Unchecked, InState, Drifting, CheckFailing }

/// <summary>One drift-checked action, as `routerha status` shows it. Episodes: times it was found out of its state
/// (each one logged once); Corrections: runs of the action that put it back. Held: the drift is on a fenced action of a
/// MASTER that does not hold the fence, so it is reported and not corrected (why).</summary>
public sealed record DriftStatus(
    string Action,
    ActionDirection Direction,
    DriftState State,
    TimeSpan? DriftingSince,
    long Checks,
    long Episodes,
    long Corrections,
    string? LastDrift,
    string? LastError,
    TimeSpan? LastCheckAt,
    string? Held);

public static class DriftNames
{
    /// <summary>The names `status --json` and MQTT use.</summary>
    public static string Of(DriftState s) => s switch
    {
        DriftState.InState => "in_state",
        DriftState.Drifting => "drifting",
        DriftState.CheckFailing => "check_failing",
        _ => "unchecked",
    };
}

/// <summary>Enforcement as a whole: Interval zero = off; Active while a completed plan is being enforced (not while a
/// plan runs); Target is that plan's role.</summary>
public sealed record EnforcementStatus(TimeSpan Interval, bool Active, RoleTarget? Target, IReadOnlyList<DriftStatus> Actions);
