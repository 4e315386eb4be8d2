using Router.Core.Roles;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

public sealed class RolePlanTests
{
    [Fact]
    public void BootStopsEverythingThenTheMasterStartsWanTunnelAndDhcpInOrder()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        // Both boot into BACKUP first (a rebooted former master must not find its tunnel up): DHCP, then the fenced actions.
        Assert.Equal(["dhcp Stop", "vpn Stop", "wan Stop"], pair.B.Steps.Started.Select(s => $"{s.Name} {s.Direction}"));
        Assert.Equal(["dhcp Stop", "vpn Stop", "wan Stop", "wan Start", "vpn Start", "dhcp Start"],
            pair.A.Steps.Started.Select(s => $"{s.Name} {s.Direction}"));
        var role = pair.A.Status().Role!;
        Assert.True(role.Finished);
        Assert.Equal("Up", role.Tunnel);
        Assert.All(role.Steps, s => Assert.Equal("ok", s.Outcome));
    }

    [Fact]
    public void ANewerTransitionCancelsTheRunningStepAndRunsTheStopPlan()
    {
        using var pair = new TestPair();
        pair.A.Steps.Hold("vpn", ActionDirection.Start);
        foreach (var r in pair.Routers) r.Daemon.Start();
        pair.RunUntil(() => pair.A.Steps.IsRunning("vpn"), TimeSpan.FromSeconds(30), "A's tunnel start running");
        Assert.Equal("Starting", pair.A.Status().Role!.Tunnel);

        pair.A.Kernel.SetLink("lan0", up: false);
        pair.RunUntil(() => pair.A.State() == "FAULT" && pair.A.Status().Role!.Finished, TimeSpan.FromSeconds(5), "A FAULT with its plan done");

        Assert.Contains(pair.A.Steps.Cancelled, c => c.Name == "vpn");
        Assert.Equal("start stop", pair.A.Steps.History("vpn").Split(' ').TakeLast(2).Aggregate((a, b) => $"{a} {b}"));
        var role = pair.A.Status().Role!;
        Assert.Equal("FAULT", role.Target);
        Assert.Equal("Released", role.Tunnel);
        Assert.False(pair.A.Steps.IsRunning("vpn"));
    }

    [Fact]
    public void AFailedStepIsReportedAndThePlanGoesOn()
    {
        using var pair = new TestPair();
        pair.A.Steps.Fail("wan", "modem not answering");
        pair.StartAndElect();
        var role = pair.A.Status().Role!;
        Assert.Equal("failed", role.Steps.Single(s => s.Name == "wan").Outcome);
        Assert.Equal("modem not answering", role.Steps.Single(s => s.Name == "wan").Error);
        Assert.Equal("ok", role.Steps.Single(s => s.Name == "vpn").Outcome);
        Assert.Contains(pair.A.Views.Events, e => e.Kind == "action_failed" && e.Message.Contains("modem not answering"));
    }
}
