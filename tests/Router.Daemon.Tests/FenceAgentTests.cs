using Router.Core.Roles;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>`option fence_command`: a new MASTER whose peer is gone on every path fences it, and on success starts
/// WAN and tunnel without waiting the fence window (6 s here).</summary>
public sealed class FenceAgentTests
{
    private static TimeSpan? Started(TestRouter r, string action) =>
        r.Steps.Started.Where(s => s.Name == action && s.Direction == ActionDirection.Start).Select(s => (TimeSpan?)s.At).FirstOrDefault();

    /// <summary>A is MASTER; then A vanishes (LAN and peer channel cut) and B takes over.</summary>
    private static (TestPair Pair, TimeSpan Cut) LoseA(bool agentOk, bool hold = false, double window = 6)
    {
        var pair = new TestPair(new PairOptions { FenceCommand = true, FencedWan = true, FenceWindowSeconds = window });
        pair.B.Agent.ExitOk = agentOk;
        pair.B.Agent.Hold = hold;
        pair.StartAndElect();
        var cut = pair.Now;
        pair.Lan.Cut("router-a");
        pair.Peers.Cut("lan");
        return (pair, cut);
    }

    [Fact]
    public void ASuccessfulAgentStartsWanAndTunnelBeforeTheWindow()
    {
        var (pair, cut) = LoseA(agentOk: true);
        using var _ = pair;
        pair.RunUntil(() => Started(pair.B, "vpn") is not null, TimeSpan.FromSeconds(20), "B's tunnel start");

        var run = Assert.Single(pair.B.Agent.Runs);
        Assert.Equal("other", run.Environment["ROUTERHA_PEER"]);
        Assert.Equal("192.168.1.2", run.Environment["ROUTERHA_PEER_ADDRESS"]);
        Assert.True(Started(pair.B, "wan") >= run.At, "B started its WAN before fencing A");
        Assert.True(Started(pair.B, "vpn") - cut < TimeSpan.FromSeconds(6), $"B started its tunnel {Started(pair.B, "vpn") - cut} after the cut");
        Assert.Empty(pair.A.Agent.Runs);

        var status = pair.B.Status();
        Assert.Equal(("ok", 1L), (status.FenceAgent!.Outcome, status.FenceAgent.Runs));
        Assert.Equal("Allowed", status.Fence!.Gate);
        Assert.Contains("fence_command", status.Fence.Reason);
        Assert.Contains("fence agent: ok", StatusText.Render(status));
        Assert.Contains(pair.B.Views.Events, e => e.Kind == "fence_agent" && e.Fields["outcome"] == "ok" && e.Fields["opened_gate"] == "true");
        Assert.Equal("ok", pair.B.Views.Views[^1].Fence!.Agent!.Outcome);
    }

    [Fact]
    public void AFailedAgentLeavesTheWindowInChargeAndIsNotRerun()
    {
        var (pair, cut) = LoseA(agentOk: false);
        using var _ = pair;
        pair.RunUntil(() => Started(pair.B, "vpn") is not null, TimeSpan.FromSeconds(20), "B's tunnel start");
        Assert.True(Started(pair.B, "wan") - cut >= TimeSpan.FromSeconds(6), $"B started its WAN {Started(pair.B, "wan") - cut} after the cut");
        pair.RunFor(TimeSpan.FromSeconds(10));
        Assert.Single(pair.B.Agent.Runs);
        Assert.Equal("failed", pair.B.Status().FenceAgent!.Outcome);
        Assert.Contains(pair.B.Views.Events, e => e.Kind == "fence_agent" && e.Fields["outcome"] == "failed");
    }

    [Fact]
    public void AnAgentThatHangsIsKilledAtItsTimeoutAndTheWindowGoverns()
    {
        // A 10 s window: the agent's default timeout is half of it, so it times out before the window ends.
        var (pair, cut) = LoseA(agentOk: true, hold: true, window: 10);
        using var _ = pair;
        pair.RunUntil(() => Started(pair.B, "vpn") is not null, TimeSpan.FromSeconds(20), "B's tunnel start");
        Assert.True(Started(pair.B, "vpn") - cut >= TimeSpan.FromSeconds(10));
        Assert.Single(pair.B.Agent.Killed);
        Assert.Equal("timeout", pair.B.Status().FenceAgent!.Outcome);
    }

    [Fact]
    public void APeerThatStaysReachableIsNeverFenced()
    {
        using var pair = new TestPair(new PairOptions { FenceCommand = true, FencedWan = true });
        pair.StartAndElect();
        Assert.True(pair.A.Ask(new Router.Daemon.Control.ControlRequest("switchover")).Ok);
        pair.RunUntil(() => Started(pair.B, "vpn") is not null, TimeSpan.FromSeconds(10), "B's tunnel start");
        Assert.Empty(pair.B.Agent.Runs);
        Assert.Empty(pair.A.Agent.Runs);
        Assert.Equal("idle", pair.B.Status().FenceAgent!.Outcome);
    }
}
