using System.Globalization;
using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>Leases through the loop: dnsmasq's calls, replication over the peer channel, the hand-off before DHCP.</summary>
public sealed class LeaseTests
{
    private static ControlResponse Lease(TestRouter r, string action, string mac, string ip, string host, ManualClock clock) =>
        r.Ask(new ControlRequest("lease", Args: [action, mac, ip, host], Env: new Dictionary<string, string>
        {
            ["DNSMASQ_LEASE_EXPIRES"] = (clock.GetUtcNow().ToUnixTimeSeconds() + 3600).ToString(CultureInfo.InvariantCulture),
            ["DNSMASQ_INTERFACE"] = "lan0",
        }));

    [Fact]
    public void ALeaseGivenOutByTheMasterIsInTheNewMastersLeaseFileBeforeItsDhcpStarts()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.StartAndElect();
        var reply = Lease(pair.A, "add", "02:00:00:00:00:42", "192.168.1.142", "laptop", pair.Clock);
        Assert.True(reply.Ok, reply.Error);
        pair.RunUntil(() => pair.B.Status().Leases!.Active == 1, TimeSpan.FromSeconds(5), "the lease replicated to B");

        pair.Lan.Cut("router-a");
        pair.Peers.Cut("lan");
        pair.RunUntil(() => pair.B.Steps.History("dhcp").EndsWith("start", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "B's DHCP start");
        var file = File.ReadAllText(pair.B.LeaseFile!);
        Assert.Contains("02:00:00:00:00:42 192.168.1.142 laptop", file);
    }

    private static ControlResponse Event(TestRouter r, string action, string ip, long expires, string host = "laptop") =>
        r.Ask(new ControlRequest("lease", Args: [action, "02:00:00:00:00:43", ip, host], Env: new Dictionary<string, string>
        {
            ["DNSMASQ_LEASE_EXPIRES"] = expires.ToString(CultureInfo.InvariantCulture),
            ["DNSMASQ_INTERFACE"] = "lan0",
        }));

    private static Router.Core.Leases.LeaseRecord? Stored(TestPair pair, string ip)
    {
        using var store = Router.Store.LeaseStore.OpenReadOnly(Path.Combine(pair.Dir, "a.db"));
        return store?.Get(new Router.Core.Leases.LeaseKey("02:00:00:00:00:43", System.Net.IPAddress.Parse(ip)));
    }

    [Fact]
    public void AnAddThatHotplugDeliversAfterTheReleaseOfThatLeaseLeavesItReleased()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.StartAndElect();
        var end = pair.Clock.GetUtcNow().ToUnixTimeSeconds() + 3600;
        Assert.True(Event(pair.A, "add", "192.168.1.143", end).Ok);
        Assert.True(Event(pair.A, "del", "192.168.1.143", end).Ok);
        Assert.True(Event(pair.A, "add", "192.168.1.143", end).Ok);
        pair.RunUntil(() => pair.A.Status().Leases!.Pending == 0 && Stored(pair, "192.168.1.143") is not null, TimeSpan.FromSeconds(5), "the events stored");
        Assert.True(Stored(pair, "192.168.1.143")!.Deleted);
        Assert.Equal(0, pair.A.Status().Leases!.Active);
    }

    [Fact]
    public void ARenewalOvertakenByTheAddBeforeItKeepsTheRenewedExpiry()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.StartAndElect();
        var first = pair.Clock.GetUtcNow().ToUnixTimeSeconds() + 3600;
        Assert.True(Event(pair.A, "old", "192.168.1.144", first + 1800).Ok);
        Assert.True(Event(pair.A, "add", "192.168.1.144", first).Ok);
        pair.RunUntil(() => pair.A.Status().Leases!.Pending == 0 && Stored(pair, "192.168.1.144") is not null, TimeSpan.FromSeconds(5), "the events stored");
        Assert.Equal(first + 1800, Stored(pair, "192.168.1.144")!.ExpiresUnix);
    }

    [Theory]
    [InlineData("router-a", new[] { "add", "02:00:00:00:00:44", "192.168.1.145" })]
    [InlineData("ROUTER-A", new[] { "add", "02:00:00:00:00:44", "192.168.1.145" })]
    [InlineData("laptop", new[] { "add", "02:00:00:00:00:44", "192.168.1.145", "laptop" })]
    public void TheRoutersOwnNameIsNotTakenAsTheClientsHostname(string host, string[] expected)
    {
        Assert.Equal(expected, Router.Core.Leases.HotplugLeaseEvent.WithoutOwnHostname(["add", "02:00:00:00:00:44", "192.168.1.145", host], "router-a"));
    }

    [Fact]
    public void AMalformedCallIsRefusedWithTheReasonAndStoresNothing()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.StartAndElect();
        var reply = Lease(pair.A, "add", "not-a-mac", "192.168.1.142", "laptop", pair.Clock);
        Assert.False(reply.Ok);
        Assert.Contains("not a hardware address", reply.Error);
        Assert.Equal(0, pair.A.Status().Leases!.Active);
    }

    [Fact]
    public void WithoutALeasesSectionTheCallSaysSo()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var reply = Lease(pair.A, "add", "02:00:00:00:00:42", "192.168.1.142", "laptop", pair.Clock);
        Assert.False(reply.Ok);
        Assert.Contains("not configured", reply.Error);
    }
}
