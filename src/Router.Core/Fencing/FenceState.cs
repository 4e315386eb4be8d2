using System.Net;

namespace Router.Core.Fencing;

/// <summary>
/// One router's fencing state as sent to its peer. Generation grows with every change of the sender's state within
/// one run (BootId, random per start), so a newer state wins even when paths deliver out of order. SeenBootId and
/// SeenGeneration name the latest state of the receiver that the sender had seen: this is how a MASTER knows its
/// peer's "released" was said after the peer learned about the new MASTER, not before. VrrpAddress is the source
/// address of the sender's role instance as its VRRP adverts carry it (null from an older routerha, or before its
/// instance started): the receiver's instance follows a master by that address, so a handoff is honoured only when
/// the router that yields is the master it follows. VrrpSources are the advert sources of all the sender's instances
/// (any family; null from an older routerha): the receiver's instances follow or yield only to those and the peer's
/// path addresses, not to any LAN host claiming a higher priority.
/// </summary>
public sealed record FenceState(
    ulong BootId,
    ulong Generation,
    FenceRole Role,
    byte Priority,
    IPAddress Address,
    TunnelStatus Tunnel,
    ulong SeenBootId,
    ulong SeenGeneration,
    IPAddress? VrrpAddress = null,
    IReadOnlyList<IPAddress>? VrrpSources = null)
{
    /// <summary>True when this state is not older than <paramref name="other"/> from the same router: a new run, a
    /// newer generation, or the same generation with a newer acknowledgement.</summary>
    public bool Supersedes(FenceState? other) =>
        other is null || BootId != other.BootId || Generation > other.Generation
        || (Generation == other.Generation && (SeenBootId != other.SeenBootId || SeenGeneration >= other.SeenGeneration));

    /// <summary>The same state again (another path delivered it too, or a periodic resend): nothing new to act on.</summary>
    public bool SameAs(FenceState? other) =>
        other is not null && BootId == other.BootId && Generation == other.Generation
        && SeenBootId == other.SeenBootId && SeenGeneration == other.SeenGeneration;
}
