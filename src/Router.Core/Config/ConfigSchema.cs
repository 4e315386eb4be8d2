namespace Router.Core.Config;

/// <summary>Which section types exist and which options each takes (single value or list).</summary>
internal static class ConfigSchema
{
    public const string GlobalType = "global";
    public const string InstanceType = "instance";
    public const string SyncGroupType = "sync_group";
    public const string LeasesType = "leases";

    public static readonly string[] SectionTypes = [GlobalType, InstanceType, SyncGroupType, LeasesType];

    public static readonly SectionSchema Global = new(
        single: ["enabled", "node_name", "control_socket", "startup_delay", "log_level", "syslog", "syslog_facility", "notify_timeout"],
        lists: []);

    public static readonly SectionSchema Instance = new(
        single: ["interface", "vrid", "version", "priority", "advert_interval", "preempt", "preempt_delay", "accept",
                 "unicast_src", "auth_type", "auth_pass", "garp_repeat", "garp_interval", "garp_master_delay", "garp_refresh",
                 "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"],
        lists: ["vip", "unicast_peer"]);

    public static readonly SectionSchema Leases = new(single: ["enabled", "db_path"], lists: []);

    public static readonly SectionSchema SyncGroup = new(
        single: ["notify", "notify_master", "notify_backup", "notify_fault"],
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
