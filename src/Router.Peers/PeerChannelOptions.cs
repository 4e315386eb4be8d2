using System.Net;

namespace Router.Peers;

/// <summary>
/// One path to the peer (a LAN, a dedicated cable...). Listen: where we accept the peer's connections on this path
/// (null: we never accept). Remote: where we connect to the peer (null: we never connect). LocalBind: source
/// address of our outbound connection, so it leaves through this path's link. AcceptFrom: the only source address
/// whose connections the listener answers (default: Remote's address); anyone else is closed before a byte is read.
/// </summary>
public sealed record PeerPath(string Name, IPEndPoint? Listen, IPEndPoint? Remote, IPAddress? LocalBind = null, IPAddress? AcceptFrom = null)
{
    /// <summary>Who may connect to our listener on this path (null only when the path does not listen).</summary>
    public IPAddress? Peer => AcceptFrom ?? Remote?.Address;
}

public sealed record PeerChannelOptions
{
    /// <summary>Our node id (node_name). The two routers must differ: the lower id's outbound connection wins on a path.</summary>
    public required string NodeId { get; init; }
    /// <summary>Our software version, told to the peer in the hello (for its logs).</summary>
    public required string SoftwareVersion { get; init; }
    public required PeerSecret Secret { get; init; }
    /// <summary>In order of preference: Send without a path uses the first path that is up.</summary>
    public required IReadOnlyList<PeerPath> Paths { get; init; }

    /// <summary>A heartbeat is sent on every path this often.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A path that received nothing for this long is closed and reported down.</summary>
    public TimeSpan DeadInterval { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>The whole handshake (connect, hellos, proofs) must finish within this.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>An accepted connection must deliver its hello within this, or it is closed: an idle connection holds a
    /// handshake slot only this long. The real peer sends its hello right after connecting.</summary>
    public TimeSpan FirstFrameTimeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Handshakes in progress from the peer's address per path; one more evicts the oldest (an idle squatter
    /// loses its slot to the next connection instead of locking the peer out).</summary>
    public int MaxPendingPerSource { get; init; } = 2;
    /// <summary>At most one <see cref="PeerRefused"/> event per source address per this period (all are counted).</summary>
    public TimeSpan RefusalReportPeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>First wait after a failed connect; doubles on each failure up to ReconnectMax.</summary>
    public TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Frames waiting to be written per connection. When full, Send fails and the connection is closed
    /// (a peer that does not read is treated as gone; it reconnects and the owner resynchronises).</summary>
    public int SendQueueFrames { get; init; } = 1024;
    /// <summary>Largest payload accepted or sent; a bigger incoming frame closes the connection.</summary>
    public int MaxPayloadBytes { get; init; } = 256 * 1024;
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The schema this build announces; only tests announce another one (to play a newer router).</summary>
    internal ushort SchemaVersion { get; init; } = PeerProtocol.SchemaVersion;
}
