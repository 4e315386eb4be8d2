using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceStartupTests
{
    [Fact]
    public void StartsAsBackupAndListensAFullMasterDownInterval()
    {
        var sim = new InstanceSim(Settings(100, 1));
        var cmds = sim.Start();
        Assert.Equal(new VrrpCommand[]
        {
            new RemoveAddresses(),
            new StateChanged(VrrpState.Initialize, VrrpState.Backup, "startup"),
        }, cmds);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(S(3.609375), sim.Instance.NextDeadline);

        sim.RunUntil(S(3.609375) - TimeSpan.FromTicks(1));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Empty(sim.TimesOf<SendAdvertisement>());

        sim.RunUntil(S(3.609375));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        var takeover = sim.Log.Where(e => e.At == S(3.609375)).Select(e => e.Command).ToList();
        Assert.Equal(4, takeover.Count);
        Assert.IsType<AddAddresses>(takeover[0]);
        Assert.Equal(new SendAdvertisement(100), takeover[1]);
        Assert.Equal(new AnnounceAddresses(5), takeover[2]);
        var change = Assert.IsType<StateChanged>(takeover[3]);
        Assert.Equal((VrrpState.Backup, VrrpState.Master), (change.From, change.To));
        Assert.Contains("master down timer expired", change.Reason);
        Assert.Contains("3.609 s", change.Reason);
        Assert.Equal(InstanceSim.Local, sim.Instance.MasterAddress);
    }

    [Fact]
    public void TakeoverAt10msAdvertsAfter36Ms()
    {
        var sim = new InstanceSim(Settings(100, 0.01));
        sim.Start();
        sim.ReceiveEvery(S(0), S(1), S(0.01), Advert(200, intervalCs: 1));
        Assert.Null(sim.BecameMasterAt());
        sim.RunUntil(S(2));
        // last advert at 0.99 s + 36.09375 ms (truncated to the tick)
        Assert.Equal(S(0.99) + TimeSpan.FromTicks(360_937), sim.BecameMasterAt());
    }

    [Fact]
    public void StartupDelayPostponesArmingMasterDown()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start(S(2));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(S(2), sim.Instance.NextDeadline);
        // A master leaving during the startup listening does not shorten it.
        sim.Receive(S(1), Advert(0));
        sim.RunUntil(S(2));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(S(2 + 3.609375), sim.Instance.NextDeadline);
        sim.RunUntil(S(10));
        Assert.Equal(S(5.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void AdvertsDuringStartupDelayTrackTheMaster()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start(S(2));
        sim.Receive(S(0.5), Advert(200, intervalCs: 50));
        Assert.Equal(InstanceSim.Peer, sim.Instance.MasterAddress);
        Assert.Equal(200, sim.Instance.MasterPriority);
        sim.ReceiveEvery(S(1), S(30), S(0.5), Advert(200, intervalCs: 50));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        sim.RunUntil(S(40));
        Assert.Equal(S(29.5 + 1.8046875), sim.BecameMasterAt());
    }

    [Fact]
    public void AddressOwnerIsMasterAtOnce()
    {
        var sim = new InstanceSim(Settings(255, 1));
        var cmds = sim.Start(S(5));
        Assert.Equal(4, cmds.Count);
        Assert.IsType<AddAddresses>(cmds[0]);
        Assert.Equal(new SendAdvertisement(255), cmds[1]);
        Assert.IsType<AnnounceAddresses>(cmds[2]);
        var change = Assert.IsType<StateChanged>(cmds[3]);
        Assert.Equal((VrrpState.Initialize, VrrpState.Master), (change.From, change.To));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        Assert.Equal(S(1), sim.Instance.NextDeadline);
        Assert.Equal(1, sim.Instance.Counters.BecameMaster);
    }

    [Fact]
    public void StartTwiceIsRefused()
    {
        var sim = new InstanceSim(Settings());
        sim.Start();
        Assert.Throws<InvalidOperationException>(() => sim.Start());
    }

    [Fact]
    public void CallingOnTimerEarlyChangesNothing()
    {
        var sim = new InstanceSim(Settings());
        sim.Start();
        var due = sim.Instance.NextDeadline!.Value;
        Assert.Empty(sim.Instance.OnTimer(due - TimeSpan.FromMilliseconds(1)));
        Assert.Empty(sim.Instance.OnTimer(TimeSpan.Zero));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(due, sim.Instance.NextDeadline);
    }

    [Fact]
    public void NothingHappensBeforeStart()
    {
        var inst = new VrrpInstance(Settings(), InstanceSim.Local);
        Assert.Null(inst.NextDeadline);
        Assert.Empty(inst.OnAdvertisement(Advert(200), InstanceSim.Peer, S(1)));
        Assert.Empty(inst.OnTimer(S(100)));
        Assert.Empty(inst.ForceState(VrrpState.Master, "sync", S(100)));
        Assert.Equal(VrrpState.Initialize, inst.State);
    }
}
