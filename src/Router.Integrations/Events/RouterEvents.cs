namespace Router.Integrations.Events;

// What the daemon tells its integrations (MQTT today; anything that reports state tomorrow). The daemon owns
// the state and pushes; an integration never reaches into the loop, it only asks through RouterCommand.

/// <summary>One VRRP instance as the outside world cares about it. Priority is the effective one (tracks applied).</summary>
public sealed record InstanceView(
    string Name,
    int Vrid,
    string Interface,
    string State,
    int Priority,
    string? Master,
    bool VipsPresent,
    IReadOnlyList<string> Vips)
{
    /// <summary>The priority in the config, before tracks and maintenance (D-Bus shows both).</summary>
    public int ConfiguredPriority { get; init; }
}

/// <summary>The whole router, pushed after every change that someone could see.</summary>
public sealed record RouterView(string Node, string Version, bool Maintenance, IReadOnlyList<InstanceView> Instances)
{
    /// <summary>Leases in the store that have not ended; null when this router keeps no lease store.</summary>
    public int? LeaseCount { get; init; }

    /// <summary>The role plan (WAN, fence, tunnel, DHCP); null when no actions are configured.</summary>
    public RoleView? Role { get; init; }

    /// <summary>The tunnel fence; null when no peer is configured.</summary>
    public FenceView? Fence { get; init; }

    /// <summary>The peer channel's paths; null when no peer is configured.</summary>
    public IReadOnlyList<PeerLinkView>? PeerPaths { get; init; }

    /// <summary>Continuous enforcement; null when no action can read its state back.</summary>
    public EnforcementView? Enforcement { get; init; }
}

/// <summary>IntervalS 0 = off; Active while a completed plan's state is being held.</summary>
public sealed record EnforcementView(double IntervalS, bool Active, IReadOnlyList<DriftView> Actions);

/// <summary>One drift-checked action. State: unchecked, in_state, drifting, check_failing; Drift: what differs while drifting.</summary>
public sealed record DriftView(string Action, string State, long Episodes, long Corrections, string? Drift);

/// <summary>Target: MASTER / BACKUP / FAULT / STOP; Tunnel: Released / Starting / Up / Stopping.</summary>
public sealed record RoleView(string? Target, bool Finished, string Tunnel, bool FenceDemoted, IReadOnlyList<ActionView> Actions);

/// <summary>One step of the current plan. Outcome: pending, running, waiting, ok, failed, timeout, skipped, superseded.</summary>
public sealed record ActionView(string Name, string Phase, string Direction, string Outcome, string? Error);

/// <summary>Gate: Allowed / Wait / NotMaster, with its reason; DualMaster while both routers are MASTER.</summary>
public sealed record FenceView(string Gate, string Reason, bool DualMaster, long DualMasterEpisodes)
{
    /// <summary>The fencing agent; null without `fence_command`.</summary>
    public FenceAgentView? Agent { get; init; }
}

/// <summary>The fencing agent's last run. Outcome: idle, running, ok, failed, timeout, cancelled.</summary>
public sealed record FenceAgentView(string Outcome, string? Detail, long Runs);

public sealed record PeerLinkView(string Path, bool Up);

/// <summary>
/// Something that happened, for alerting: Kind is one of "transition", "vip_restored", "notify_failed",
/// "plan", "action_failed", "dual_master", "dual_master_ended", "fence_agent", "peer_lost", "peer_found", "command",
/// "unknown_master", "drift", "drift_ended".
/// Fields carry the details by name.
/// </summary>
public sealed record RouterEvent(DateTimeOffset At, string Kind, string? Instance, string Message,
    IReadOnlyDictionary<string, string> Fields);

/// <summary>An integration. Called on the event loop thread: both methods must return at once (queue inside).</summary>
public interface IRouterObserver : IDisposable
{
    void Publish(RouterView view);
    void Publish(RouterEvent routerEvent);
    /// <summary>One line for `routerha status` (connected, queue depth, last error), or null.</summary>
    string? Health { get; }
}

/// <summary>A request from an integration into the daemon: "switchover", or "maintenance" with on/off.</summary>
public delegate Task<(bool Ok, string Message)> RouterCommand(string command, bool? on);
