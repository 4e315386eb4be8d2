using System.Net;
using Router.Core.Fencing;

namespace Router.Core.Tests.Fencing;

/// <summary>The tunnel gate on a fake clock: two fences exchanging states the way two daemons would.</summary>
public class FenceTests
{
    private static readonly IPAddress AddrA = IPAddress.Parse("192.168.1.1");
    private static readonly IPAddress AddrB = IPAddress.Parse("192.168.1.2");
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(15);
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    private static TunnelFence Fence(ulong boot, IPAddress address, byte priority, TimeSpan now = default) =>
        new(new FenceSettings { Paths = ["lan", "link"], SilenceWindow = Window }, boot, address, priority, now);

    /// <summary>Delivers whatever each side has to say until both are quiet (bounded: the exchange must end).</summary>
    private static void Exchange(TunnelFence a, TunnelFence b, TimeSpan now, string path = "lan")
    {
        // States only arrive over a connected path.
        a.OnPathUp(path, now);
        b.OnPathUp(path, now);
        for (var round = 0; round < 10; round++)
        {
            var fromA = a.TakeStateToSend();
            var fromB = b.TakeStateToSend();
            if (fromA is null && fromB is null) return;
            if (fromA is not null) b.OnPeerState(path, Roundtrip(fromA), now);
            if (fromB is not null) a.OnPeerState(path, Roundtrip(fromB), now);
        }
        Assert.Fail("the state exchange did not settle");
    }

    /// <summary>Every state crosses the wire in these tests, so the codec is exercised with the logic.</summary>
    private static FenceState Roundtrip(FenceState s) => FenceCodec.Decode(FenceCodec.Encode(s), out var error) ?? throw new InvalidOperationException(error);

    [Fact]
    public void ABackupNeverMayRunTheTunnel()
    {
        var a = Fence(1, AddrA, 150);
        var v = a.Advance(S(100));
        Assert.Equal(TunnelGate.NotMaster, v.Gate);
        Assert.True(v.StopTunnel);
    }

