using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// VRRP alone cannot tell "peer dead" from "LAN cut". With the peer cable up, a LAN cut must not start a second
/// tunnel (both may be VRRP MASTER); with both cut, the second tunnel waits the fence window; once healed, the
/// pair settles back on one tunnel.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaPartitionTests
{
    [Fact]
    public async Task LanCutWithThePeerCableUpNeverStartsTheBackupsTunnel()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        // At start-up B may hold the tunnel first (A released it at boot), legitimately: judge from the settled state.
        var start = DateTimeOffset.UtcNow;
        var session = lab.Vps.Current;

        lab.Topology.CutLan(cut: true);
        // B hears no adverts and may claim MASTER; the peer cable still tells it A holds the tunnel.
        await Wait.HoldsAsync(() => !lab.Tunnel('B').IsRunning && lab.Vps.Current == session,
            lab.MasterDown + 2 * lab.Options.FenceWindow, "A's tunnel session alone, B's client never started", lab.Diagnostics, cts.Token);

        lab.Topology.CutLan(cut: false);
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        HaAssert.True(lab.Vps.Current == session, "A's tunnel session survived the partition", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master, LAN cut and healed", start, "A")]);
    }

    [Fact]
    public async Task FullPartitionStartsTheSecondTunnelOnlyAfterTheFenceWindowAndHealingLeavesOne()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);

        var cut = DateTimeOffset.UtcNow;
        lab.Topology.CutLan(cut: true);
        lab.Topology.SetPeerLink(up: false);
        await lab.B.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        // A session B opened in the start-up race (A released the tunnel at boot) is not the one judged here.
        await Wait.UntilAsync(() => lab.Vps.Sessions().Any(s => s.Router == "B" && s.Start >= cut), lab.FencedTakeoverTimeout,
            "B's tunnel once the peer was silent for the fence window", lab.Diagnostics, cts.Token);
        // Silence counts from the last frame heard, at most one heartbeat before the cut.
        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', cut);
        var earliest = cut + lab.Options.FenceWindow - lab.Options.HeartbeatInterval;
        HaAssert.True(bTunnel.Start >= earliest,
            $"B's tunnel at {bTunnel.Start:HH:mm:ss.fff}, before the fence window allowed it ({earliest:HH:mm:ss.fff})", lab);

        lab.Topology.SetPeerLink(up: true);
        lab.Topology.CutLan(cut: false);
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        var healed = DateTimeOffset.UtcNow;
        await Wait.HoldsAsync(() => lab.HoldsUplinks('A'), TimeSpan.FromSeconds(3), "A alone with WAN and tunnel after healing",
            lab.Diagnostics, cts.Token);
        var episodes = TunnelEpisodes.Violations(lab.Vps.Sessions(), [new TunnelEpisode("healed", healed, "A")]);
        HaAssert.True(episodes.Count == 0, string.Join('\n', episodes), lab);
        var fence = lab.B.TryStatus()?.Fence;
        HaAssert.True(fence is { DualMasterEpisodes: >= 1 }, "B counted the dual-master episode it resolved", lab);
    }
}
