namespace Router.Core.Config;

/// <summary>
/// The "config global" and "config leases" sections alone: what the CLI verbs beside the daemon use (control
/// socket, node name, lease store). From <see cref="ConfigLoader.LoadGlobalAndLeasesText"/>, or the same
/// values a full load puts into <see cref="RouterConfig"/>. Leases is null when there is no enabled "config leases"
/// section, as in RouterConfig.
/// </summary>
public sealed record GlobalAndLeases(GlobalConfig Global, LeasesConfig? Leases)
{
    /// <summary>A file with neither section, or none at all.</summary>
    public static GlobalAndLeases Defaults { get; } = new(new GlobalConfig(), null);
}
