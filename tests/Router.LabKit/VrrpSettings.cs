using System.Net;

namespace Router.LabKit;

/// <summary>One VRRP instance as the lab configures it, rendered to UCI (routerha) or keepalived.conf.</summary>
public sealed record VrrpSettings
{
    public string InstanceName { get; init; } = "lan";
    public string Interface { get; init; } = LabTopology.LanInterface;
    public int Vrid { get; init; } = 51;
    public int Version { get; init; } = 3;
    public int Priority { get; init; } = 100;
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public bool Preempt { get; init; } = true;
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;
    public IReadOnlyList<string> Vips { get; init; } = [LabTopology.Vip4Cidr];
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];
    /// <summary>VRRPv2 simple password (keepalived uses at most 8 characters).</summary>
    public string? AuthPass { get; init; }
    /// <summary>routerha only: `option node_name` (a peer channel refuses a peer with its own name; namespaces share the hostname).</summary>
    public string? NodeName { get; init; }
    /// <summary>routerha only: UCI text appended to the generated config (more instances, sync groups).</summary>
    public string ExtraUci { get; init; } = "";
    /// <summary>routerha only: option lines for the global section (watchdog, respawn_delay, ...).</summary>
    public string GlobalUci { get; init; } = "";

    public bool IsIpv6 => Vips.Count > 0 && Vips[0].Contains(':', StringComparison.Ordinal);

    public IPAddress VipAddress => IPAddress.Parse(Vips[0].Split('/')[0]);

    /// <summary>RFC 5798 6.1 / RFC 3768: 3 x advert + skew, with skew = (256 - priority) / 256 x advert.</summary>
    public TimeSpan MasterDownInterval =>
        3 * AdvertInterval + TimeSpan.FromTicks(AdvertInterval.Ticks * (256 - Priority) / 256);

    /// <summary>Seconds as both config languages write them: "0.1", "1".</summary>
    public string AdvertSeconds => FormatSeconds(AdvertInterval);

    public static string FormatSeconds(TimeSpan t) =>
        t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The usual pair member: the lab addresses, the given priority and timers.</summary>
    public static VrrpSettings For(int priority, TimeSpan advert, int version = 3) =>
        new() { Priority = priority, AdvertInterval = advert, Version = version };
}
