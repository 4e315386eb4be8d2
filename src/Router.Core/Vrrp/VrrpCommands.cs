using System.Net;

namespace Router.Core.Vrrp;

/// <summary>What the state machine asks the outside world to do. The daemon executes them in order.</summary>
public abstract record VrrpCommand;

/// <summary>Send one advertisement with this priority (0 = "I am leaving").</summary>
public sealed record SendAdvertisement(byte Priority) : VrrpCommand;

/// <summary>The instance changed state. Reason is a short human sentence for logs/status/notify.</summary>
public sealed record StateChanged(VrrpState From, VrrpState To, string Reason) : VrrpCommand;

/// <summary>Send <paramref name="Rounds"/> rounds now, back to back; a round is one gratuitous ARP / unsolicited
/// NA per VIP. Spaced rounds (garp_interval) arrive as separate commands from OnTimer.</summary>
public sealed record AnnounceAddresses(int Rounds) : VrrpCommand;

/// <summary>Put every VIP of this instance on the link (idempotent: some may already be there).</summary>
public sealed record AddAddresses : VrrpCommand;

/// <summary>Take every VIP of this instance off the link (idempotent: some may already be gone).</summary>
public sealed record RemoveAddresses : VrrpCommand;

/// <summary>After Shutdown, nothing of this instance is left on the link: its owner may drop it.</summary>
public sealed record InstanceReleased : VrrpCommand;

/// <summary>A record of one transition, kept for status.</summary>
public sealed record VrrpTransition(TimeSpan At, VrrpState From, VrrpState To, string Reason);

public sealed class VrrpCounters
{
    public long AdvertsSent;
    public long AdvertsReceived;
    public long BecameMaster;
    public long PriorityZeroReceived;
    public long PriorityZeroSent;
    /// <summary>Adverts received while MASTER from a master we lost to or beat (split brain indicator).</summary>
    public long MasterConflicts;
    /// <summary>Became MASTER at once because the peer channel said the master yielded or died.</summary>
    public long PeerTakeovers;
}