    [Fact]
    public void TheNewMasterStartsOnceThePeerConfirmsItReleasedTheTunnel()
    {
        var a = Fence(1, AddrA, 100);
        var b = Fence(2, AddrB, 150);
        b.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));

        // b dies as master... no: b hands over. a becomes MASTER while b still reports its tunnel up.
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1));
        b.SetLocal(FenceRole.Backup, 150, TunnelStatus.Stopping, S(1));
        Exchange(a, b, S(1));
        var waiting = a.Advance(S(1));
        Assert.Equal(TunnelGate.Wait, waiting.Gate);
        Assert.Contains("stopping", waiting.Reason);
        Assert.Equal(S(1) + Window, waiting.RecheckAt);

        b.SetLocal(FenceRole.Backup, 150, TunnelStatus.Released, S(2.5));
        Exchange(a, b, S(2.5));
        var go = a.Advance(S(2.5));
        Assert.Equal(TunnelGate.Allowed, go.Gate);
        Assert.Equal("peer confirmed its tunnel is released", go.Reason);
        Assert.False(go.StopTunnel);
    }

    [Fact]
    public void APeerThatStoppedWithItsTunnelReleasedOpensTheGateWithoutAcknowledgingUs()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));

        // A hands over and stops while B is still listening after its start: Released, then goodbye on every path.
        a.SetLocal(FenceRole.Backup, 150, TunnelStatus.Released, S(1));
        Exchange(a, b, S(1));
        b.OnPathDown("lan", S(1.1), peerStopping: true);

        // B becomes MASTER by its own timer later; nobody is left to acknowledge it, and no one needs to.
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(8));
        var v = b.Advance(S(8));
        Assert.Equal((TunnelGate.Allowed, "peer stopped with its tunnel released"), (v.Gate, v.Reason));

        // A comes back: its new run has to answer for itself again.
        b.OnPathUp("lan", S(20));
        Assert.Equal(TunnelGate.Wait, b.Advance(S(20)).Gate);
    }

    [Fact]
    public void APeerThatStoppedOrVanishedWithoutReleasingKeepsTheGateClosedForTheWindow()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        a.SetLocal(FenceRole.Backup, 150, TunnelStatus.Stopping, S(1));
        Exchange(a, b, S(1));

        // Its tunnel stop never finished before it said goodbye.
        b.OnPathDown("lan", S(1.1), peerStopping: true);
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(8));
        var stopping = b.Advance(S(8));
        Assert.Equal((TunnelGate.Wait, S(1) + Window), (stopping.Gate, stopping.RecheckAt));

        // Released, but the connection just broke (a crash, a cable): no goodbye, so no word that it stays released.
        var c = Fence(3, AddrB, 100);
        a.SetLocal(FenceRole.Backup, 150, TunnelStatus.Released, S(9));
        Exchange(a, c, S(9));
        c.OnPathDown("lan", S(9.1));
        c.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(12));
        Assert.Equal(TunnelStatus.Released, c.Peer!.Tunnel);
        var broken = c.Advance(S(12));
        Assert.Equal((TunnelGate.Wait, S(9) + Window), (broken.Gate, broken.RecheckAt));
    }

    [Fact]
    public void AReleasedSaidBeforeThePeerKnewWeAreMasterDoesNotCount()
    {
        var a = Fence(1, AddrA, 100);
        var b = Fence(2, AddrB, 150);
        Exchange(a, b, S(0)); // both BACKUP, both released
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1));
        // b's earlier "released" is on file, but b has not seen a's MASTER state yet.
        var v = a.Advance(S(1));
        Assert.Equal(TunnelGate.Wait, v.Gate);
        Assert.Contains("acknowledge", v.Reason);
        Exchange(a, b, S(1.2));
        Assert.Equal(TunnelGate.Allowed, a.Advance(S(1.2)).Gate);
    }

    [Fact]
    public void SilenceOnOnePathOnlyKeepsTheGateClosed()
    {
        var a = Fence(1, AddrA, 100);
        var b = Fence(2, AddrB, 150);
        b.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1));
        // b no longer answers on the lan, but its heartbeats still arrive over the dedicated link.
        for (var t = 1.0; t <= 60; t += 1) a.OnHeard("link", S(t));
        var v = a.Advance(S(60));
        Assert.Equal(TunnelGate.Wait, v.Gate);
        Assert.Equal(S(60) + Window, v.RecheckAt);
        Assert.Equal(S(0), a.LastHeard["lan"]);
    }

    [Fact]
    public void SilenceOnEveryPathForTheWindowOpensTheGateAndNotAMomentEarlier()
    {
        var a = Fence(1, AddrA, 100);
        var b = Fence(2, AddrB, 150);
        b.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        a.OnHeard("link", S(3));
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(4));

        var before = a.Advance(S(3) + Window - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TunnelGate.Wait, before.Gate);
        Assert.Equal(S(3) + Window, before.RecheckAt);
        var at = a.Advance(S(3) + Window);
        Assert.Equal(TunnelGate.Allowed, at.Gate);
        Assert.Equal("peer silent on every path for 15 s", at.Reason);
    }

    [Fact]
    public void ARouterThatBootsAloneWaitsTheFullWindow()
    {
        var a = Fence(1, AddrA, 100, now: S(5));
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(9));
        var v = a.Advance(S(10));
        Assert.Equal(TunnelGate.Wait, v.Gate);
        Assert.Equal("peer not heard yet on any path", a.Advance(S(5)).Reason);
        Assert.Equal(S(5) + Window, v.RecheckAt);
        Assert.Equal(TunnelGate.Allowed, a.Advance(S(20)).Gate);
    }

    [Fact]
    public void TwoMastersThatSeeEachOtherTheLowerPriorityStepsDownAndTheHigherWaitsForItsRelease()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Released, S(0));
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0)); // partition: b took over with its tunnel
        Exchange(a, b, S(10));

        var atB = b.Advance(S(10));
        Assert.True(atB.StepDown);
        Assert.True(atB.StopTunnel);
        Assert.Contains("stepping down", atB.Reason);
        var atA = a.Advance(S(10));
        Assert.False(atA.StepDown);
        Assert.False(atA.StopTunnel);
        Assert.Equal(TunnelGate.Wait, atA.Gate);

        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Stopping, S(10.5));
        b.SetLocal(FenceRole.Backup, 100, TunnelStatus.Released, S(12));
        Exchange(a, b, S(12));
        Assert.Equal(TunnelGate.Allowed, a.Advance(S(12)).Gate);
        Assert.Equal(TunnelGate.NotMaster, b.Advance(S(12)).Gate);
    }

    [Fact]
    public void TwoMastersWithEqualPriorityTheLowerAddressStepsDown()
    {
        var a = Fence(1, AddrA, 100);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0));
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        Assert.True(a.Advance(S(0)).StepDown);
        Assert.False(b.Advance(S(0)).StepDown);
    }

    [Fact]
    public void ADualMasterEpisodeIsReportedWithItsDurationAndCounted()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0));
        Exchange(a, b, S(30));
        var started = Assert.IsType<DualMasterStarted>(Assert.Single(a.TakeEvents()));
        Assert.Equal(S(30), started.At);
        Assert.Equal(AddrB, started.PeerAddress);
        Assert.False(started.WeStepDown);
        Assert.True(Assert.IsType<DualMasterStarted>(Assert.Single(b.TakeEvents())).WeStepDown);
        Assert.Equal(S(30), a.DualMasterSince);

        b.SetLocal(FenceRole.Backup, 100, TunnelStatus.Released, S(32.5));
        Exchange(a, b, S(32.5));
        var ended = Assert.IsType<DualMasterEnded>(Assert.Single(a.TakeEvents()));
        Assert.Equal(S(2.5), ended.Duration);
        Assert.Equal("peer is BACKUP", ended.Reason);
        Assert.Equal("we left MASTER", Assert.IsType<DualMasterEnded>(Assert.Single(b.TakeEvents())).Reason);

        // A second, longer episode that ends with the peer falling silent everywhere.
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(40));
        Exchange(a, b, S(40));
        a.OnHeard("link", S(45));
        Assert.Single(a.TakeEvents());
        a.Advance(S(45) + Window);
        var silent = Assert.IsType<DualMasterEnded>(Assert.Single(a.TakeEvents()));
        Assert.Equal("peer silent on every path", silent.Reason);
        Assert.Equal(S(20), silent.Duration);

        Assert.Equal(2, a.Counters.DualMasterEpisodes);
        Assert.Equal(S(22.5), a.Counters.DualMasterTotal);
        Assert.Equal(S(20), a.Counters.DualMasterLongest);
        Assert.Null(a.DualMasterSince);
    }

    [Fact]
    public void TheStateExchangeSettlesAndEachSideAcknowledgesTheOther()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        Exchange(a, b, S(0));
        Assert.Equal(a.LocalState.Generation, b.Peer!.Generation);
        Assert.Equal(b.LocalState.Generation, a.Peer!.Generation);
        // Each holds a state of the other that acknowledges its own latest one.
        Assert.Equal((b.BootId, b.LocalState.Generation), (b.Peer.SeenBootId, b.Peer.SeenGeneration));
        Assert.Equal((a.BootId, a.LocalState.Generation), (a.Peer.SeenBootId, a.Peer.SeenGeneration));
        Assert.Null(a.TakeStateToSend());
        Assert.Null(b.TakeStateToSend());
        // Nothing changes: nothing to say.
        a.SetLocal(FenceRole.Backup, 150, TunnelStatus.Released, S(1));
        Assert.Null(a.TakeStateToSend());
    }

    [Fact]
    public void AnOlderStateArrivingLateOverAnotherPathIsIgnored()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0));
        var old = b.TakeStateToSend()!;
        b.SetLocal(FenceRole.Backup, 100, TunnelStatus.Released, S(1));
        var newer = b.TakeStateToSend()!;
        Assert.True(a.OnPeerState("link", newer, S(2)));
        Assert.False(a.OnPeerState("lan", old, S(2)));
        Assert.Equal(TunnelStatus.Released, a.Peer!.Tunnel);
        Assert.Equal(1, a.Counters.PeerStatesRejected);

        // A restarted peer (new boot id) starts counting again and is believed.
        var restarted = Fence(3, AddrB, 100);
        Assert.True(a.OnPeerState("lan", restarted.TakeStateToSend()!, S(3)));
        Assert.Equal(3UL, a.Peer!.BootId);
    }

    [Fact]
    public void ADeadPeersLastMasterClaimDoesNotPushANewMasterDown()
    {
        // A crashes as MASTER: B becomes MASTER by VRRP while A's last word on the channel still says MASTER, higher.
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        b.OnPathDown("lan", S(0.5)); // the crash resets the connection
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1));

        var v = b.Advance(S(1));
        Assert.False(v.StepDown);
        Assert.Equal(TunnelGate.Wait, v.Gate); // its tunnel may still be up: wait for the silence window
        Assert.Equal(TunnelGate.Allowed, b.Advance(S(0) + Window).Gate);
    }

    [Fact]
    public void APeerThatWentQuietOnAnOpenConnectionStopsCountingAsMasterAfterTheAliveWindow()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1));
        Assert.True(b.Advance(S(1)).StepDown);   // heard 1 s ago on an up path: a live better master
        Assert.False(b.Advance(S(3.5)).StepDown); // powered off: nothing for longer than the alive window (3 s)
    }

    [Fact]
    public void ARestartedPeerIsNoBetterMasterUntilItsNewStateArrives()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        b.OnPathDown("lan", S(1));                 // A's daemon dies
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1.4));
        b.OnPathUp("lan", S(2));                   // its new run connects, before saying anything
        Assert.False(b.Advance(S(2)).StepDown);   // the old run's MASTER claim no longer pushes B down

        var restarted = Fence(3, AddrA, 150, S(2)); // the new run comes up BACKUP and says so
        b.OnPeerState("lan", Roundtrip(restarted.LocalState), S(2.1));
        Assert.False(b.Advance(S(2.1)).StepDown);
    }

    [Fact]
    public void TheSameStateOnASecondPathCountsAsADuplicateNotAsNewsOrARejection()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Up, S(0));
        var state = Roundtrip(b.TakeStateToSend()!);
        Assert.True(a.OnPeerState("lan", state, S(1)));
        a.TakeStateToSend(); // our reply went out
        Assert.False(a.OnPeerState("link", state, S(1)));
        Assert.Equal(1, a.Counters.PeerStatesReceived);
        Assert.Equal(1, a.Counters.PeerStatesDuplicate);
        Assert.Equal(0, a.Counters.PeerStatesRejected);
        Assert.Null(a.TakeStateToSend()); // a duplicate asks for no second reply
        Assert.Equal(S(1), a.LastHeard["link"]); // but the path it came on was heard
    }

    [Fact]
    public void ADuplicateAfterAReconnectMakesThePeersRoleClaimFreshAgain()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        a.SetLocal(FenceRole.Master, 150, TunnelStatus.Up, S(0));
        Exchange(a, b, S(0));
        var last = a.LocalState;
        b.OnPathDown("lan", S(1));
        b.OnPathUp("lan", S(1.5));
        b.SetLocal(FenceRole.Master, 100, TunnelStatus.Released, S(1.5));
        Assert.False(b.Advance(S(1.5)).StepDown); // stale: the peer may be a new run
        b.OnPeerState("lan", Roundtrip(last), S(1.6)); // the same run says the same again on the new connection
        Assert.True(b.Advance(S(1.6)).StepDown);
    }

    [Fact]
    public void ANewVrrpAddressIsANewGenerationThePeerAccepts()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        Exchange(a, b, S(0));
        b.SetVrrpAddress(IPAddress.Parse("192.168.1.3"));
        var state = Roundtrip(b.TakeStateToSend()!);
        Assert.True(a.OnPeerState("lan", state, S(1)));
        Assert.Equal(IPAddress.Parse("192.168.1.3"), a.Peer!.VrrpAddress);
    }

    [Fact]
    public void NewAdvertSourcesAreANewGenerationThePeerAccepts()
    {
        var a = Fence(1, AddrA, 150);
        var b = Fence(2, AddrB, 100);
        Exchange(a, b, S(0));
        IPAddress[] sources = [IPAddress.Parse("192.168.1.3"), IPAddress.Parse("fe80::3")];
        b.SetVrrpSources(sources);
        Assert.True(a.OnPeerState("lan", Roundtrip(b.TakeStateToSend()!), S(1)));
        Assert.Equal(sources, a.Peer!.VrrpSources);
        b.SetVrrpSources([.. sources]); // the same again: nothing new to send
        Assert.Null(b.TakeStateToSend());
    }
}
