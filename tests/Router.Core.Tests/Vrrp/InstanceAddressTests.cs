using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

/// <summary>The VIPs as the machine commands them: on the link before they are claimed, off when another
/// router took them, and held across a handover we chose until the new master is heard.</summary>
public class InstanceAddressTests
{
    private static readonly IPAddress Lower = IPAddress.Parse("10.0.0.9");

    /// <summary>4 x 1 s advert interval + 10 ms.</summary>
    private static readonly TimeSpan Hold = S(4.01);

    /// <summary>Priority 100, MASTER since 3.609375 s, the clock at 4 s.</summary>
    private static InstanceSim Master()
    {
        var sim = new InstanceSim(Settings(100));
        sim.Start();
        sim.RunUntil(S(4));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        return sim;
    }

    private static void AssertBecameMaster(IReadOnlyList<VrrpCommand> cmds, byte priority)
    {
        Assert.Equal(4, cmds.Count);
        Assert.IsType<AddAddresses>(cmds[0]);
        Assert.Equal(new SendAdvertisement(priority), cmds[1]);
        Assert.Equal(new AnnounceAddresses(5), cmds[2]);
        Assert.Equal(VrrpState.Master, Assert.IsType<StateChanged>(cmds[3]).To);
    }

    private static List<VrrpCommand> CommandsAt(InstanceSim sim, TimeSpan at)
        => sim.Log.Where(e => e.At == at).Select(e => e.Command).ToList();

    [Theory]
    [InlineData("master down")]
    [InlineData("owner start")]
    [InlineData("forced")]
    [InlineData("owner fault recovery")]
    [InlineData("owner maintenance off")]
    public void BecomingMasterAddsTheAddressesBeforeAdvertisingAndAnnouncing(string path)
    {
        InstanceSim sim;
        IReadOnlyList<VrrpCommand> cmds;
        switch (path)
        {
            case "master down":
                sim = new InstanceSim(Settings(100));
                sim.Start();
                sim.RunUntil(S(3.609375));
                cmds = CommandsAt(sim, S(3.609375));
                break;
            case "owner start":
                sim = new InstanceSim(Settings(255));
                cmds = sim.Start();
                break;
            case "forced":
                sim = new InstanceSim(Settings(100));
                sim.Start();
                cmds = sim.Do((i, now) => i.ForceState(VrrpState.Master, "sync", now));
                break;
            case "owner fault recovery":
                sim = new InstanceSim(Settings(255));
                sim.Do((i, now) => i.SetFault(true, "down", now));
                sim.Start();
                cmds = sim.Do((i, now) => i.SetFault(false, "up", now));
                break;
            default:
                sim = new InstanceSim(Settings(255));
                sim.Do((i, now) => i.SetMaintenance(true, now));
                sim.Start();
                cmds = sim.Do((i, now) => i.SetMaintenance(false, now));
                break;
        }
        AssertBecameMaster(cmds, sim.Instance.Settings.Priority);
    }

