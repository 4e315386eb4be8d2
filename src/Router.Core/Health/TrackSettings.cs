namespace Router.Core.Health;

/// <summary>Timing and effect of one health check (keepalived's vrrp_script / track_* semantics).</summary>
public sealed record TrackSettings
{
    public required string Name { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A probe still running after this counts as failed (the daemon cancels it).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Consecutive successes that bring a failed check back up.</summary>
    public int Rise { get; init; } = 1;
    /// <summary>Consecutive failures that take an up check down.</summary>
    public int Fall { get; init; } = 1;
    /// <summary>Positive: added to the priority while up. Negative: added (so subtracted) while down.
    /// 0: the instances it tracks go to FAULT while down.</summary>
    public int Weight { get; init; }
    /// <summary>Start as down (needs Rise successes first) instead of up.</summary>
    public bool InitFail { get; init; }
    /// <summary>Instances whose priority or fault state it affects; empty = all.</summary>
    public IReadOnlyList<string> Instances { get; init; } = [];

    public bool Affects(string instance) => Instances.Count == 0 || Instances.Contains(instance);
}
