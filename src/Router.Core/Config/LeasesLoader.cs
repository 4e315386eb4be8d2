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
    public int Line { get; init; }
}

internal static class LeasesLoader
{
    public static LeasesConfig Load(SectionReader r) => new()
    {
        Enabled = r.Bool("enabled", true),
        DbPath = r.AbsolutePath("db_path") ?? LeasesConfig.DefaultDbPath,
        LeaseFile = r.AbsolutePath("lease_file"),
        Line = r.Section.Line,
    };
}
