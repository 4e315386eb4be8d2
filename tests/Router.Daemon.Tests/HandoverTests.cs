using System.Runtime.InteropServices;
using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>Handovers this router chooses keep the VIP until the new master is heard (make-before-break).</summary>
public sealed class HandoverTests
{
    [Fact]
    public void SwitchoverKeepsTheVipOnTheOldMasterUntilTheNewOneIsHeard()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var from = pair.Now;
        var reply = pair.A.Ask(new ControlRequest("switchover"));
        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("BACKUP", pair.A.State());
        Assert.True(pair.A.HasVip(), "the old master dropped the VIP before anyone else had it");
        pair.RunUntil(() =>
        {
            Assert.True(pair.A.HasVip() || pair.B.HasVip(), $"nobody held the VIP at {pair.Now}");
            return pair.B.State() == "MASTER" && !pair.A.HasVip();
        }, TimeSpan.FromSeconds(5), "B MASTER and A without the VIP");
        // B's skew time after the priority-0 advert (0.61 s), not a master-down interval (3.61 s).
        Assert.True(pair.Now - from < TimeSpan.FromSeconds(1), $"took {pair.Now - from}");
    }

    [Fact]
    public void SwitchoverOnABackupIsRefusedAndChangesNothing()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var reply = pair.B.Ask(new ControlRequest("switchover"));
        Assert.False(reply.Ok);
        Assert.Contains("not MASTER", reply.Error);
        pair.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal("MASTER", pair.A.State());
    }

    [Fact]
    public void SigtermHandsOverRunsTheStopPlanDhcpAndTunnelFirstAndEnds()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var before = pair.A.Steps.Started.Count;
        pair.A.Daemon.Post(new SignalArrived(PosixSignal.SIGTERM));
        pair.RunUntil(() => pair.A.Daemon.Finished && pair.B.State() == "MASTER", TimeSpan.FromSeconds(10), "A stopped, B MASTER");
        Assert.False(pair.A.HasVip());
        Assert.True(pair.B.HasVip());
        var stops = pair.A.Steps.Started.Skip(before).Select(s => $"{s.Name} {s.Direction}").ToList();
        Assert.Equal(["dhcp Stop", "vpn Stop", "wan Stop"], stops);
        pair.RunUntil(() => pair.B.Steps.History("vpn").EndsWith("start", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "B's tunnel start");
        // B's tunnel started only after A's stopped (the fence saw A release it).
        var aVpnStop = pair.A.Steps.Started.Last(s => s.Name == "vpn").At;
        var bVpnStart = pair.B.Steps.Started.Single(s => s.Name == "vpn" && s.Direction == Router.Core.Roles.ActionDirection.Start).At;
        Assert.True(bVpnStart >= aVpnStop, $"B started its tunnel at {bVpnStart}, A stopped its at {aVpnStop}");
    }

    [Fact]
    public void MaintenanceHandsOverAndKeepsThisRouterBackupUntilOff()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        Assert.True(pair.A.Ask(new ControlRequest("maintenance", On: true)).Ok);
        pair.RunUntil(() => pair.B.State() == "MASTER", TimeSpan.FromSeconds(5), "B MASTER");
        pair.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal("BACKUP", pair.A.State());
        Assert.True(pair.A.Status().Maintenance);
        Assert.True(pair.A.Ask(new ControlRequest("maintenance", On: false)).Ok);
        // A has the higher priority and preempts once it takes part again.
        pair.RunUntil(() => pair.A.State() == "MASTER" && pair.B.State() == "BACKUP", TimeSpan.FromSeconds(10), "A MASTER again");
    }
}
