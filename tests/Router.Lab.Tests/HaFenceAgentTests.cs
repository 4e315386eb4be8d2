using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// `fence_command` (issue 12, point 6) in a full partition: A is alive but B hears it on no path. The agent here is a
/// STONITH stand-in that "powers A off" (its daemon and tunnel client die, its WAN goes dark). On exit 0 B starts
/// its tunnel well before the fence window; on exit 1 the window governs as without an agent. Judged at the VPS.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaFenceAgentTests(ITestOutputHelper output)
{
    /// <summary>Long enough that "before the window" is unmistakable.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task FenceCommandSuccessStartsTheNewMastersTunnelWellBeforeTheWindow()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(new HaLabOptions { FenceWindow = Window, FenceAgentExit = 0 }, cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var agent = lab.FenceAgentAgainst('A');
        agent.Arm(lab.A.Pids);
        var start = DateTimeOffset.UtcNow;

        var cut = DateTimeOffset.UtcNow;
        lab.Topology.CutLan(cut: true);
        lab.Topology.SetPeerLink(up: false);
        await lab.B.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await Wait.UntilAsync(() => lab.Vps.Sessions().Any(s => s.Router == "B" && s.Start >= cut), lab.FencedTakeoverTimeout,
            "B's tunnel after fencing A", lab.Diagnostics, cts.Token);
        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', cut);
        var took = bTunnel.Start - cut;
        output.WriteLine($"cut -> B's tunnel session at the VPS: {took.TotalMilliseconds:0} ms (fence window {Window.TotalSeconds:0} s, agent ok)");
        HaAssert.True(took < Window - TimeSpan.FromSeconds(2), $"B's tunnel {took.TotalMilliseconds:0} ms after the cut: the agent did not open the gate", lab);

        await lab.WaitHoldsUplinksAsync('B', lab.SettleTimeout, cts.Token);
        HaAssert.True(!lab.A.IsRunning && lab.HasNoUplinks('A'), "A was not fenced (daemon, WAN or tunnel still there)", lab);
        HaAssert.True(agent.Runs == 1 && agent.Lines.Contains("fenced"), $"agent runs: {string.Join(" | ", agent.Lines)}", lab);
        HaAssert.True(agent.Lines[0].Contains("peer=router_a", StringComparison.Ordinal), "the agent was told which peer to fence", lab);
        HaAssert.True(lab.FenceAgentAgainst('B').Runs == 0, "A ran its agent against B", lab);
        var status = lab.B.Cli("status").StdOut;
        HaAssert.True(status.Contains("fence agent: ok", StringComparison.Ordinal), $"B's status: {status}", lab);
        // A's session ended (its client was dead) before B's began: never two clients.
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A fenced", cut, "B")]);
    }

    [Fact]
    public async Task FenceCommandFailureLeavesTheWindowInCharge()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(new HaLabOptions { FenceWindow = Window, FenceAgentExit = 1 }, cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var agent = lab.FenceAgentAgainst('A');
        agent.Arm(lab.A.Pids);

        var cut = DateTimeOffset.UtcNow;
        lab.Topology.CutLan(cut: true);
        lab.Topology.SetPeerLink(up: false);
        await lab.B.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await Wait.UntilAsync(() => lab.Vps.Sessions().Any(s => s.Router == "B" && s.Start >= cut), lab.FencedTakeoverTimeout,
            "B's tunnel once the peer was silent for the fence window", lab.Diagnostics, cts.Token);
        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', cut);
        output.WriteLine($"cut -> B's tunnel session at the VPS: {(bTunnel.Start - cut).TotalMilliseconds:0} ms (fence window {Window.TotalSeconds:0} s, agent failed)");
        var earliest = cut + Window - lab.Options.HeartbeatInterval;
        HaAssert.True(bTunnel.Start >= earliest,
            $"B's tunnel at {bTunnel.Start:HH:mm:ss.fff}, before the fence window allowed it ({earliest:HH:mm:ss.fff})", lab);
        HaAssert.True(lab.A.IsRunning, "the failing agent touched A", lab);
        HaAssert.True(agent.Runs == 1, $"the failed agent was run {agent.Runs} times (expected once, no retry)", lab);
        var status = lab.B.Cli("status").StdOut;
        HaAssert.True(status.Contains("fence agent: failed", StringComparison.Ordinal), $"B's status: {status}", lab);

        // Healed, the pair settles back on A alone.
        lab.Topology.SetPeerLink(up: true);
        lab.Topology.CutLan(cut: false);
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
    }
}
