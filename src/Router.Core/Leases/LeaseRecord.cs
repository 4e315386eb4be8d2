using System.Net;

namespace Router.Core.Leases;

/// <summary>
/// Identity of a lease row. The MAC and not the client-id: dnsmasq passes the MAC on every call, while
/// CLIENT_ID is missing from some of them (the "del" for an expired init lease has none).
/// </summary>
public readonly record struct LeaseKey(string Mac, IPAddress Address)
{
    public override string ToString() => $"{Mac} {Address}";
}

/// <summary>
/// One lease as stored and replicated: the latest version wins by (Stamp, Origin). A deleted lease stays
/// as a tombstone until its expiry, so an older "add" arriving late from a peer cannot bring it back.
/// </summary>
public sealed record LeaseRecord(
    LeaseKey Key,
    /// <summary>Unix seconds; 0 = infinite lease (dnsmasq's own convention in the lease file).</summary>
    long ExpiresUnix,
    string? Hostname,
    string? ClientId,
    string? Interface,
    HybridTimestamp Stamp,
    string Origin,
    bool Deleted)
{
    public bool IsExpiredAt(long nowUnix) => ExpiresUnix != 0 && ExpiresUnix <= nowUnix;

    /// <summary>Served to dnsmasq: a live lease that has not expired.</summary>
    public bool IsActiveAt(long nowUnix) => !Deleted && !IsExpiredAt(nowUnix);
}
