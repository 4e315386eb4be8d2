namespace Router.Core.Config;

/// <summary>Which section types exist and which options each takes (single value or list).</summary>
internal static class ConfigSchema
{
    public const string GlobalType = "global";
    public const string InstanceType = "instance";
    public const string SyncGroupType = "sync_group";
    public const string PeerType = "peer";
    public const string MqttType = "mqtt";
    public const string ActionType = "action";
    public const string TrackType = "track";
    public const string LeasesType = "leases";

    public static readonly string[] SectionTypes = [GlobalType, InstanceType, SyncGroupType, PeerType, MqttType, ActionType, TrackType, LeasesType];

    public static readonly SectionSchema Global = new(
        single: ["enabled", "node_name", "control_socket", "startup_delay", "log_level", "syslog", "syslog_facility", "notify_timeout",
                 "watchdog", "respawn_delay", "term_timeout", "dbus", "enforce_interval"],
        lists: []);

    public static readonly SectionSchema Instance = new(
        single: ["interface", "vrid", "version", "priority", "advert_interval", "preempt", "preempt_delay", "accept",
                 "unicast_src", "auth_type", "auth_pass", "garp_repeat", "garp_interval", "garp_master_delay", "garp_refresh",
                 "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"],
        lists: ["vip", "unicast_peer"]);

    public static readonly SectionSchema Leases = new(single: ["enabled", "db_path", "lease_file", "max_rows", "max_rows_per_mac", "max_tombstones", "commit_interval"], lists: []);

    public static readonly SectionSchema SyncGroup = new(
        single: ["notify", "notify_master", "notify_backup", "notify_fault"],
        lists: ["instance"]);

    public static readonly SectionSchema Peer = new(
        single: ["port", "secret", "secret_file", "heartbeat_interval", "dead_interval", "fence_window", "fence_command",
                 "fence_timeout"],
        lists: ["path"]);

    public static readonly SectionSchema Mqtt = new(
        single: ["enabled", "host", "port", "username", "password", "node_id", "client_id", "topic_prefix", "keepalive",
                 "tls", "ca_file", "cert_file", "key_file", "discovery", "discovery_prefix", "commands",
                 "max_packet_size", "protocol", "event_expiry"],
        lists: []);

    public static readonly SectionSchema Action = new(
        single: ["kind", "order", "timeout", "retries", "retry_delay", "fenced", "multipath_master", "multipath_backup",
                 "start", "stop", "config", "binary", "dhcp", "check", "vpn", "proxy"],
        lists: ["interface", "service", "section", "server"]);

    public static readonly SectionSchema Track = new(
        single: ["kind", "interval", "timeout", "rise", "fall", "weight", "init_fail", "interface", "host", "port", "source",
                 "pidfile", "name", "script"],
        lists: ["instance"]);
}

internal sealed class SectionSchema(string[] single, string[] lists)
{
    public IReadOnlyList<string> Single { get; } = single;
    public IReadOnlyList<string> Lists { get; } = lists;
    public IEnumerable<string> All => Single.Concat(Lists);
    public bool IsList(string name) => Lists.Contains(name);
    public bool Knows(string name) => Single.Contains(name) || Lists.Contains(name);
}
