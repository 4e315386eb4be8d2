using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

public class LeaseMergeTests
{
    private const string Mac = "02:00:00:00:00:01";
    private const string Ip = "192.168.1.100";

    [Fact]
    public void TheHigherStampWinsWhateverOrderTheVersionsArriveIn()
    {
        var older = Lease(Mac, Ip, new HybridTimestamp(1000, 0), "b", host: "old");
        var newer = Lease(Mac, Ip, new HybridTimestamp(1000, 1), "a", host: "new");
        Assert.Same(newer, LeaseMerge.Pick(newer, older));
        Assert.Same(newer, LeaseMerge.Pick(older, newer));
        Assert.False(LeaseMerge.Wins(older, newer));
    }

    [Fact]
    public void EqualStampsAreDecidedByNodeIdTheSameWayOnBothRouters()
    {
        var fromA = Lease(Mac, Ip, new HybridTimestamp(1000, 0), "router-a", host: "a");
        var fromB = Lease(Mac, Ip, new HybridTimestamp(1000, 0), "router-b", host: "b");
        Assert.True(LeaseMerge.Wins(fromB, fromA));
        Assert.False(LeaseMerge.Wins(fromA, fromB));
        Assert.False(LeaseMerge.Wins(fromA, fromA)); // a repeat of the stored version changes nothing
    }

    [Fact]
    public void ConcurrentUpdatesOnTwoRoutersConvergeToTheSameRow()
    {
        var a = new Replica("a");
        var b = new Replica("b");
        var wa = a.Write(Mac, Ip, T0, host: "laptop-a");
        var wb = b.Write(Mac, Ip, T0, host: "laptop-b"); // same millisecond, neither has seen the other
        a.Receive(wb);
        b.Receive(wa);
        Assert.Equal(a.Rows, b.Rows);
        Assert.Equal("laptop-b", a.Rows.Single().Value.Hostname);
    }

    [Fact]
    public void ADeleteNewerThanAnUpdateStaysDeletedWhenTheUpdateArrivesLate()
    {
        var a = new Replica("a");
        var b = new Replica("b");
        var add = a.Write(Mac, Ip, T0);
        b.Receive(add);
        var del = b.Write(Mac, Ip, T0.AddSeconds(1), deleted: true);
        // The peer first gets the delete, then a stale copy of the add (retransmit, reordering).
        a.Receive(del);
        a.Receive(add);
        Assert.True(a.Rows.Single().Value.Deleted);
        Assert.Equal(a.Rows, b.Rows);
    }

    [Fact]
    public void AnUpdateAfterADeleteBringsTheLeaseBack()
    {
        var a = new Replica("a");
        var b = new Replica("b");
        var del = a.Write(Mac, Ip, T0, deleted: true);
        b.Receive(del);
        var add = b.Write(Mac, Ip, T0.AddSeconds(2), host: "back");
        a.Receive(add);
        a.Receive(del);
        Assert.False(a.Rows.Single().Value.Deleted);
        Assert.Equal("back", a.Rows.Single().Value.Hostname);
    }

    [Fact]
    public void ARouterWithAClockTenMinutesSlowStillWinsWithAChangeMadeAfterItSawTheOther()
    {
        var fast = new Replica("fast");
        var slow = new Replica("slow");
        var add = fast.Write(Mac, Ip, T0, host: "first");
        slow.Receive(add);
        // The slow router's wall clock reads 10 minutes earlier, yet its later renewal must win.
        var renew = slow.Write(Mac, Ip, T0.AddSeconds(30).AddMinutes(-10), host: "renewed");
        fast.Receive(renew);
        Assert.Equal("renewed", fast.Rows.Single().Value.Hostname);
        Assert.Equal(fast.Rows, slow.Rows);
    }

    [Fact]
    public void WithoutHavingSeenEachOtherTheRouterWithTheLaterClockWins()
    {
        // Truly concurrent writes cannot be ordered by causality: both routers must still pick one.
        var fast = new Replica("a-fast");
        var slow = new Replica("z-slow");
        var fromSlow = slow.Write(Mac, Ip, T0.AddMinutes(-10), host: "slow");
        var fromFast = fast.Write(Mac, Ip, T0, host: "fast");
        fast.Receive(fromSlow);
        slow.Receive(fromFast);
        Assert.Equal("fast", slow.Rows.Single().Value.Hostname);
        Assert.Equal(fast.Rows, slow.Rows);
    }

    [Fact]
    public void ThreeRoutersReceivingInDifferentOrdersConverge()
    {
        var nodes = new[] { new Replica("a"), new Replica("b"), new Replica("c") };
        var writes = new List<LeaseRecord>
        {
            nodes[0].Write(Mac, Ip, T0, host: "a1"),
            nodes[1].Write(Mac, Ip, T0, host: "b1"),
            nodes[2].Write(Mac, Ip, T0.AddMilliseconds(-1), host: "c1", deleted: true),
            nodes[0].Write("02:00:00:00:00:02", "192.168.1.101", T0, host: "other"),
        };
        var rnd = new Random(4);
        foreach (var n in nodes)
            foreach (var w in writes.OrderBy(_ => rnd.Next()))
                n.Receive(w);
        Assert.Equal(nodes[0].Rows, nodes[1].Rows);
        Assert.Equal(nodes[1].Rows, nodes[2].Rows);
        Assert.Equal("b1", nodes[0].Rows[writes[0].Key].Hostname);
    }
}
