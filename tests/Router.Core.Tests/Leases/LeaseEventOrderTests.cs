using System.Net;
using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

/// <summary>Hotplug delivers dnsmasq's events unordered: the newer by dnsmasq's expiry stamp wins.</summary>
public class LeaseEventOrderTests
{
    private const string Mac = "02:00:00:00:00:07";
    private const string Ip = "192.168.1.107";
    private static readonly long E1 = T0.ToUnixTimeSeconds() + 3600;
    private static readonly long E2 = E1 + 1800;

    private static DhcpLeaseEvent Event(LeaseAction action, long expires, bool stamped = true) =>
        new(action, Mac, IPAddress.Parse(Ip), "pc", null, "br-lan", expires, stamped);

    private static LeaseRecord Stored(long expires, bool deleted = false) =>
        Lease(Mac, Ip, new HybridTimestamp(1, 0), "a", deleted, "pc", expires);

    [Fact]
    public void AnythingAppliesToALeaseNotKnownYet()
    {
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Old, E1), null));
    }

    [Fact]
    public void ARenewalOvertakenByItsAddKeepsTheLaterExpiry()
    {
        // Renewal (E2) stored first, the add that preceded it (E1) arrives after it.
        Assert.True(LeaseEventOrder.IsStale(Event(LeaseAction.Add, E1), Stored(E2)));
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Old, E2), Stored(E1)));
    }

    [Fact]
    public void AnAddArrivingAfterTheReleaseOfTheSameLeaseDoesNotBringItBack()
    {
        // A release reports the end of the lease it ends: the same stamp as that lease's add.
        Assert.True(LeaseEventOrder.IsStale(Event(LeaseAction.Add, E1), Stored(E1, deleted: true)));
        Assert.True(LeaseEventOrder.IsStale(Event(LeaseAction.Old, E1), Stored(E1, deleted: true)));
    }

    [Fact]
    public void TheReleaseOfALeaseAppliesOverItsOwnAddButNotOverALaterRenewal()
    {
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Del, E1), Stored(E1)));
        Assert.True(LeaseEventOrder.IsStale(Event(LeaseAction.Del, E1), Stored(E2)));
        Assert.True(LeaseEventOrder.IsStale(Event(LeaseAction.Del, E1), Stored(E1, deleted: true)));
    }

    [Fact]
    public void ANewLeaseAfterARelease()
    {
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Add, E2), Stored(E1, deleted: true)));
    }

    [Fact]
    public void WithoutADnsmasqStampOrWithAnInfiniteLeaseArrivalOrderDecides()
    {
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Del, E1, stamped: false), Stored(E2)));
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Add, 0), Stored(E2)));
        Assert.False(LeaseEventOrder.IsStale(Event(LeaseAction.Add, E1), Stored(E1, deleted: true) with { ExpiresUnix = 0 }));
    }

    [Fact]
    public void TheParserMarksOnlyDnsmasqsAbsoluteExpiryAsAStamp()
    {
        var byExpiry = Assert.IsType<DhcpLeaseEvent>(DhcpScriptParser.Parse(["add", Mac, Ip],
            new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = E1.ToString(System.Globalization.CultureInfo.InvariantCulture) }, T0));
        var byLength = Assert.IsType<DhcpLeaseEvent>(DhcpScriptParser.Parse(["add", Mac, Ip],
            new Dictionary<string, string> { ["DNSMASQ_LEASE_LENGTH"] = "3600" }, T0));
        var delWithoutEnd = Assert.IsType<DhcpLeaseEvent>(DhcpScriptParser.Parse(["del", Mac, Ip], new Dictionary<string, string>(), T0));
        Assert.Equal((true, false, false), (byExpiry.Stamped, byLength.Stamped, delWithoutEnd.Stamped));
    }
}
