namespace Router.Store;

/// <summary>
/// How many rows the store keeps whatever the LAN does: dnsmasq's dhcp-lease-max bounds live leases, not the
/// tombstones and ended leases a host releasing with random MACs leaves behind (docs/leases.md#bounds).
/// </summary>
public sealed record LeaseLimits(int MaxRows, int MaxRowsPerMac, int MaxTombstones)
{
    public static readonly LeaseLimits Default = new(4096, 4, 1024);
}
