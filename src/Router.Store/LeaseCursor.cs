using Router.Core.Leases;

namespace Router.Store;

/// <summary>
/// A position in the store's change order (stamp, then key). "Changed since" pages resume after the
/// last row returned, so a peer catching up after hours reads the store in bounded pages.
/// </summary>
public readonly record struct LeaseCursor(long Stamp, string Mac, string Ip)
{
    public static LeaseCursor Start => new(long.MinValue, "", "");

    public static LeaseCursor After(LeaseRecord r) => new(r.Stamp.Packed, r.Key.Mac, r.Key.Address.ToString());
}

public sealed record LeaseChangesPage(IReadOnlyList<LeaseRecord> Rows, LeaseCursor Next, bool More);
