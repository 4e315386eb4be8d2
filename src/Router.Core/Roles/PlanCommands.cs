namespace Router.Core.Roles;

/// <summary>What the daemon must do after feeding the PlanRunner an event.</summary>
public abstract record PlanCommand;

/// <summary>
/// Run one attempt of a step: the action backend in <see cref="PlanStep.Direction"/>, or for the Fence phase ask the
/// fencing logic. Report the end with <see cref="PlanRunner.StepFinished"/> quoting <paramref name="Ticket"/>.
/// The runner enforces <see cref="PlanStep.Timeout"/> itself (a <see cref="CancelStep"/> follows when it passes).
/// </summary>
public sealed record StartStep(long Ticket, long PlanId, PlanStep Step, RoleTarget Target, int Attempt, string Reason) : PlanCommand;

/// <summary>Abandon the attempt with this ticket (timed out, or its plan was superseded): kill what it started.
/// A result that still arrives for it is ignored.</summary>
public sealed record CancelStep(long Ticket, string Name, string Why) : PlanCommand;

/// <summary>Every step of the plan has ended; <paramref name="Failed"/> names the steps whose last attempt did not succeed.</summary>
public sealed record PlanCompleted(long PlanId, RoleTarget Target, IReadOnlyList<string> Failed, TimeSpan Duration) : PlanCommand;

/// <summary>The last known outcome of one step, as `routerha status` shows it.</summary>
public sealed record StepStatus(
    string Name,
    StepPhase Phase,
    ActionDirection Direction,
    RoleTarget Target,
    StepOutcome Outcome,
    int Attempts,
    string? Error,
    TimeSpan? StartedAt,
    TimeSpan? FinishedAt,
    TimeSpan? RetryAt);

/// <summary>The current (or last) plan: null Target before the first transition.</summary>
public sealed record PlanStatus(
    long PlanId,
    RoleTarget? Target,
    string Reason,
    bool Finished,
    string? CurrentStep,
    TimeSpan? StartedAt,
    TimeSpan? FinishedAt,
    IReadOnlyList<StepStatus> Steps,
    long StaleResults);
