using System.Net;

namespace Router.Core.Fencing;

public enum TunnelGate
{
    /// <summary>We are not MASTER: the tunnel must not run here.</summary>
    NotMaster,
    /// <summary>MASTER, but the peer may still hold the tunnel: do not start yet.</summary>
    Wait,
    /// <summary>MASTER and the peer has released the tunnel or is gone: the tunnel may start.</summary>
    Allowed,
}

/// <summary>
/// What the fence says now. StopTunnel: our tunnel must be stopped (not MASTER, or we lost a dual-master tie).
/// StepDown: we are a MASTER that sees a better MASTER and must leave MASTER (and stop the tunnel first).
/// RecheckAt: when the verdict may change by time alone (end of the silence window); null when only input can change it.
/// </summary>
public sealed record FenceVerdict(TunnelGate Gate, string Reason, bool StopTunnel, bool StepDown, TimeSpan? RecheckAt);

/// <summary>Reported once per dual-master episode start and end, for logs and counters.</summary>
public abstract record FenceEvent(TimeSpan At);

/// <summary>Both routers are MASTER and can see each other over the peer channel.</summary>
public sealed record DualMasterStarted(TimeSpan At, IPAddress PeerAddress, byte PeerPriority, bool WeStepDown) : FenceEvent(At);

/// <summary>The episode ended (one side left MASTER, or the peer fell silent on every path). Reason is a short sentence.</summary>
public sealed record DualMasterEnded(TimeSpan At, TimeSpan StartedAt, string Reason) : FenceEvent(At)
{
    public TimeSpan Duration => At - StartedAt;
}

public sealed class FenceCounters
{
    public long DualMasterEpisodes;
    public TimeSpan DualMasterTotal;
    public TimeSpan DualMasterLongest;
    public long PeerStatesReceived;
    public long PeerStatesRejected;
    /// <summary>A state already accepted, delivered again (another path, a resend).</summary>
    public long PeerStatesDuplicate;
}
