using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

public sealed class ElectionTests
{
    [Fact]
    public void HigherPriorityBecomesMasterAndOnlyItHoldsTheVip()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        Assert.True(pair.A.HasVip());
        Assert.False(pair.B.HasVip());
        Assert.Equal("MASTER", pair.A.Status().Role!.Target);
        Assert.Equal("BACKUP", pair.B.Status().Role!.Target);
    }

    [Fact]
    public void TheVipIsOnTheLinkBeforeAnyGratuitousArpClaimsIt()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        Assert.NotEmpty(pair.A.Kernel.Announced);
        Assert.All(pair.A.Kernel.Announced, a => Assert.True(a.OnLink, $"{a.Address} announced before it was on the link"));
        Assert.Empty(pair.B.Kernel.Announced);
    }

    [Fact]
    public void ABackupThatBootsWithTheVipStillOnTheLinkRemovesIt()
    {
        using var pair = new TestPair();
        // A crash as MASTER leaves the address behind; a router that is not MASTER must not answer for it.
        pair.B.Kernel.AddAddress(2, Router.Core.Net.IpPrefix.TryParse(TestPair.Vip + "/24", out var p) ? p : default);
        pair.StartAndElect();
        Assert.False(pair.B.HasVip());
    }
}
