using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceBackupTests
{
    private static readonly IPAddress Lower = IPAddress.Parse("10.0.0.9");

    [Fact]
    public void StaysBackupWhileAHigherMasterAdvertises()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start();
        sim.ReceiveEvery(S(0.5), S(60), S(1), Advert(200));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(InstanceSim.Peer, sim.Instance.MasterAddress);
        Assert.Equal(200, sim.Instance.MasterPriority);
        Assert.Equal(60, sim.Instance.Counters.AdvertsReceived);
        Assert.Empty(sim.TimesOf<SendAdvertisement>());
        sim.RunUntil(S(100));
        Assert.Equal(S(59.5 + 3.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void PriorityZeroTakesOverAfterSkewTime()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start();
        sim.ReceiveEvery(S(0), S(10), S(1), Advert(200));
        sim.Receive(S(9.25), Advert(0));
        Assert.Equal(S(9.25 + 0.609375), sim.Instance.NextDeadline);
        sim.RunUntil(S(20));
        Assert.Equal(S(9.859375), sim.BecameMasterAt());
        var change = sim.Log.Select(e => e.Command).OfType<StateChanged>().Last();
        Assert.Contains("priority 0", change.Reason);
        Assert.Equal(1, sim.Instance.Counters.PriorityZeroReceived);
    }

    [Fact]
    public void PreemptsALowerPriorityMaster()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start();
        sim.ReceiveEvery(S(0), S(10), S(1), Advert(50), Lower);
        Assert.Equal(S(3.609375), sim.BecameMasterAt());
        var change = sim.Log.Select(e => e.Command).OfType<StateChanged>().Last();
        Assert.Equal("preempting lower priority master 10.0.0.9 (50)", change.Reason);
    }

    [Fact]
    public void NopreemptLeavesALowerPriorityMasterAlone()
    {
        var sim = new InstanceSim(Settings(100, 1) with { Preempt = false });
        sim.Start();
        sim.ReceiveEvery(S(0), S(30), S(1), Advert(50), Lower);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(Lower, sim.Instance.MasterAddress);
        sim.RunUntil(S(40));
        Assert.Equal(S(29 + 3.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void EqualPriorityMasterIsNotPreemptedByABackup()
    {
        // RFC 5798 6.4.2: the address tie-break only applies between masters.
        var sim = new InstanceSim(Settings(100, 1), IPAddress.Parse("10.0.0.250"));
        sim.Start();
        sim.ReceiveEvery(S(0), S(30), S(1), Advert(100), Lower);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void PreemptDelayToleratesALowerMasterAfterStartup()
    {
        var sim = new InstanceSim(Settings(100, 1) with { PreemptDelay = S(10) });
        sim.Start();
        sim.ReceiveEvery(S(0), S(30), S(1), Advert(50), Lower);
        // Adverts before 10 s still reset master-down; the last one (9 s) + 3.609375 s.
        Assert.Equal(S(12.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void PreemptDelayRestartsWhenALowerMasterFollowsAHigherOne()
    {
        var sim = new InstanceSim(Settings(100, 1) with { PreemptDelay = S(10) });
        sim.Start();
        sim.ReceiveEvery(S(0), S(15), S(1), Advert(200));
        // The higher master is replaced by a lower one at 15 s: it gets the full 10 s.
        sim.ReceiveEvery(S(15), S(40), S(1), Advert(50), Lower);
        Assert.Equal(S(24 + 3.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void TakeoverReasonReportsTheSilence()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start();
        sim.Receive(S(2), Advert(200));
        sim.RunUntil(S(10));
        var change = sim.Log.Select(e => e.Command).OfType<StateChanged>().Last();
        Assert.Equal("master down timer expired (no advert for 3.609 s)", change.Reason);
    }
}
