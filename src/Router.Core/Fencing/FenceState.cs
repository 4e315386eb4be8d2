using System.Net;

namespace Router.Core.Fencing;

/// <summary>
/// One router's fencing state as sent to its peer. Generation grows with every change of the sender's state within
/// one run (BootId, random per start), so a newer state wins even when paths deliver out of order. SeenBootId and
/// SeenGeneration name the latest state of the receiver that the sender had seen: this is how a MASTER knows its
/// peer's "released" was said after the peer learned about the new MASTER, not before.
/// </summary>
public sealed record FenceState(
    ulong BootId,
    ulong Generation,
    FenceRole Role,
    byte Priority,
    IPAddress Address,
    TunnelStatus Tunnel,
    ulong SeenBootId,
    ulong SeenGeneration)
{
    /// <summary>True when this state is not older than <paramref name="other"/> from the same router: a new run, a
    /// newer generation, or the same generation with a newer acknowledgement.</summary>
    public bool Supersedes(FenceState? other) =>
        other is null || BootId != other.BootId || Generation > other.Generation
        || (Generation == other.Generation && (SeenBootId != other.SeenBootId || SeenGeneration >= other.SeenGeneration));
}
