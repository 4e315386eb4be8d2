using System.Net;
using Router.Core.Net;
using Router.Core.Vrrp;

namespace Router.Core.Config;

/// <summary>The validated configuration of one router (from /etc/config/routerha).</summary>
public sealed record RouterConfig
{
    public GlobalConfig Global { get; init; } = new();
    public IReadOnlyList<InstanceConfig> Instances { get; init; } = [];
    public IReadOnlyList<SyncGroupConfig> SyncGroups { get; init; } = [];
    public IReadOnlyList<PeerConfig> Peers { get; init; } = [];
    /// <summary>The "config mqtt" section; null when absent or disabled.</summary>
    public MqttConfig? Mqtt { get; init; }
    /// <summary>"config action": run on MASTER / on leaving it, as a plan (Router.Core.Roles).</summary>
    public IReadOnlyList<ActionConfig> Actions { get; init; } = [];
    /// <summary>"config track": health checks adjusting priority or forcing FAULT (Router.Core.Health).</summary>
    public IReadOnlyList<TrackConfig> Tracks { get; init; } = [];
    /// <summary>The DHCP lease store; null when there is no enabled "config leases" section.</summary>
    public LeasesConfig? Leases { get; init; }
    /// <summary>The file this came from.</summary>
    public string SourcePath { get; init; } = "";
}

public sealed record GlobalConfig
{
    /// <summary>False when "option enabled '0'": the daemon refuses to start ("disabled in config").</summary>
    public bool Enabled { get; init; } = true;
    public string ControlSocket { get; init; } = "/var/run/routerha.sock";
    public TimeSpan StartupDelay { get; init; } = TimeSpan.Zero;
    public string LogLevel { get; init; } = "info";       // debug | info | warning | error
    public bool Syslog { get; init; } = true;
    public string SyslogFacility { get; init; } = "daemon";
    /// <summary>Kill a notify script that runs longer than this.</summary>
    public TimeSpan NotifyTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public string? NodeName { get; init; }                  // default: hostname
    /// <summary>The service supervisor kills and restarts a daemon that has not pinged it for this long (the init script
    /// hands it to procd's instance watchdog; a systemd unit's WatchdogSec should say the same). Zero = no watchdog.</summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long procd waits before it restarts a daemon that died (respawn); RestartSec under systemd.</summary>
    public TimeSpan RespawnDelay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>SIGTERM to SIGKILL (procd's term_timeout). A hung loop never ends on SIGTERM, so a watchdog kill takes this long.</summary>
    public TimeSpan TermTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The D-Bus API (docs/dbus.md): true on, false off, null ("auto") on when a system bus is there.</summary>
    public bool? Dbus { get; init; }
    /// <summary>How often the actions that can read their state back are checked and put back into the state the role's
    /// plan left them in (docs/configuration.md, "Continuous enforcement"). Zero = off.</summary>
    public TimeSpan EnforceInterval { get; init; } = TimeSpan.FromSeconds(5);
}

public sealed record NotifyConfig
{
    /// <summary>Called as SCRIPT INSTANCE NAME STATE PRIORITY (keepalived "notify").</summary>
    public string? Notify { get; init; }
    public string? NotifyMaster { get; init; }
    public string? NotifyBackup { get; init; }
    public string? NotifyFault { get; init; }
    public string? NotifyStop { get; init; }
}

public sealed record InstanceConfig
{
    public required VrrpInstanceSettings Vrrp { get; init; }
    /// <summary>Kernel device name (br-lan, eth0).</summary>
    public required string Interface { get; init; }
    /// <summary>VIPs with prefix length, as added to the interface.</summary>
    public required IReadOnlyList<IpPrefix> VirtualPrefixes { get; init; }
    /// <summary>Source address for adverts (unicast_src_ip); null = the interface's primary (v4) / link-local (v6).</summary>
    public IPAddress? SourceAddress { get; init; }
    public NotifyConfig Notify { get; init; } = new();
    public string? SyncGroup { get; init; }
    /// <summary>1-based line of the "config instance" section, for messages.</summary>
    public int Line { get; init; }
}

/// <summary>Where and how state is published over MQTT (docs/mqtt.md).</summary>
public sealed record MqttConfig
{
    public required string Host { get; init; }
    public int Port { get; init; } = 1883;
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>Topic level and Home Assistant device id of this router; null = node_name / hostname made topic-safe.</summary>
    public string? NodeId { get; init; }
    /// <summary>null = "routerha-" + node id.</summary>
    public string? ClientId { get; init; }
    public string TopicPrefix { get; init; } = "routerha";
    public TimeSpan Keepalive { get; init; } = TimeSpan.FromSeconds(30);
    public bool Tls { get; init; }
    /// <summary>PEM CA bundle that signs the broker's certificate; null = the system's trust store.</summary>
    public string? CaFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    public bool Discovery { get; init; } = true;
    public string DiscoveryPrefix { get; init; } = "homeassistant";
    /// <summary>Accept "switchover" / "maintenance on|off" on PREFIX/NODE/command. Off by default: protect it with broker ACLs.</summary>
    public bool Commands { get; init; }
    /// <summary>Largest packet accepted from the broker, in bytes (remaining length); more closes the connection.</summary>
    public int MaxPacketSize { get; init; } = DefaultMaxPacketSize;
    /// <summary>Which MQTT the client speaks: 5 with a fall back to 3.1.1 (auto), or only one of them.</summary>
    public MqttProtocol Protocol { get; init; } = MqttProtocol.Auto;
    /// <summary>MQTT 5 Message Expiry Interval of the (not retained) events; null = events never expire.</summary>
    public TimeSpan? EventExpiry { get; init; } = DefaultEventExpiry;
    public int Line { get; init; }

    public static readonly TimeSpan DefaultEventExpiry = TimeSpan.FromMinutes(5);
    /// <summary>One day: an alert older than that is history, which the status topic and the log already hold.</summary>
    public const int MaxEventExpirySeconds = 86_400;

    public const int DefaultMaxPacketSize = 64 * 1024;
    /// <summary>A CONNACK or PUBACK must fit; below 1 KiB a retained command or discovery echo would not.</summary>
    public const int MinMaxPacketSize = 1024;
    /// <summary>16 MiB: beyond that the limit no longer protects a router with 128 MB of RAM.</summary>
    public const int MaxMaxPacketSize = 16 * 1024 * 1024;
}

public enum MqttProtocol
{
    /// <summary>MQTT 5, and 3.1.1 from then on if the broker refuses 5 as an unacceptable protocol version.</summary>
    Auto,
    V5,
    V311,
}

public sealed record SyncGroupConfig(string Name, IReadOnlyList<string> Instances, NotifyConfig Notify, int Line);

/// <summary>One problem found in the config: path:line: message.</summary>
public sealed record ConfigError(string Path, int Line, string Message)
{
    public override string ToString() => $"{Path}:{Line}: {Message}";
}
