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
