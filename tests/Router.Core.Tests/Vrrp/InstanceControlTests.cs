using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceControlTests
{
    private static readonly IPAddress Lower = IPAddress.Parse("10.0.0.9");

    [Fact]
    public void SetPriorityOnMasterIsAdvertisedAtOnce()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.RunUntil(S(4));
        var cmds = sim.Do((i, now) => i.SetPriority(80, now));
        Assert.Equal(new VrrpCommand[] { new SendAdvertisement(80) }, cmds);
        Assert.Equal(80, sim.Instance.EffectivePriority);
        Assert.Equal(S(5), sim.Instance.NextDeadline);
        Assert.Empty(sim.Do((i, now) => i.SetPriority(80, now)));

        // A backup at 90 now wins.
        sim.Receive(S(4.5), Advert(90));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void RaisedPriorityLetsABackupPreempt()
    {
        var sim = new InstanceSim(Settings(50));
        sim.Start();
        sim.ReceiveEvery(S(0), S(5), S(1), Advert(100), Lower);
        Assert.Empty(sim.Do((i, now) => i.SetPriority(150, now)));
        // 256-150 = 106: skew 106/256 s.
        Assert.Equal(S(3.4140625), sim.Instance.MasterDownInterval);
        sim.ReceiveEvery(S(5), S(30), S(1), Advert(100), Lower);
        // The last accepted advert (4 s) armed master-down with priority 50: 3 + 206/256.
        Assert.Equal(S(4 + 3 + 206 / 256.0), sim.BecameMasterAt());
        Assert.StartsWith("preempting lower priority master 10.0.0.9 (100)",
            sim.Log.Select(e => e.Command).OfType<StateChanged>().Last().Reason);
    }

    [Fact]
    public void OwnerPriorityCannotBeChangedAndBadPrioritiesAreRefused()
    {
        var owner = new VrrpInstance(Settings(255), InstanceSim.Local);
        Assert.Empty(owner.SetPriority(10, S(0)));
        Assert.Equal(255, owner.EffectivePriority);
        var inst = new VrrpInstance(Settings(100), InstanceSim.Local);
        Assert.Throws<ArgumentOutOfRangeException>(() => inst.SetPriority(0, S(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => inst.SetPriority(255, S(0)));
    }

    [Fact]
    public void ShutdownOfMasterSendsPriorityZero()
    {
        var sim = new InstanceSim(Settings(255));
        sim.Start();
        sim.RunUntil(S(3));
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: false));
        Assert.Equal(new VrrpCommand[]
        {
            new SendAdvertisement(0),
            new RemoveAddresses(),
            new StateChanged(VrrpState.Master, VrrpState.Initialize, "shutdown"),
            new InstanceReleased(),
        }, cmds);
        Assert.Equal(VrrpState.Initialize, sim.Instance.State);
        Assert.Null(sim.Instance.NextDeadline);
        Assert.Empty(sim.Do((i, now) => i.Shutdown(now, handover: false)));

        // It can be started again.
        sim.Start();
        Assert.Equal(VrrpState.Master, sim.Instance.State);
    }

    [Fact]
    public void ShutdownOfBackupOnlyChangesState()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: true));
        Assert.Equal(new VrrpCommand[]
        {
            new StateChanged(VrrpState.Backup, VrrpState.Initialize, "shutdown"),
            new InstanceReleased(),
        }, cmds);
        sim.RunUntil(S(20));
        Assert.Null(sim.BecameMasterAt());
    }

    [Fact]
    public void ForcedMasterAdvertisesAndAnnounces()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        var cmds = sim.Do((i, now) => i.ForceState(VrrpState.Master, "sync group lan: wan went MASTER", now));
        Assert.Equal(new VrrpCommand[]
        {
            new AddAddresses(),
            new SendAdvertisement(100),
            new AnnounceAddresses(5),
            new StateChanged(VrrpState.Backup, VrrpState.Master, "sync group lan: wan went MASTER"),
        }, cmds);
        Assert.Empty(sim.Do((i, now) => i.ForceState(VrrpState.Master, "again", now)));
    }

    [Fact]
    public void ForcedBackupFromMasterSendsPriorityZero()
    {
        var sim = new InstanceSim(Settings(255));
        sim.Start();
        var cmds = sim.Do((i, now) => i.ForceState(VrrpState.Backup, "sync", now));
        Assert.Equal(new VrrpCommand[]
        {
            new SendAdvertisement(0),
            new RemoveAddresses(),
            new StateChanged(VrrpState.Master, VrrpState.Backup, "sync"),
        }, cmds);
        Assert.Null(sim.Instance.ReleaseAt);
        Assert.Equal(S(3 + 1 / 256.0), sim.Instance.NextDeadline);
    }

    [Fact]
    public void ForcedFaultIsLeftOnlyByForceAndAnOwnFaultHolds()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.Do((i, now) => i.ForceState(VrrpState.Fault, "sync: eth2 down", now));
        Assert.Equal(VrrpState.Fault, sim.Instance.State);
        Assert.False(sim.Instance.IsFaulted);
        sim.RunUntil(S(30));
        Assert.Equal(VrrpState.Fault, sim.Instance.State);

        // An own fault on top: forcing BACKUP is refused until it clears.
        Assert.Empty(sim.Do((i, now) => i.SetFault(true, "eth1 down", now)));
        Assert.Empty(sim.Do((i, now) => i.ForceState(VrrpState.Backup, "sync", now)));
        Assert.Empty(sim.Do((i, now) => i.ForceState(VrrpState.Master, "sync", now)));
        Assert.Equal(VrrpState.Fault, sim.Instance.State);
        sim.Do((i, now) => i.SetFault(false, "eth1 up", now));
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
        Assert.Equal(S(30 + 3.609375), sim.Instance.NextDeadline);
    }

    [Fact]
    public void TransitionsAreBoundedAndNewestLast()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        for (var n = 1; n <= 20; n++)
        {
            sim.RunUntil(S(n));
            sim.Do((i, now) => i.ForceState(n % 2 == 1 ? VrrpState.Master : VrrpState.Backup, $"step {n}", now));
        }
        var transitions = sim.Instance.Transitions;
        Assert.Equal(16, transitions.Count);
        Assert.Equal(new VrrpTransition(S(20), VrrpState.Master, VrrpState.Backup, "step 20"), transitions[^1]);
        Assert.Equal("step 5", transitions[0].Reason);
        Assert.Equal(10, sim.Instance.Counters.BecameMaster);
        Assert.Equal(10, sim.Instance.Counters.PriorityZeroSent);
    }
}
