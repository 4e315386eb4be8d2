using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>What integrations (MQTT) are handed: a fresh view when a reader would see a change, and only then.</summary>
public sealed class ViewTests
{
    [Fact]
    public void ASteadyPairPublishesNoNewViewForAdvertsAndFenceRefreshes()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(2));
        var views = pair.A.Views.Views.Count;
        var sent = pair.Lan.Delivered;
        var peerMessages = pair.Peers.Messages;
        pair.RunFor(TimeSpan.FromSeconds(30));
        Assert.True(pair.Lan.Delivered - sent >= 25, "adverts flowed");
        Assert.True(pair.Peers.Messages - peerMessages >= 25, "fence states flowed");
        Assert.Equal(views, pair.A.Views.Views.Count);
    }

    [Fact]
    public void TheLatestViewShowsTheMasterWithItsVipAndTheRole()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var a = pair.A.Views.Views[^1];
        var lan = Assert.Single(a.Instances);
        Assert.Equal("MASTER", lan.State);
        Assert.True(lan.VipsPresent);
        Assert.Equal("MASTER", a.Role!.Target);
        Assert.Equal("Up", a.Role.Tunnel);
        Assert.Equal("Allowed", a.Fence!.Gate);
        Assert.Equal("BACKUP", Assert.Single(pair.B.Views.Views[^1].Instances).State);
    }

    [Fact]
    public void AVipRemovedBehindTheMastersBackIsRestoredAnnouncedAndReported()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var announced = pair.A.Kernel.Announced.Count;
        pair.A.Kernel.Remove("lan0", TestPair.Vip + "/24");
        pair.Settle();
        Assert.True(pair.A.HasVip());
        Assert.True(pair.A.Kernel.Announced.Count > announced);
        Assert.Contains(pair.A.Views.Events, e => e.Kind == "vip_restored");
        Assert.True(pair.A.Views.Views[^1].Instances[0].VipsPresent);
        Assert.Equal(1, pair.A.Status().Instances[0].Counters.VipsRestored);
    }
}
