using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceMaintenanceTests
{
    private static readonly IPAddress Lower = IPAddress.Parse("10.0.0.9");

    private static InstanceSim Master()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.RunUntil(S(4));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        return sim;
    }

    [Fact]
    public void MaintenanceHandsOverAndNeverTakesOver()
    {
        var sim = Master();
        var cmds = sim.Do((i, now) => i.SetMaintenance(true, now));
        Assert.Equal(2, cmds.Count);
        Assert.Equal(new SendAdvertisement(0), cmds[0]);
        var change = Assert.IsType<StateChanged>(cmds[1]);
        Assert.Equal((VrrpState.Master, VrrpState.Backup), (change.From, change.To));
        Assert.True(sim.Instance.Maintenance);

        // Nobody advertises for a long time: still BACKUP, the held VIPs go after 4 intervals + 10 ms, and the
        // timer does not spin.
        sim.RunUntil(S(100));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        // (the first is Start's, as a BACKUP)
        Assert.Equal([S(0), S(8.01)], sim.TimesOf<RemoveAddresses>());
        Assert.Null(sim.Instance.NextDeadline);

        // Adverts are still tracked.
        sim.Receive(S(101), Advert(50), Lower);
        Assert.Equal(Lower, sim.Instance.MasterAddress);
        sim.RunUntil(S(200));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);

        Assert.Empty(sim.Do((i, now) => i.SetMaintenance(false, now)));
        Assert.Equal(S(200 + 3.609375), sim.Instance.NextDeadline);
        sim.RunUntil(S(210));
        Assert.Equal(S(203.609375), sim.BecameMasterAt(S(5)));
    }

    [Fact]
    public void MaintenanceBlocksAnOwnerAndReleasingItMakesItMaster()
    {
        var sim = new InstanceSim(Settings(255));
        sim.Do((i, now) => i.SetMaintenance(true, now));
        sim.Start();
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        sim.RunUntil(S(10));
        Assert.Null(sim.BecameMasterAt());
        Assert.Empty(sim.Instance.ForceState(VrrpState.Master, "sync", sim.Now));
        sim.Do((i, now) => i.SetMaintenance(false, now));
        Assert.Equal(S(10), sim.BecameMasterAt());
    }

    [Fact]
    public void SwitchoverHandsOverAndDoesNotPreemptTheNewMaster()
    {
        var sim = Master();
        Assert.True(sim.Instance.TrySwitchover(sim.Now, out var cmds));
        sim.Note(cmds);
        Assert.Equal(new SendAdvertisement(0), cmds[0]);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.True(sim.Instance.SwitchoverHold);

        // The peer (lower priority) takes over; we leave it alone while it lives.
        sim.ReceiveEvery(S(4.6), S(30), S(1), Advert(50), Lower);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);

        // It dies: master-down makes us MASTER again and lifts the hold.
        sim.RunUntil(S(40));
        Assert.Equal(S(29.6 + 3.609375), sim.BecameMasterAt(S(5)));
        Assert.False(sim.Instance.SwitchoverHold);
    }

    [Fact]
    public void PreemptionWorksAgainAfterTheSwitchoverHoldIsLifted()
    {
        var sim = Master();
        sim.Instance.TrySwitchover(sim.Now, out _);
        sim.RunUntil(S(10));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        sim.Receive(S(10.5), Advert(200));
        sim.ReceiveEvery(S(11), S(30), S(1), Advert(50), Lower);
        Assert.Equal(S(10.5 + 3.609375), sim.BecameMasterAt(S(10.5)));
    }

    [Fact]
    public void SwitchoverIsRefusedUnlessMaster()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        Assert.False(sim.Instance.TrySwitchover(sim.Now, out var cmds));
        Assert.Empty(cmds);
        Assert.False(sim.Instance.SwitchoverHold);
    }
}
