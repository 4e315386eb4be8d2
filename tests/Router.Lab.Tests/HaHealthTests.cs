using System.Diagnostics;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Health tracking moves the uplinks: both routers track the carrier of their WAN port (`link`, weight 0 = FAULT,
/// interval 0.2 s, fall 2, rise 3). The ISP cutting A's line hands WAN and tunnel to B within
/// fall x interval + master-down; the line back, A takes them back (preempt) only after rise good runs.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaHealthTests(ITestOutputHelper output)
{
    /// <summary>Process start-up of the status CLI and scheduling on a loaded two-core machine.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task CutOfTheMastersWanLineMovesWanAndTunnelToTheBackupAndRiseBringsThemBack()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(new HaLabOptions { TrackWanLine = true }, cts.Token);
        var o = lab.Options;
        await lab.StartAndSettleAsync(cts.Token);
        // At start-up B may hold the tunnel first (A released it at boot), legitimately: judge from the settled state.
        var start = DateTimeOffset.UtcNow;

        var cut = DateTimeOffset.UtcNow;
        var sw = Stopwatch.StartNew();
        lab.Topology.SetIspLine('A', up: false);
        // The first failing run may come up to one interval after the cut.
        var takeoverLimit = (o.TrackFall + 1) * o.TrackInterval + lab.MasterDown + Margin;
        await lab.B.WaitForStateAsync("MASTER", takeoverLimit, cts.Token);
        var takeover = sw.Elapsed;
        await lab.A.WaitForStateAsync("FAULT", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('B', lab.SettleTimeout, cts.Token);
        HaAssert.True(HaAssert.FirstSessionOf(lab, 'B', cut).Start - cut < o.FenceWindow,
            "B's tunnel waited for the fence window although A (in FAULT) was reachable and released it", lab);
        await Wait.UntilAsync(lab.Topology.ClientReachesVps, lab.SettleTimeout, "the LAN client to reach the VPS through B", lab.Diagnostics, cts.Token);

        var restored = DateTimeOffset.UtcNow;
        sw.Restart();
        lab.Topology.SetIspLine('A', up: true);
        // rise good runs, interval apart: A cannot be back sooner than (rise - 1) x interval.
        await lab.A.WaitForStateAsync("MASTER", (o.TrackRise + 1) * o.TrackInterval + lab.MasterDown + Margin, cts.Token);
        var takeback = sw.Elapsed;
        HaAssert.True(takeback >= (o.TrackRise - 1) * o.TrackInterval,
            $"A took MASTER back {takeback.TotalMilliseconds:0} ms after the line came back, before {o.TrackRise} good runs", lab);
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);

        output.WriteLine($"line cut -> B MASTER {takeover.TotalMilliseconds:0} ms (limit {takeoverLimit.TotalMilliseconds:0}); "
            + $"line back -> A MASTER {takeback.TotalMilliseconds:0} ms");
        HaAssert.OneRouterPerEpisode(lab,
        [
            new TunnelEpisode("A master", start, "A"),
            new TunnelEpisode("A's line cut", cut, "B"),
            new TunnelEpisode("A's line back", restored, "A"),
        ]);
    }
}
