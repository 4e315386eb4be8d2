using Router.Core.Leases;

namespace Router.Store;

/// <summary>
/// A position in this store's change log: every write takes the next local sequence number. Not the HLC
/// stamp: a row relayed from a third router keeps its (older) stamp but is new here, and a stamp cursor
/// would skip it. "Changed since" pages resume after Seq, so a peer catching up after hours reads bounded pages.
/// </summary>
public readonly record struct LeaseCursor(long Seq)
{
    public static LeaseCursor Start => new(0);
}

/// <summary>Rows with their change number, in change order; Next is the last change number read.</summary>
public sealed record LeaseChangesPage(IReadOnlyList<LeaseRecord> Rows, LeaseCursor Next, bool More);

/// <summary>How far this store has committed the change log of a peer's store (StoreId).</summary>
public sealed record PeerCursor(string StoreId, long Seq);
