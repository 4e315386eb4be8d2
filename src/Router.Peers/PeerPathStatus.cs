using System.Net;

namespace Router.Peers;

/// <summary>One path as seen now, for status. LastHeardAgo: since the last authenticated frame on the path (kept
/// after it went down; null if never). LastError: why the last connect attempt failed, null once connected.
/// Refusals: handshakes refused on this path since start, by kind (all counted, also those not raised as events).</summary>
public sealed record PeerPathStatus(
    string Path,
    bool Up,
    string? PeerNodeId,
    string? PeerSoftwareVersion,
    IPEndPoint? Remote,
    bool Outbound,
    TimeSpan? LastHeardAgo,
    string? LastError)
{
    public IReadOnlyDictionary<PeerRefusal, long> Refusals { get; init; } = new Dictionary<PeerRefusal, long>();
}
