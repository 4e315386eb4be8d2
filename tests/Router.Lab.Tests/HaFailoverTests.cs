using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// WAN and the single-client tunnel follow MASTER, on one router at a time, across a crash, failback, a SIGTERM
/// handover and a restart of the master's daemon over its old state (issue 3, "Tests"). The VPS's own session record
/// is the judge; a router's status is not taken on trust.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaFailoverTests
{
    [Fact]
    public async Task CrashOfTheMasterMovesWanAndTunnelAfterTheFenceWindowAndFailbackNeedsNoWindow()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        // At start-up B may hold the tunnel first (A released it at boot), legitimately: judge from the settled state.
        var start = DateTimeOffset.UtcNow;

        var crash = DateTimeOffset.UtcNow;
        await lab.PowerLossAsync('A', cts.Token);
        await lab.B.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('B', lab.FencedTakeoverTimeout, cts.Token);
        // A died without a word: B may only trust the silence of every peer path for the whole window.
        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', crash);
        var earliest = crash + lab.Options.FenceWindow - lab.Options.HeartbeatInterval;
        HaAssert.True(bTunnel.Start >= earliest,
            $"B's tunnel at {bTunnel.Start:HH:mm:ss.fff}, before the fence window allowed it ({earliest:HH:mm:ss.fff})", lab);
        await Wait.UntilAsync(lab.Topology.ClientReachesVps, lab.SettleTimeout, "the LAN client to reach the VPS through B", lab.Diagnostics, cts.Token);

        var failback = DateTimeOffset.UtcNow;
        lab.A.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        // B is alive and says it released the tunnel: A must not wait the silence window.
        var aTunnel = HaAssert.FirstSessionOf(lab, 'A', failback);
        HaAssert.True(aTunnel.Start - failback < lab.Options.FenceWindow,
            $"failback tunnel after {(aTunnel.Start - failback).TotalMilliseconds:0} ms: the peer's confirmation was not used", lab);
        await Wait.UntilAsync(lab.Topology.ClientReachesVps, lab.SettleTimeout, "the LAN client to reach the VPS through A", lab.Diagnostics, cts.Token);

        HaAssert.OneRouterPerEpisode(lab,
        [
            new TunnelEpisode("A master", start, "A"),
            new TunnelEpisode("A crashed", crash, "B"),
            new TunnelEpisode("A back, preempts", failback, "A"),
        ]);
    }

    [Fact]
    public async Task SigtermOfTheMasterReleasesWanAndTunnelAndTheBackupTakesThemWithoutWaiting()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        // At start-up B may hold the tunnel first (A released it at boot), legitimately: judge from the settled state.
        var start = DateTimeOffset.UtcNow;

        var handover = DateTimeOffset.UtcNow;
        var exit = await lab.A.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, exit);
        HaAssert.True(lab.HasNoUplinks('A'), "A exited with its WAN or tunnel still up", lab);
        await lab.WaitHoldsUplinksAsync('B', lab.SettleTimeout, cts.Token);
        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', handover);
        HaAssert.True(bTunnel.Start - handover < lab.Options.FenceWindow,
            $"B's tunnel {(bTunnel.Start - handover).TotalMilliseconds:0} ms after SIGTERM: A's release was not used", lab);
        await Wait.UntilAsync(lab.Topology.ClientReachesVps, lab.SettleTimeout, "the LAN client to reach the VPS through B", lab.Diagnostics, cts.Token);

        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A stopped", handover, "B")]);
    }

    [Fact]
    public async Task RestartOfTheMastersDaemonOverItsRunningTunnelNeverMakesASecondClient()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var orphan = lab.Tunnel('A').Pid ?? throw new InvalidOperationException("A's tunnel client not running");

        // The daemon dies, the router does not: WAN up, tunnel client running, its pid file and the VIP stay behind.
        lab.A.Kill9();
        HaAssert.True(lab.Topology.WanIsUp('A') && lab.Tunnel('A').Pid == orphan, "the old state is in place", lab);
        lab.A.Start();

        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        // At boot the router is BACKUP until elected: the orphan client was stopped, a new one runs.
        HaAssert.True(lab.Tunnel('A').Pid != orphan, "the tunnel client left by the killed daemon was never stopped", lab);
        HaAssert.NoLiveClientPushedOut(lab);
    }
}
