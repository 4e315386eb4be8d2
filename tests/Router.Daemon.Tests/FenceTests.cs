using Router.Core.Roles;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>The tunnel runs on one router only: the fence in front of it, seen from the daemon.</summary>
public sealed class FenceTests
{
    private static bool StartedTunnel(TestRouter r) =>
        r.Steps.Started.Any(s => s.Name == "vpn" && s.Direction == ActionDirection.Start);

    [Fact]
    public void AcrossALanCutWithThePeerChannelUpTheLowerMasterKeepsItsTunnelDown()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        pair.Lan.Cut("router-a"); // VRRP adverts lost; the peer channel runs over another link
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER by master-down");
        pair.RunFor(TimeSpan.FromSeconds(20));
        Assert.False(StartedTunnel(pair.B), "B started a second tunnel while A still runs its own");
        Assert.True(pair.B.Status().Role!.FenceDemoted);
        Assert.Equal("Up", pair.A.Status().Role!.Tunnel);
    }

    [Fact]
    public void WhenThePeerFallsSilentTheNewMasterWaitsTheFenceWindow()
    {
        using var pair = new TestPair(new PairOptions { FenceWindowSeconds = 6 });
        pair.StartAndElect();
        var cut = pair.Now;
        pair.Lan.Cut("router-a");
        pair.Peers.Cut("lan"); // A is gone on every path
        pair.RunUntil(() => StartedTunnel(pair.B), TimeSpan.FromSeconds(20), "B's tunnel start");
        var started = pair.B.Steps.Started.First(s => s.Name == "vpn" && s.Direction == ActionDirection.Start).At;
        Assert.True(started - cut >= TimeSpan.FromSeconds(6), $"B started its tunnel {started - cut} after the cut");
        Assert.Equal("Allowed", pair.B.Status().Fence!.Gate);
    }

    [Fact]
    public void WithoutAPeerTheFenceStepPassesAtOnce()
    {
        using var pair = new TestPair(new PairOptions { Peer = false });
        pair.StartAndElect();
        Assert.True(StartedTunnel(pair.A));
        Assert.Null(pair.A.Status().Fence);
        Assert.Contains(pair.A.Log, l => l.Contains("no 'config peer'"));
    }

    [Fact]
    public void SwitchoverStartsTheNewTunnelOnlyAfterTheOldOneIsReleased()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        pair.A.Steps.Hold("vpn"); // A's tunnel stop takes a while
        Assert.True(pair.A.Ask(new Router.Daemon.Control.ControlRequest("switchover")).Ok);
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        pair.RunFor(TimeSpan.FromSeconds(3));
        Assert.False(StartedTunnel(pair.B), "B started its tunnel while A's was still stopping");
        Assert.Equal("Wait", pair.B.Status().Fence!.Gate);
        var released = pair.Now;
        pair.A.Steps.Finish("vpn");
        pair.RunUntil(() => StartedTunnel(pair.B), TimeSpan.FromSeconds(5), "B's tunnel start");
        Assert.True(pair.Now - released < TimeSpan.FromSeconds(0.1), $"B waited {pair.Now - released} after A released");
    }
}
