using System.Net;

namespace Router.Peers;

/// <summary>Everything the channel reports to its owner, through the callback given to <see cref="PeerChannel"/>.</summary>
public abstract record PeerEvent;

/// <summary>The path has an authenticated connection. Outbound: we connected (else the peer did).</summary>
public sealed record PeerPathUp(string Path, string PeerNodeId, string PeerSoftwareVersion, IPEndPoint Remote, bool Outbound) : PeerEvent;

/// <summary>The path lost its connection and no replacement came within the handshake timeout.</summary>
public sealed record PeerPathDown(string Path, PeerDownCause Cause, string Reason) : PeerEvent;

/// <summary>A heartbeat arrived on the path: the peer is alive there now.</summary>
public sealed record PeerHeartbeat(string Path) : PeerEvent;

/// <summary>An authenticated message. Type is at least <see cref="PeerProtocol.FirstMessageType"/>; the payload is the owner's to decode.</summary>
public sealed record PeerMessage(string Path, ushort Type, ReadOnlyMemory<byte> Payload) : PeerEvent;

/// <summary>A connection attempt was refused during the handshake. ByPeer: the peer refused us (its reason), else we refused it.
/// PeerNodeId is what the other side claimed, when it got that far (cleaned, like Reason: an unauthenticated sender wrote them).
/// At most one is raised per source address and period (see <see cref="RefusalLimiter"/>); Suppressed says how many from
/// that source were counted but not raised since the last one.</summary>
public sealed record PeerRefused(string Path, EndPoint? Remote, string? PeerNodeId, PeerRefusal Kind, bool ByPeer, string Reason) : PeerEvent
{
    public long Suppressed { get; init; }
}

public enum PeerDownCause
{
    /// <summary>The connection closed or failed (reset, peer process gone).</summary>
    Closed,
    /// <summary>Nothing heard for the dead interval.</summary>
    Silent,
    /// <summary>A frame failed authentication, was replayed or reordered, too large, or of an unknown type.</summary>
    BadFrame,
    /// <summary>Our send queue for this connection was full.</summary>
    SendQueueFull,
    /// <summary>The peer said goodbye (it is stopping).</summary>
    PeerStopped,
    /// <summary>We are stopping.</summary>
    Stopped,
}

public enum PeerRefusal
{
    /// <summary>The proofs did not match: the two routers have different secrets (or someone without the secret tried).</summary>
    WrongKey,
    /// <summary>The other side speaks a newer protocol or message schema than the refusing side.</summary>
    NewerSchema,
    /// <summary>The path named in the hello is not the path of the listener it reached (miswired addresses).</summary>
    WrongPath,
    /// <summary>Both routers use the same node id.</summary>
    SameNodeId,
    /// <summary>Not a routerha hello, or a handshake frame out of place.</summary>
    Malformed,
    /// <summary>The handshake did not finish within the handshake timeout (or the hello did not come within the first-frame timeout).</summary>
    Timeout,
    /// <summary>The other side speaks an older protocol: both routers must run the same version.</summary>
    OlderProtocol,
    /// <summary>A connection from an address that is not the path's peer address: closed before anything was read.</summary>
    NotPeerAddress,
    /// <summary>A handshake from the peer's address was dropped because newer ones came (the per-source cap).</summary>
    TooManyConnections,
}
