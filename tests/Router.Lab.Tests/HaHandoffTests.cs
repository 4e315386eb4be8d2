using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Cooperative handoff and fast peer-death detection (issue 12, points 1-3) at the RFC's usual 1 s adverts, judged
/// from outside: the client pinging the VIP every 10 ms, the VPS's session record, the routers' reported states.
/// Master-down alone would take 3.6 s here (keepalived measured 3.05 s of client gap on a link-down).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaHandoffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan SlowAdverts = TimeSpan.FromSeconds(1);

    /// <summary>Probes the VIP from the client until a clean run is recorded; the caller breaks A and then waits.</summary>
    private static async Task<Prober> StartProbingAsync(HaLab lab, CancellationToken ct)
    {
        var prober = Prober.Start(lab.Topology.Client, LabTopology.Vip4);
        await prober.WaitForReplyAfterAsync(0, TimeSpan.FromSeconds(5), ct);
        await prober.WaitForReplyAfterAsync(prober.SentCount + 5, TimeSpan.FromSeconds(5), ct);
        return prober;
    }

    private static string LastTransition(RouterHaNode node) => node.Instance().Transitions.LastOrDefault()?.Reason ?? "";

    [Fact]
    public async Task TheMastersLanLinkDyingHandsOverAtOnceOverThePeerCableThoughTheLanPathDiedWithIt()
    {
        using var cts = LabAssert.Budget(90);
        // Default heartbeats (1 s / 3 s): fast death detection is off, the handoff alone must be fast. The window is
        // long so a tunnel that waited for it cannot pass the bound below.
        using var lab = await HaLab.CreateAsync(new HaLabOptions
        {
            AdvertInterval = SlowAdverts,
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            DeadInterval = TimeSpan.FromSeconds(3),
            FenceWindow = TimeSpan.FromSeconds(8),
        }, cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var start = DateTimeOffset.UtcNow;
        using var prober = await StartProbingAsync(lab, cts.Token);

        var cut = DateTimeOffset.UtcNow;
        // The cable at the switch: A's adverts, its priority-0 goodbye and the peer path over the LAN all die.
        lab.Topology.Lan.SetRouterLink(lab.Topology.RouterA, up: false);
        await lab.B.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(5), cts.Token);
        await prober.WaitForReplyAfterAsync(prober.SentCount, TimeSpan.FromSeconds(5), cts.Token);
        var probe = prober.Stop();
        await lab.WaitHoldsUplinksAsync('B', lab.SettleTimeout, cts.Token);

        var aSession = lab.Vps.Sessions().Last(s => s.Router == "A" && s.Start < cut);
        var bSession = HaAssert.FirstSessionOf(lab, 'B', cut);
        var stopToUp = bSession.Start - (aSession.End ?? bSession.Start);
        output.WriteLine($"link down: client gap {probe.GapMs:0} ms ({probe.Runs}); A's tunnel ended {(aSession.End - cut)?.TotalMilliseconds:0} ms " +
                         $"after the cut, B's up {(bSession.Start - cut).TotalMilliseconds:0} ms after the cut, {stopToUp.TotalMilliseconds:0} ms after A's ended");
        HaAssert.True(probe.GridHeld, $"the prober was descheduled for {probe.MaxLateMs:0} ms (machine overloaded), gap unknown", lab);
        // Goal < 100 ms; master-down would be 3.6 s. The bound leaves room for a loaded 2-core machine.
        HaAssert.True(probe.GapMs < 1000, $"client gap {probe.GapMs:0} ms ({probe.Runs}): B waited instead of taking the handoff", lab);
        HaAssert.True(LastTransition(lab.B).Contains("left MASTER", StringComparison.Ordinal),
            $"B became MASTER by '{LastTransition(lab.B)}', not by the handoff", lab);
        // Goal < 300 ms after A's tunnel stop; the fence window (8 s) would be far beyond this bound.
        HaAssert.True(stopToUp < TimeSpan.FromSeconds(2), $"B's tunnel came {stopToUp.TotalMilliseconds:0} ms after A's ended", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A's LAN link down", cut, "B")]);
    }

    [Fact]
    public async Task AMasterKilledWithFastHeartbeatsIsReplacedWithinHalfASecondWhileTheTunnelWaitsTheFenceWindow()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = await HaLab.CreateAsync(new HaLabOptions
        {
            AdvertInterval = SlowAdverts,
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            DeadInterval = TimeSpan.FromMilliseconds(300),
            FenceWindow = TimeSpan.FromSeconds(2.5),
        }, cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var start = DateTimeOffset.UtcNow;
        using var prober = await StartProbingAsync(lab, cts.Token);

        var kill = DateTimeOffset.UtcNow;
        // A crash of the router: the daemon and the tunnel client die, the VIP stops answering.
        lab.A.Kill9();
        lab.Tunnel('A').Kill();
        lab.Topology.Lan.DeleteAddress(lab.Topology.RouterA, LabTopology.Vip4Cidr);
        var atKill = prober.SentCount;
        var vipGone = !lab.Topology.Lan.HasAddress(lab.Topology.RouterA, LabTopology.Vip4);
        await lab.B.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(5), cts.Token);
        output.WriteLine($"probes at kill {atKill}, at B MASTER {prober.SentCount}; A's VIP gone {vipGone}; client's neighbour for the VIP " +
                         $"{lab.Topology.Lan.ClientNeighbourMac(LabTopology.Vip4)} (A {lab.Topology.Lan.MacA}, B {lab.Topology.Lan.MacB})");
        await prober.WaitForReplyAfterAsync(prober.SentCount, TimeSpan.FromSeconds(5), cts.Token);
        var probe = prober.Stop();
        // The WAN goes once the VPS saw the dead client's session end (see HaLab.PowerLossAsync).
        await Wait.UntilAsync(() => lab.Vps.Current?.Router != "A", TimeSpan.FromSeconds(5), "A's session to end at the VPS", lab.Diagnostics, cts.Token);
        lab.Topology.SetWan('A', up: false);
        await lab.WaitHoldsUplinksAsync('B', lab.FencedTakeoverTimeout, cts.Token);

        var bSession = HaAssert.FirstSessionOf(lab, 'B', kill);
        output.WriteLine($"kill -9, 100 ms heartbeats: client gap {probe.GapMs:0} ms ({probe.Runs}); B's tunnel {(bSession.Start - kill).TotalMilliseconds:0} ms after the kill");
        HaAssert.True(probe.GridHeld, $"the prober was descheduled for {probe.MaxLateMs:0} ms (machine overloaded), gap unknown", lab);
        // Goal < 500 ms; master-down would be 3.6 s.
        HaAssert.True(probe.GapMs < 1200, $"client gap {probe.GapMs:0} ms ({probe.Runs}): the dead peer was not noticed", lab);
        HaAssert.True(LastTransition(lab.B).Contains("silent on every peer path", StringComparison.Ordinal),
            $"B became MASTER by '{LastTransition(lab.B)}', not by fast death detection", lab);
        // A hung daemon looks the same: the tunnel trusts only the whole silence window.
        var earliest = kill + lab.Options.FenceWindow - lab.Options.HeartbeatInterval;
        HaAssert.True(bSession.Start >= earliest, $"B's tunnel at {bSession.Start:HH:mm:ss.fff}, before the fence window allowed it ({earliest:HH:mm:ss.fff})", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A killed", kill, "B")]);
    }
}
