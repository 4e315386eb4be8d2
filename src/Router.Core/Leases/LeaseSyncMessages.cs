namespace Router.Core.Leases;

/// <summary>Peer-channel message types owned by lease replication (0x02xx; fencing has 0x01xx).</summary>
public static class LeaseMessageTypes
{
    /// <summary><see cref="LeaseSyncRequest"/>: "send me your changes after this point of your change log".</summary>
    public const ushort Request = 0x0201;
    /// <summary><see cref="LeaseSyncPage"/>: a bounded run of the sender's change log.</summary>
    public const ushort Page = 0x0202;
    /// <summary><see cref="LeaseSyncAck"/>: the page is committed on the receiver; the sender may send the next one.</summary>
    public const ushort Ack = 0x0203;

    public static bool IsLeaseType(ushort type) => (type & 0xFF00) == 0x0200;
}

/// <summary>One message of the replication protocol (docs/leases.md, "Replication").</summary>
public abstract record LeaseSyncMessage(ulong Session);

/// <summary>
/// Sent by a router when a path to the peer comes up. StoreId/AfterSeq is the last point of the peer's change
/// log this router has committed; StoreId null (nothing received yet, or this store was rebuilt) asks for all of it.
/// A new request replaces the previous stream.
/// </summary>
public sealed record LeaseSyncRequest(ulong Session, string? StoreId, long AfterSeq) : LeaseSyncMessage(Session);

/// <summary>
/// The sender's changes with local sequence numbers in (FromSeq, ToSeq] of store StoreId, tombstones included;
/// rows the receiver wrote itself may be left out. More: the sender has further changes and sends them after the ack.
/// </summary>
public sealed record LeaseSyncPage(ulong Session, string StoreId, long FromSeq, long ToSeq, bool More, IReadOnlyList<LeaseRecord> Rows)
    : LeaseSyncMessage(Session);

/// <summary>The receiver committed the page ending at ToSeq (rows and its cursor, in one transaction).</summary>
public sealed record LeaseSyncAck(ulong Session, string StoreId, long ToSeq) : LeaseSyncMessage(Session);