    [Fact]
    public void LosingAnElectionRemovesTheAddressesBeforeTheStateChange()
    {
        var sim = Master();
        var cmds = sim.Receive(S(4.5), Advert(150));
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses() }, cmds.Take(1));
        Assert.Equal(VrrpState.Backup, Assert.IsType<StateChanged>(cmds[1]).To);
        Assert.Null(sim.Instance.ReleaseAt);
    }

    [Theory]
    [InlineData(VrrpState.Backup)]
    [InlineData(VrrpState.Fault)]
    public void ForcedOutOfMasterTheAddressesGoAtOnce(VrrpState target)
    {
        var sim = Master();
        var cmds = sim.Do((i, now) => i.ForceState(target, "sync group lan: wan is down", now));
        Assert.Equal(3, cmds.Count);
        Assert.Equal(new SendAdvertisement(0), cmds[0]);
        Assert.IsType<RemoveAddresses>(cmds[1]);
        Assert.Equal(target, Assert.IsType<StateChanged>(cmds[2]).To);
        Assert.Null(sim.Instance.ReleaseAt);
    }

    [Fact]
    public void FaultRemovesTheAddressesAtOnce()
    {
        var sim = Master();
        var cmds = sim.Do((i, now) => i.SetFault(true, "eth1 down", now));
        Assert.Equal(new VrrpCommand[] { new SendAdvertisement(0), new RemoveAddresses() }, cmds.Take(2));
        Assert.Equal(VrrpState.Fault, Assert.IsType<StateChanged>(cmds[2]).To);
        Assert.Null(sim.Instance.ReleaseAt);
    }

    [Fact]
    public void SwitchoverKeepsAddressesUntilTheNewMasterIsHeard()
    {
        var sim = Master();
        Assert.True(sim.Instance.TrySwitchover(sim.Now, out var cmds));
        sim.Note(cmds);
        Assert.Equal(2, cmds.Count);
        Assert.Equal(new SendAdvertisement(0), cmds[0]);
        Assert.Equal(VrrpState.Backup, Assert.IsType<StateChanged>(cmds[1]).To);
        Assert.Equal(S(4) + Hold, sim.Instance.ReleaseAt);

        // The peer's own priority 0 (it was leaving too) says nothing about who answers for the VIPs.
        Assert.Empty(sim.Receive(S(4.2), Advert(0), Lower));
        Assert.NotNull(sim.Instance.ReleaseAt);

        // The new master (lower priority: not preempted while the switchover hold lasts) is heard.
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses() }, sim.Receive(S(4.6), Advert(50), Lower));
        Assert.Null(sim.Instance.ReleaseAt);
        Assert.False(sim.Instance.Released);
        sim.ReceiveEvery(S(5.6), S(20), S(1), Advert(50), Lower);
        Assert.Equal([S(0), S(4.6)], sim.TimesOf<RemoveAddresses>());
    }

    [Fact]
    public void MaintenanceReleasesTheAddressesAtTheDeadlineWhenNobodyIsHeard()
    {
        var sim = new InstanceSim(Settings(100, advertSeconds: 0.5));
        sim.Start();
        sim.RunUntil(S(2));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        var cmds = sim.Do((i, now) => i.SetMaintenance(true, now));
        Assert.DoesNotContain(cmds, c => c is RemoveAddresses);
        // 4 x 0.5 s + 10 ms
        Assert.Equal(S(4.01), sim.Instance.ReleaseAt);

        sim.RunUntil(S(4.01) - TimeSpan.FromTicks(1));
        Assert.Equal([S(0)], sim.TimesOf<RemoveAddresses>());
        sim.RunUntil(S(10));
        Assert.Equal([S(0), S(4.01)], sim.TimesOf<RemoveAddresses>());
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses() }, CommandsAt(sim, S(4.01)));
        Assert.Null(sim.Instance.ReleaseAt);
        Assert.Null(sim.Instance.NextDeadline);
        Assert.False(sim.Instance.Released);
    }

    [Fact]
    public void HoldIsCancelledWhenTheInstanceBecomesMasterAgain()
    {
        // Nobody takes over after the switchover: master-down (3.609 s) comes before the hold deadline (4.01 s).
        var sim = Master();
        sim.Instance.TrySwitchover(sim.Now, out var cmds);
        sim.Note(cmds);
        sim.RunUntil(S(30));
        Assert.Equal(S(4 + 3.609375), sim.BecameMasterAt(S(4.1)));
        AssertBecameMaster(CommandsAt(sim, S(7.609375)), 100);
        Assert.Null(sim.Instance.ReleaseAt);
        Assert.Equal([S(0)], sim.TimesOf<RemoveAddresses>());
    }

    [Fact]
    public void HoldIsCancelledByAForcedMaster()
    {
        var sim = Master();
        sim.Do((i, now) => i.SetMaintenance(true, now));
        sim.Do((i, now) => i.SetMaintenance(false, now));
        sim.RunUntil(S(5));
        var cmds = sim.Do((i, now) => i.ForceState(VrrpState.Master, "sync", now));
        AssertBecameMaster(cmds, 100);
        Assert.Null(sim.Instance.ReleaseAt);
        sim.RunUntil(S(30));
        Assert.Equal([S(0)], sim.TimesOf<RemoveAddresses>());
    }

    [Fact]
    public void ShutdownWithHandoverKeepsAddressesUntilTheNewMasterIsHeard()
    {
        var sim = Master();
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: true));
        Assert.Equal(new VrrpCommand[]
        {
            new SendAdvertisement(0),
            new StateChanged(VrrpState.Master, VrrpState.Initialize, "shutdown"),
        }, cmds);
        Assert.False(sim.Instance.Released);
        Assert.Equal(S(4) + Hold, sim.Instance.ReleaseAt);
        Assert.Equal(sim.Instance.ReleaseAt, sim.Instance.NextDeadline);

        cmds = sim.Receive(S(4.7), Advert(100), Lower);
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses(), new InstanceReleased() }, cmds);
        Assert.True(sim.Instance.Released);
        Assert.Null(sim.Instance.NextDeadline);
        Assert.Empty(sim.Receive(S(5.7), Advert(100), Lower));
        Assert.Empty(sim.Do((i, now) => i.Shutdown(now, handover: true)));
        Assert.Empty(sim.Do((i, now) => i.Shutdown(now, handover: false)));
    }

    [Fact]
    public void ShutdownWithHandoverReleasesAtTheDeadline()
    {
        var sim = Master();
        sim.Do((i, now) => i.Shutdown(now, handover: true));
        sim.RunUntil(S(30));
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses(), new InstanceReleased() }, CommandsAt(sim, S(4) + Hold));
        Assert.Equal(1, sim.Log.Count(e => e.Command is InstanceReleased));
        Assert.True(sim.Instance.Released);
        Assert.Null(sim.Instance.ReleaseAt);
    }

    [Fact]
    public void ShutdownWithoutHandoverEndsAPendingHoldAtOnce()
    {
        var sim = Master();
        sim.Instance.TrySwitchover(sim.Now, out _);
        sim.RunUntil(S(5));
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: false));
        Assert.Equal(new VrrpCommand[]
        {
            new RemoveAddresses(),
            new StateChanged(VrrpState.Backup, VrrpState.Initialize, "shutdown"),
            new InstanceReleased(),
        }, cmds);
        Assert.True(sim.Instance.Released);
    }

    [Fact]
    public void ShutdownWithoutHandoverCutsShortAnEarlierHandover()
    {
        var sim = Master();
        sim.Do((i, now) => i.Shutdown(now, handover: true));
        sim.RunUntil(S(5));
        // A second handover request changes nothing; giving up on the handover removes the VIPs now.
        Assert.Empty(sim.Do((i, now) => i.Shutdown(now, handover: true)));
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses(), new InstanceReleased() },
            sim.Do((i, now) => i.Shutdown(now, handover: false)));
        Assert.True(sim.Instance.Released);
    }

    [Fact]
    public void ShutdownWithHandoverOfABackupKeepsAPendingHold()
    {
        var sim = Master();
        sim.Do((i, now) => i.SetMaintenance(true, now));
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: true));
        Assert.Equal(new VrrpCommand[] { new StateChanged(VrrpState.Backup, VrrpState.Initialize, "shutdown") }, cmds);
        Assert.False(sim.Instance.Released);
        sim.RunUntil(S(30));
        Assert.Equal(new VrrpCommand[] { new RemoveAddresses(), new InstanceReleased() }, CommandsAt(sim, S(4) + Hold));
    }

    [Fact]
    public void ReleasedOnlyAfterShutdownAndStartClearsIt()
    {
        var sim = new InstanceSim(Settings(100));
        Assert.False(sim.Instance.Released);
        sim.Start();
        Assert.False(sim.Instance.Released);
        var cmds = sim.Do((i, now) => i.Shutdown(now, handover: true));
        Assert.IsType<InstanceReleased>(cmds[^1]);
        Assert.True(sim.Instance.Released);
        sim.Start();
        Assert.False(sim.Instance.Released);
    }

    [Fact]
    public void ShutdownBeforeStartReleasesAtOnce()
    {
        var inst = new VrrpInstance(Settings(100), InstanceSim.Local);
        Assert.Equal(new VrrpCommand[] { new InstanceReleased() }, inst.Shutdown(S(0), handover: true));
        Assert.True(inst.Released);
    }

    [Fact]
    public void StartAfterAHandoverShutdownEndsTheHold()
    {
        var backup = Master();
        backup.Do((i, now) => i.Shutdown(now, handover: true));
        var cmds = backup.Start();
        Assert.IsType<RemoveAddresses>(cmds[0]);
        Assert.Null(backup.Instance.ReleaseAt);
        backup.RunUntil(S(8.5));
        // Only Start's: the hold deadline (8.01 s) passes without another.
        Assert.Single(backup.Log.Where(e => e.At >= S(4)).Select(e => e.Command).OfType<RemoveAddresses>());
        Assert.DoesNotContain(backup.Log, e => e.Command is InstanceReleased);

        var owner = new InstanceSim(Settings(255));
        owner.Start();
        owner.Do((i, now) => i.Shutdown(now, handover: true));
        AssertBecameMaster(owner.Start(), 255);
        Assert.Null(owner.Instance.ReleaseAt);
        owner.RunUntil(S(30));
        Assert.Empty(owner.TimesOf<RemoveAddresses>());
    }

    [Theory]
    [InlineData(100, false, false, 0)]
    [InlineData(100, false, false, 2)]
    [InlineData(100, true, false, 0)]
    [InlineData(255, true, false, 0)]
    [InlineData(255, false, true, 0)]
    public void StartRemovesTheAddressesUnlessItBecomesMaster(byte priority, bool fault, bool maintenance, double delay)
    {
        var sim = new InstanceSim(Settings(priority));
        if (fault)
            sim.Do((i, now) => i.SetFault(true, "no carrier", now));
        if (maintenance)
            sim.Do((i, now) => i.SetMaintenance(true, now));
        var cmds = sim.Start(S(delay));
        Assert.NotEqual(VrrpState.Master, sim.Instance.State);
        Assert.Equal(2, cmds.Count);
        Assert.IsType<RemoveAddresses>(cmds[0]);
        Assert.IsType<StateChanged>(cmds[1]);
    }

    [Fact]
    public void OwnerStartDoesNotRemoveTheAddresses()
    {
        var sim = new InstanceSim(Settings(255));
        Assert.DoesNotContain(sim.Start(), c => c is RemoveAddresses);
    }

    [Fact]
    public void ReassertAddsTheAddressesAndAnnouncesOnlyAsMaster()
    {
        var sim = new InstanceSim(Settings(100));
        Assert.Empty(sim.Do((i, now) => i.Reassert(now)));
        sim.Start();
        Assert.Empty(sim.Do((i, now) => i.Reassert(now)));
        sim.RunUntil(S(10));
        var state = (sim.Instance.State, sim.Instance.NextDeadline, sim.Instance.Transitions.Count);
        Assert.Equal(new VrrpCommand[] { new AddAddresses(), new AnnounceAddresses(5) },
            sim.Do((i, now) => i.Reassert(now)));
        Assert.Equal(state, (sim.Instance.State, sim.Instance.NextDeadline, sim.Instance.Transitions.Count));
        sim.Do((i, now) => i.SetFault(true, "down", now));
        Assert.Empty(sim.Do((i, now) => i.Reassert(now)));
    }
}
