namespace Router.Core.Leases;

/// <summary>
/// Which of two dnsmasq events about one lease is the newer, when they arrive out of order. OpenWrt hands each
/// event to procd's hotplug, which runs every handler on its own, unordered: a renewal can overtake the add
/// before it, a late add can land after the release that ended it.
/// The stamp is dnsmasq's own: DNSMASQ_LEASE_EXPIRES, the lease's absolute end. Every add or renewal moves it
/// to (time of the DHCP reply + lease time), so within one lease it only grows, and it comes from the process
/// that made the decision, not from when a handler happened to run. A release or expiry (del) reports the end
/// of the lease it ends, the same value as the add or renewal it follows; so at equal stamps the del is the
/// newer event, and a second del or a late add/old at that stamp changes nothing.
/// Handler start times were the alternative: procd spawns handlers in event order, but a start time does not
/// survive into the store, and a lease renewed on the peer router would always look older than a local event.
/// An infinite lease (0), or an event whose end this process computed itself (a dnsmasq built with
/// HAVE_BROKEN_RTC, a del without an end), has no stamp to compare: such events apply in arrival order.
/// </summary>
public static class LeaseEventOrder
{
    /// <summary>True when <paramref name="e"/> is older than what is known about its lease (null = nothing known).</summary>
    public static bool IsStale(DhcpLeaseEvent e, LeaseRecord? current)
    {
        if (current is null || !e.Stamped || e.ExpiresUnix == 0 || current.ExpiresUnix == 0) return false;
        if (e.ExpiresUnix != current.ExpiresUnix) return e.ExpiresUnix < current.ExpiresUnix;
        return e.Action != LeaseAction.Del || current.Deleted;
    }
}
