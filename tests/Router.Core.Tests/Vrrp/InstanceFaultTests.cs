using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceFaultTests
{
    [Fact]
    public void MasterSendsPriorityZeroBeforeFault()
    {
        var sim = new InstanceSim(Settings(255));
        sim.Start();
        sim.RunUntil(S(2.5));
        var cmds = sim.Do((i, now) => i.SetFault(true, "eth1 down", now));
        Assert.Equal(new VrrpCommand[]
        {
            new SendAdvertisement(0),
            new RemoveAddresses(),
            new StateChanged(VrrpState.Master, VrrpState.Fault, "eth1 down"),
        }, cmds);
        Assert.Null(sim.Instance.ReleaseAt);
        Assert.Null(sim.Instance.NextDeadline);
        Assert.Null(sim.Instance.MasterAddress);
        Assert.Equal(1, sim.Instance.Counters.PriorityZeroSent);
        Assert.True(sim.Instance.IsFaulted);
    }

    [Fact]
    public void FaultIgnoresAdvertsAndRecoversToBackupWithAFreshInterval()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.RunUntil(S(1));
        sim.Do((i, now) => i.SetFault(true, "eth1 down", now));
        Assert.Empty(sim.Do((i, now) => i.SetFault(true, "eth1 still down", now)));
        sim.Receive(S(2), Advert(0));
        sim.RunUntil(S(50));
        Assert.Equal(VrrpState.Fault, sim.Instance.State);

        var cmds = sim.Do((i, now) => i.SetFault(false, "eth1 up", now));
        Assert.Equal(new VrrpCommand[] { new StateChanged(VrrpState.Fault, VrrpState.Backup, "eth1 up") }, cmds);
        Assert.False(sim.Instance.IsFaulted);
        Assert.Equal(S(50 + 3.609375), sim.Instance.NextDeadline);
        sim.RunUntil(S(60));
        Assert.Equal(S(53.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void OwnerRecoversStraightToMaster()
    {
        var sim = new InstanceSim(Settings(255));
        sim.Start();
        sim.Do((i, now) => i.SetFault(true, "down", now));
        var cmds = sim.Do((i, now) => i.SetFault(false, "up", now));
        Assert.Equal(new AddAddresses(), cmds[0]);
        Assert.Equal(new SendAdvertisement(255), cmds[1]);
        Assert.Equal(VrrpState.Master, sim.Instance.State);
    }

    [Fact]
    public void FaultBeforeStartStartsInFault()
    {
        var sim = new InstanceSim(Settings(255));
        Assert.Empty(sim.Do((i, now) => i.SetFault(true, "no carrier", now)));
        var cmds = sim.Start();
        Assert.Equal(new VrrpCommand[]
        {
            new RemoveAddresses(),
            new StateChanged(VrrpState.Initialize, VrrpState.Fault, "no carrier"),
        }, cmds);
        Assert.Empty(sim.TimesOf<SendAdvertisement>());
    }

    [Fact]
    public void ClearingAFaultThatWasNeverSetDoesNothing()
    {
        var sim = new InstanceSim(Settings());
        sim.Start();
        Assert.Empty(sim.Do((i, now) => i.SetFault(false, "up", now)));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }
}
