using System.Net;

namespace Router.Peers;

/// <summary>One path as seen now, for status. LastHeardAgo: since the last authenticated frame on the path (kept
/// after it went down; null if never). LastError: why the last connect attempt failed, null once connected.</summary>
public sealed record PeerPathStatus(
    string Path,
    bool Up,
    string? PeerNodeId,
    string? PeerSoftwareVersion,
    IPEndPoint? Remote,
    bool Outbound,
    TimeSpan? LastHeardAgo,
    string? LastError);
