using System.Net;

namespace Router.Core.Vrrp;

/// <summary>
/// Which senders an instance may follow or yield to. VRRPv3 has no authentication (RFC 5798 9), so any LAN host can
/// claim priority 255; where routerha knows who its peers are, only they count.
/// </summary>
/// <remarks>
/// Unicast mode: the configured unicast peers, as keepalived's check_unicast_src. With a peer channel: the peer's
/// addresses the caller knows (the remote addresses of the configured peer paths, and the advert sources of the peer's instances it
/// announced over the authenticated channel). Otherwise, or when none of those is of the instance's family, null:
/// anyone, the RFC behaviour that keepalived interop needs.
/// </remarks>
public static class VrrpTrustedSources
{
    /// <param name="peerAddresses">Every address known to be the peer's (any family; the others are ignored).</param>
    public static IReadOnlyList<IPAddress>? For(VrrpInstanceSettings settings, IEnumerable<IPAddress> peerAddresses)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(peerAddresses);
        if (settings.UnicastPeers.Count > 0)
            return settings.UnicastPeers;
        var known = new List<IPAddress>();
        foreach (var address in peerAddresses)
        {
            if (address.AddressFamily == settings.Family && !Contains(known, address))
                known.Add(address);
        }
        return known.Count == 0 ? null : known;
    }

    /// <summary>True when <paramref name="trusted"/> is null (anyone) or holds <paramref name="source"/>.</summary>
    /// <remarks>Compares the address bytes: an IPv6 link-local source arrives with the interface's scope id, a
    /// configured one usually without.</remarks>
    public static bool Allows(IReadOnlyList<IPAddress>? trusted, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return trusted is null || Contains(trusted, source);
    }

    private static bool Contains(IReadOnlyList<IPAddress> list, IPAddress address)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        if (!address.TryWriteBytes(a, out var length))
            return false;
        foreach (var candidate in list)
        {
            if (candidate.AddressFamily == address.AddressFamily && candidate.TryWriteBytes(b, out var n) && n == length
                && a[..length].SequenceEqual(b[..n]))
                return true;
        }
        return false;
    }
}
