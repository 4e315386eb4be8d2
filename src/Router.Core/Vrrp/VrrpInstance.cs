using System.Net;

namespace Router.Core.Vrrp;

/// <summary>
/// The RFC 5798 state machine of one virtual router, pure: every method takes the current monotonic time
/// and returns the commands to execute. The owner calls OnTimer(now) when now >= NextDeadline.
/// </summary>
public sealed class VrrpInstance
{
    public VrrpInstance(VrrpInstanceSettings settings, IPAddress localAddress) => throw new NotImplementedException();

    public VrrpInstanceSettings Settings => throw new NotImplementedException();
    public VrrpState State => throw new NotImplementedException();
    /// <summary>Priority currently advertised (configured, adjusted by SetPriority; 0 never shown here).</summary>
    public byte EffectivePriority => throw new NotImplementedException();
    /// <summary>Address of the current master (ours when MASTER), null when unknown.</summary>
    public IPAddress? MasterAddress => throw new NotImplementedException();
    public byte MasterPriority => throw new NotImplementedException();
    /// <summary>The master's advert interval as learned (v3), else ours.</summary>
    public TimeSpan MasterAdvertInterval => throw new NotImplementedException();
    public TimeSpan MasterDownInterval => throw new NotImplementedException();
    public TimeSpan SkewTime => throw new NotImplementedException();
    /// <summary>Absolute time of the next timer (advert, master down, preempt delay, garp, startup), or null.</summary>
    public TimeSpan? NextDeadline => throw new NotImplementedException();
    public bool Maintenance => throw new NotImplementedException();
    public VrrpCounters Counters => throw new NotImplementedException();
    /// <summary>Last transitions, newest last, bounded (16).</summary>
    public IReadOnlyList<VrrpTransition> Transitions => throw new NotImplementedException();

    /// <summary>Initialize -> Backup (after startupDelay, listening first), or Master at once when address owner.</summary>
    public IReadOnlyList<VrrpCommand> Start(TimeSpan now, TimeSpan startupDelay) => throw new NotImplementedException();
    /// <summary>An advertisement that passed VrrpCodec and VrrpReceiveFilter.</summary>
    public IReadOnlyList<VrrpCommand> OnAdvertisement(VrrpAdvertisement adv, IPAddress source, TimeSpan now) => throw new NotImplementedException();
    public IReadOnlyList<VrrpCommand> OnTimer(TimeSpan now) => throw new NotImplementedException();
    /// <summary>Graceful stop: MASTER sends priority 0; any state -> Initialize.</summary>
    public IReadOnlyList<VrrpCommand> Shutdown(TimeSpan now) => throw new NotImplementedException();
    /// <summary>Interface down (fault=true) -> Fault; back up -> Backup.</summary>
    public IReadOnlyList<VrrpCommand> SetFault(bool fault, string reason, TimeSpan now) => throw new NotImplementedException();
    /// <summary>Maintenance on: never MASTER (a MASTER hands over with priority 0). Off: normal election.</summary>
    public IReadOnlyList<VrrpCommand> SetMaintenance(bool on, TimeSpan now) => throw new NotImplementedException();
    /// <summary>MASTER: hand over (priority 0) and do not preempt the new master; only a master-down
    /// makes this router MASTER again. Returns false (no commands) when not MASTER.</summary>
    public bool TrySwitchover(TimeSpan now, out IReadOnlyList<VrrpCommand> commands) => throw new NotImplementedException();
    /// <summary>Tracking changed the priority (1..254; owners stay 255). Advertised at once when MASTER.</summary>
    public IReadOnlyList<VrrpCommand> SetPriority(byte priority, TimeSpan now) => throw new NotImplementedException();
    /// <summary>Sync group: another member moved; follow it (Master, Backup or Fault).</summary>
    public IReadOnlyList<VrrpCommand> ForceState(VrrpState target, string reason, TimeSpan now) => throw new NotImplementedException();
}
