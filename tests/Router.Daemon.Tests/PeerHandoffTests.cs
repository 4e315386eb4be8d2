using System.Runtime.InteropServices;
using Router.Core.Roles;
using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>Cooperative handoff and fast peer-death detection over the peer channel, the whole pair on one fake
/// clock: the backup takes over when the master says it left (or is dead) instead of waiting out master-down, while
/// the tunnel still waits for the fence.</summary>
public sealed class PeerHandoffTests
{
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);

    private static TimeSpan? TunnelStart(TestRouter r, TimeSpan after) =>
        r.Steps.Started.Where(s => s.Name == "vpn" && s.Direction == ActionDirection.Start && s.At >= after)
            .Select(s => (TimeSpan?)s.At).FirstOrDefault();

    private static TimeSpan TunnelStop(TestRouter r) =>
        r.Steps.Started.Last(s => s.Name == "vpn" && s.Direction == ActionDirection.Stop).At;

    private static string LastReason(TestRouter r) => r.Status().Instances.Single(i => i.Name == "lan").Transitions[^1].Reason;

    /// <summary>A's LAN link goes down: its adverts (and its priority-0 goodbye) never reach B.</summary>
    private static void PullAsLanCable(TestPair pair)
    {
        pair.Lan.Cut("router-a");
        pair.A.Kernel.SetLink("lan0", false);
    }

    [Fact]
    public void AMasterWhoseLanLinkDiesHandsOverAtOnceOverTheCableWhileTheLanPathSilentlyLosesEverything()
    {
        using var pair = new TestPair(new PairOptions { Cable = true });
        pair.StartAndElect();
        var cut = pair.Now;
        pair.Peers.Blackhole("lan"); // the peer path over the dead link is still "up": nobody has noticed yet
        PullAsLanCable(pair);
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        Assert.True(pair.Now - cut < Instant, $"B took over {pair.Now - cut} after the cut");
        Assert.Equal("FAULT", pair.A.State());
        Assert.Contains("left MASTER", LastReason(pair.B));
        Assert.Equal(1, pair.B.Status().Instances.Single().Counters.PeerTakeovers);

        pair.RunUntil(() => TunnelStart(pair.B, cut) is not null, TimeSpan.FromSeconds(5), "B's tunnel start");
        var started = TunnelStart(pair.B, cut)!.Value;
        Assert.True(started >= TunnelStop(pair.A), "B started its tunnel before A's had stopped");
        Assert.True(started - TunnelStop(pair.A) < Instant, $"B's tunnel waited {started - TunnelStop(pair.A)} after A's stop");
    }

    [Fact]
    public void EveryStateGoesOutOnEveryPathAndTheSecondCopyCountsAsADuplicate()
    {
        using var pair = new TestPair(new PairOptions { Cable = true });
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(3));
        var fence = pair.B.Status().Fence!;
        Assert.True(fence.PeerStatesDuplicate > 0, "no duplicate: states went out on one path only");
        Assert.Equal(0, fence.PeerStatesRejected);
        Assert.Equal("Master", fence.PeerRole);
    }

    [Fact]
    public void SigtermHandsOverAtOnceAndTheNewTunnelStartsWhenTheOldOneHasStopped()
    {
        using var pair = new TestPair(new PairOptions { Cable = true });
        pair.StartAndElect();
        pair.A.Steps.Hold("vpn", ActionDirection.Stop); // the old tunnel takes a while to stop
        var stop = pair.Now;
        pair.A.Daemon.Post(new SignalArrived(PosixSignal.SIGTERM));
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        Assert.True(pair.Now - stop < Instant, $"B took over {pair.Now - stop} after SIGTERM (skew time would be 0.61 s)");

        pair.RunFor(TimeSpan.FromSeconds(2));
        Assert.Null(TunnelStart(pair.B, stop)); // A's tunnel is still stopping
        Assert.False(pair.A.Daemon.Finished);
        var released = pair.Now;
        pair.A.Steps.Finish("vpn");
        pair.RunUntil(() => TunnelStart(pair.B, stop) is not null && pair.A.Daemon.Finished, TimeSpan.FromSeconds(5), "B's tunnel, A's exit");
        Assert.True(TunnelStart(pair.B, stop)!.Value - released < Instant, "B's tunnel waited after A's release");
    }

    [Fact]
    public void WithThePeerChannelDownAFaultedMasterIsReplacedByRfcTiming()
    {
        using var pair = new TestPair(new PairOptions { Cable = true });
        pair.StartAndElect();
        pair.Peers.Cut("lan");
        pair.Peers.Cut("cable");
        var cut = pair.Now;
        PullAsLanCable(pair);
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        // Master-down: 3 intervals + skew (0.61 s) after the last advert, at most 1 s before the cut.
        Assert.True(pair.Now - cut > TimeSpan.FromSeconds(2.6), $"B took over {pair.Now - cut} after the cut");
        Assert.Contains("master down timer expired", LastReason(pair.B));
        Assert.Equal(0, pair.B.Status().Instances.Single().Counters.PeerTakeovers);
    }

    [Fact]
    public void APeerKilledOnEveryPathWithItsAdvertsIsTakenOverAfterTheDeadIntervalWhileTheTunnelWaitsTheFence()
    {
        using var pair = new TestPair(new PairOptions { Cable = true, HeartbeatSeconds = 0.1, DeadSeconds = 0.3, FenceWindowSeconds = 6 });
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(1.55));
        var kill = pair.Now;
        // kill -9: the kernel closes both connections and the adverts stop.
        pair.Lan.Cut("router-a");
        pair.Peers.Cut("lan");
        pair.Peers.Cut("cable");
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        Assert.True(pair.Now - kill <= TimeSpan.FromSeconds(0.3), $"B took over {pair.Now - kill} after the kill");
        Assert.Contains("silent on every peer path", LastReason(pair.B));

        // The peer may be hung, not dead: the tunnel still waits the fence window.
        pair.RunUntil(() => TunnelStart(pair.B, kill) is not null, TimeSpan.FromSeconds(10), "B's tunnel start");
        Assert.True(TunnelStart(pair.B, kill)!.Value - kill >= TimeSpan.FromSeconds(5.7), "B's tunnel did not wait the fence window");
    }

    [Fact]
    public void APeerSilentOnTheChannelWhoseAdvertsStillArriveIsNotDead()
    {
        using var pair = new TestPair(new PairOptions { Cable = true, HeartbeatSeconds = 0.1, DeadSeconds = 0.3 });
        pair.StartAndElect();
        // Cut the channel late in an advert interval: A's next advert arrives within the dead interval.
        long Adverts() => pair.B.Status().Instances.Single().Counters.AdvertsReceived;
        var seen = Adverts();
        pair.RunUntil(() => Adverts() > seen, TimeSpan.FromSeconds(2), "an advert from A");
        pair.RunFor(TimeSpan.FromSeconds(0.8));
        pair.Peers.Cut("lan");
        pair.Peers.Cut("cable");
        pair.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal("BACKUP", pair.B.State());
        Assert.Equal("MASTER", pair.A.State());
        Assert.Equal(0, pair.B.Status().Instances.Single().Counters.PeerTakeovers);
    }

    [Fact]
    public void WithDefaultHeartbeatsAPeerGoneFromEveryPathIsLeftToMasterDown()
    {
        using var pair = new TestPair(new PairOptions { Cable = true });
        pair.StartAndElect();
        var kill = pair.Now;
        pair.Lan.Cut("router-a");
        pair.Peers.Cut("lan");
        pair.Peers.Cut("cable");
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        Assert.Contains("master down timer expired", LastReason(pair.B));
        Assert.True(pair.Now - kill > TimeSpan.FromSeconds(2.6));
    }
}
