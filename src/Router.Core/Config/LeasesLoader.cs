namespace Router.Core.Config;

/// <summary>
/// "config leases": where the DHCP lease store lives. Without the section routerha keeps no leases
/// (dhcp-script calls are answered from nothing and store nothing).
/// </summary>
public sealed record LeasesConfig
{
    public const string DefaultDbPath = "/etc/routerha/leases.db";

    public bool Enabled { get; init; } = true;
    /// <summary>On flash (survives a reboot) by default; /tmp trades that for no flash writes (docs/leases.md).</summary>
    public string DbPath { get; init; } = DefaultDbPath;
    /// <summary>Where dnsmasq reads its leases when it runs without --leasefile-ro (OpenWrt: /tmp/dhcp.leases):
    /// written with the merged set before the DHCP action starts. Null: dnsmasq asks `routerha dhcp-script init`.</summary>
    public string? LeaseFile { get; init; }
    /// <summary>Rows kept in the store at most (leases, ended leases and tombstones together): bounds flash use
    /// whatever a LAN host does with random MACs (dnsmasq's dhcp-lease-max bounds only live leases).</summary>
    public int MaxRows { get; init; } = 4096;
    /// <summary>Rows kept per hardware address: one client cycling through addresses keeps only its latest few.</summary>
    public int MaxRowsPerMac { get; init; } = 4;
    /// <summary>Tombstones (released leases) kept at most, newest first; each also goes 1 h after its delete.</summary>
    public int MaxTombstones { get; init; } = 1024;
    /// <summary>Lease events are committed together at most this often (milliseconds): one fsync per batch.</summary>
    public int CommitIntervalMs { get; init; } = 500;
    public int Line { get; init; }
}

internal static class LeasesLoader
{
    public static LeasesConfig Load(SectionReader r) => new()
    {
        Enabled = r.Bool("enabled", true),
        DbPath = r.AbsolutePath("db_path") ?? LeasesConfig.DefaultDbPath,
        LeaseFile = r.AbsolutePath("lease_file"),
        MaxRows = r.Int("max_rows", 64, 1_000_000) ?? 4096,
        MaxRowsPerMac = r.Int("max_rows_per_mac", 1, 1024) ?? 4,
        MaxTombstones = r.Int("max_tombstones", 0, 1_000_000) ?? 1024,
        CommitIntervalMs = r.Int("commit_interval", 0, 60_000) ?? 500,
        Line = r.Section.Line,
    };
}
