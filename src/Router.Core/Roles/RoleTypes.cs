namespace Router.Core.Roles;

/// <summary>The state a plan brings this router's external services into.</summary>
public enum RoleTarget { Master, Backup, Fault, Stopped }

/// <summary>Start on MASTER, stop on every other target.</summary>
public enum ActionDirection { Start, Stop }

/// <summary>What a step touches: the daemon hooks in around some phases (leases are restored before a Dhcp start,
/// a Fence step is answered by the fencing logic instead of a backend).</summary>
public enum StepPhase { Wan, Fence, Tunnel, Dhcp, Service }

/// <summary>How one step ended (or why it has not).</summary>
public enum StepOutcome { Pending, Running, Waiting, Ok, Failed, TimedOut, Skipped, Superseded }

/// <summary>One configured external action as the plan needs it (the backend itself lives in Router.Integrations).</summary>
public sealed record ActionSpec
{
    public required string Name { get; init; }
    public required StepPhase Phase { get; init; }
    /// <summary>Position in the MASTER plan (ascending); leaving MASTER runs the reverse.</summary>
    public required int Order { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Further attempts after a failed or timed-out one.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Wait before the first retry; doubled for each further one (capped at <see cref="PlanRunner.MaxRetryDelay"/>).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Must not start on MASTER before the fence check passed (the single-client tunnel).</summary>
    public bool Fenced { get; init; }
}

public static class RoleNames
{
    public static string Of(RoleTarget t) => t switch
    {
        RoleTarget.Master => "MASTER",
        RoleTarget.Backup => "BACKUP",
        RoleTarget.Fault => "FAULT",
        _ => "STOP",
    };

    public static string Of(StepOutcome o) => o switch
    {
        StepOutcome.TimedOut => "timeout",
        _ => o.ToString().ToLowerInvariant(),
    };
}
