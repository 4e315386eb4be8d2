using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

public class HybridClockTests
{
    [Fact]
    public void FollowsTheWallClockWhenItMovesForward()
    {
        var c = new HybridClock();
        var a = c.Next(T0);
        var b = c.Next(T0.AddMilliseconds(5));
        Assert.Equal(new HybridTimestamp(T0.ToUnixTimeMilliseconds(), 0), a);
        Assert.Equal(new HybridTimestamp(T0.ToUnixTimeMilliseconds() + 5, 0), b);
    }

    [Fact]
    public void CountsUpWithinOneMillisecondAndWhenTheWallClockStepsBack()
    {
        var c = new HybridClock();
        var a = c.Next(T0);
        var b = c.Next(T0);
        var back = c.Next(T0.AddMinutes(-10)); // NTP stepped the clock back
        Assert.True(a < b && b < back);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), back.WallMs);
        Assert.Equal(2, back.Counter);
    }

    [Fact]
    public void AfterObservingAStampFromTheFutureLaterLocalStampsExceedIt()
    {
        var c = new HybridClock();
        var remote = new HybridTimestamp(T0.AddHours(1).ToUnixTimeMilliseconds(), 7);
        c.Observe(remote);
        var local = c.Next(T0);
        Assert.True(local > remote);
        Assert.Equal(new HybridTimestamp(remote.WallMs, 8), local);
    }

    [Fact]
    public void AFullCounterCarriesIntoTheNextMillisecond()
    {
        var c = new HybridClock(new HybridTimestamp(1000, HybridTimestamp.MaxCounter));
        Assert.Equal(new HybridTimestamp(1001, 0), c.Next(DateTimeOffset.FromUnixTimeMilliseconds(900)));
    }

    [Fact]
    public void PackingKeepsTheOrderAndRoundTrips()
    {
        var stamps = new[] { new HybridTimestamp(5, 0), new HybridTimestamp(5, 1), new HybridTimestamp(5, HybridTimestamp.MaxCounter), new HybridTimestamp(6, 0) };
        for (var i = 0; i < stamps.Length; i++)
        {
            Assert.Equal(stamps[i], HybridTimestamp.FromPacked(stamps[i].Packed));
            if (i > 0) Assert.True(stamps[i - 1].Packed < stamps[i].Packed);
        }
        var now = new HybridTimestamp(T0.ToUnixTimeMilliseconds(), 3);
        Assert.Equal(now, HybridTimestamp.FromPacked(now.Packed));
    }
}
