using System.Net;

namespace Router.Core.Config;

/// <summary>
/// One "config peer" section: the authenticated channel to one other router, over one or more paths.
/// Exactly one of Secret / SecretFile is set; the daemon reads the file. ToString never shows the secret.
/// </summary>
public sealed record PeerConfig
{
    public required string Name { get; init; }
    /// <summary>In order of preference (messages go over the first path that is up).</summary>
    public required IReadOnlyList<PeerPathConfig> Paths { get; init; }
    /// <summary>TCP port, the same on both routers: each listens on its local address of every path and connects to the peer's.</summary>
    public int Port { get; init; } = PeerLoader.DefaultPort;
    public string? Secret { get; init; }
    public string? SecretFile { get; init; }
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan DeadInterval { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Fencing silence window: the peer must be silent on every path this long before our tunnel may start without its word.</summary>
    public TimeSpan FenceWindow { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The fencing agent (STONITH): a command line run by a new MASTER whose peer is silent, to make sure the
    /// peer's tunnel is down; exit 0 opens the fence gate without waiting the window. Null: no agent.</summary>
    public string? FenceCommand { get; init; }
    /// <summary>The agent still running after this has failed (and is killed).</summary>
    public TimeSpan FenceTimeout { get; init; } = PeerLoader.DefaultFenceTimeout;
    public int Line { get; init; }

    public override string ToString() =>
        $"peer '{Name}' port {Port} paths [{string.Join(", ", Paths)}] secret {(SecretFile is null ? "(inline)" : SecretFile)}";
}

/// <summary>A path: we listen on Local (and send from it), the peer listens on Remote. Name must match on both routers.</summary>
public sealed record PeerPathConfig(string Name, IPAddress Local, IPAddress Remote)
{
    public override string ToString() => $"{Name} {Local} -> {Remote}";
}
