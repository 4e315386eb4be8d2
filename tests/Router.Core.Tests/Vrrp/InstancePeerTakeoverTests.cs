using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

/// <summary>The peer channel's word (the master yielded, or died) as an input of the state machine.</summary>
public class InstancePeerTakeoverTests
{
    private static readonly IPAddress Third = IPAddress.Parse("10.0.0.4");

    /// <summary>A BACKUP that has followed <see cref="InstanceSim.Peer"/>'s adverts every second up to 5 s.</summary>
    private static InstanceSim FollowingPeer()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.ReceiveEvery(S(0.5), S(5), S(1), Advert(150));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        return sim;
    }

    [Fact]
    public void ABackupTakesOverAtOnceWhenTheMasterItFollowsYields()
    {
        var sim = FollowingPeer();
        sim.RunUntil(S(4.7));
        var cmds = sim.Do((i, now) => i.OnPeerYielded(Peer, "peer 10.0.0.3 is FAULT (peer channel)", now));
        Assert.IsType<AddAddresses>(cmds[0]);
        Assert.Contains(new SendAdvertisement(100), cmds);
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        Assert.Equal(S(4.7), sim.BecameMasterAt());
        Assert.Equal("peer 10.0.0.3 is FAULT (peer channel)", sim.Instance.Transitions[^1].Reason);
        Assert.Equal(1, sim.Instance.Counters.PeerTakeovers);
    }

    [Fact]
    public void AYieldFromARouterThatIsNotTheMasterWeFollowChangesNothing()
    {
        var sim = FollowingPeer();
        Assert.Empty(sim.Do((i, now) => i.OnPeerYielded(Third, "third router yields", now)));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void MaintenanceAndStartupListeningRefuseTheHandoff()
    {
        var sim = FollowingPeer();
        sim.Do((i, now) => i.SetMaintenance(true, now));
        Assert.Empty(sim.Do((i, now) => i.OnPeerYielded(Peer, "yield", now)));

        var listening = new InstanceSim(Settings(100));
        listening.Start(startupDelay: S(10));
        listening.Receive(S(1), Advert(150));
        Assert.Empty(listening.Do((i, now) => i.OnPeerYielded(Peer, "yield", now)));
        Assert.Equal(VrrpState.Backup, listening.Instance.State);
    }

    [Fact]
    public void AMasterOrAFaultedInstanceIgnoresTheHandoff()
    {
        var sim = FollowingPeer();
        sim.Do((i, now) => i.SetFault(true, "lan0 is down", now));
        Assert.Empty(sim.Do((i, now) => i.OnPeerYielded(Peer, "yield", now)));
        Assert.Equal(VrrpState.Fault, sim.Instance.State);
    }

    [Fact]
    public void APeerSilentOnTheChannelWhoseAdvertsAlsoStoppedIsDeadAndTheBackupTakesOver()
    {
        var sim = FollowingPeer(); // last advert at 4.5 s
        sim.RunUntil(S(4.9));
        var cmds = sim.Do((i, now) => i.OnPeerDead(Peer, S(4.6), "peer silent", now));
        Assert.NotEmpty(cmds);
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        Assert.Equal(S(4.9), sim.BecameMasterAt());
    }

    [Fact]
    public void APeerSilentOnTheChannelWhoseAdvertsStillArriveIsNotDead()
    {
        var sim = FollowingPeer(); // last advert at 4.5 s, after the channel's heartbeat due at 4.3 s went missing
        sim.RunUntil(S(4.6));
        Assert.Empty(sim.Do((i, now) => i.OnPeerDead(Peer, S(4.3), "peer silent", now)));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        // Master-down stays the judge: 3 intervals + skew after the last advert.
        sim.RunUntil(S(10));
        Assert.Equal(S(4.5) + sim.Instance.MasterDownInterval, sim.BecameMasterAt());
    }
}
