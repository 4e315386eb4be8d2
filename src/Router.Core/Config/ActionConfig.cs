using Router.Core.Roles;

namespace Router.Core.Config;

public enum ActionKind { OpenWrtWan, OpenWrtGlorytun, OpenWrtDnsmasq, Link, Systemd, Command, Conntrackd, OmrVpn, OmrProxy, OmrVpsApi }

/// <summary>One "config action" section: something started on MASTER and stopped on BACKUP / FAULT / stop.</summary>
public sealed record ActionConfig
{
    public required string Name { get; init; }
    public required ActionKind Kind { get; init; }
    public required int Order { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public int Retries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Starts only after the fence check (default for openwrt_glorytun, openwrt_wan and link); stopped first when
    /// leaving MASTER, and Released is told to the peer only once every fenced action has stopped. Default for
    /// openwrt_glorytun, openwrt_wan, link and the omr_* kinds.</summary>
    public bool Fenced { get; init; }
    /// <summary>openwrt_wan: OpenWrt logical interfaces (wan1, wan2). link: kernel devices.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];
    /// <summary>openwrt_wan: network.IFACE.multipath value set on MASTER / on leaving it; null = untouched.</summary>
    public string? MultipathMaster { get; init; }
    public string? MultipathBackup { get; init; }
    /// <summary>openwrt_glorytun: UCI packages / init scripts (glorytun, glorytun-udp). openwrt_dnsmasq: init scripts.
    /// systemd: units.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];
    /// <summary>openwrt_dnsmasq: the dhcp sections switched with ignore/force (default lan).</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];
    /// <summary>omr_vpn: the tunnel pinned by option vpn; null = openmptcprouter.settings.vpn, read when the action runs.</summary>
    public string? Vpn { get; init; }
    /// <summary>omr_proxy: the proxy pinned by option proxy; null = openmptcprouter.settings.proxy, read when the action runs.</summary>
    public string? Proxy { get; init; }
    /// <summary>omr_vps_api: the openmptcprouter server sections; empty = every `config server` section.</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];
    /// <summary>command: command lines (split like notify scripts, no shell).</summary>
    public string? Start { get; init; }
    public string? Stop { get; init; }
    /// <summary>command: exits 0 when what start starts is running, non-zero when it is not; lets enforcement notice drift.</summary>
    public string? Check { get; init; }
    /// <summary>conntrackd: its config file (-C) and binary; null = conntrackd's default / the one on PATH.</summary>
    public string? ConntrackdConfig { get; init; }
    public string? ConntrackdBinary { get; init; }
    /// <summary>command / systemd with option dhcp: this action runs the DHCP server, so the replicated leases are
    /// handed to it before it starts, as for openwrt_dnsmasq.</summary>
    public bool ServesDhcp { get; init; }
    public int Line { get; init; }

    public StepPhase Phase => Kind switch
    {
        ActionKind.OpenWrtWan or ActionKind.Link => StepPhase.Wan,
        ActionKind.OpenWrtGlorytun => StepPhase.Tunnel,
        ActionKind.OpenWrtDnsmasq => StepPhase.Dhcp,
        _ when ServesDhcp => StepPhase.Dhcp,
        _ => Fenced ? StepPhase.Tunnel : StepPhase.Service,
    };

    public ActionSpec ToSpec() => new()
    {
        Name = Name,
        Phase = Phase,
        Order = Order,
        Timeout = Timeout,
        Retries = Retries,
        RetryDelay = RetryDelay,
        Fenced = Fenced,
    };
}
