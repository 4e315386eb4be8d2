namespace Router.Core.Fencing;

public sealed record FenceSettings
{
    /// <summary>Names of the peer-channel paths; the peer counts as gone only when silent on every one of them.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>How long the peer must be silent on every path before a MASTER may start the tunnel without its
    /// confirmation. Must exceed the peer's tunnel stop timeout: a peer that lost us keeps its tunnel at most that long.</summary>
    public TimeSpan SilenceWindow { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The peer's word on its role counts as live only while a path is up and it was heard within this
    /// (the channel's dead interval). A dead peer's last "I am MASTER" must not push a live router down.</summary>
    public TimeSpan PeerAliveWindow { get; init; } = TimeSpan.FromSeconds(3);
}
