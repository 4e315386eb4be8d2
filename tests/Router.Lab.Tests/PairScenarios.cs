using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// Behaviour every VRRP router pair must show, run against each daemon: the keepalived run proves the
/// harness itself, the routerha run tests the product. A is priority 150, B 100, adverts 100 ms.
/// </summary>
public abstract class PairScenarios(DaemonKind kind)
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    private PairLab Create(Func<VrrpSettings, VrrpSettings>? a = null, Func<VrrpSettings, VrrpSettings>? b = null) =>
        PairLab.Create(kind, (a ?? (s => s))(VrrpSettings.For(150, Advert)), (b ?? (s => s))(VrrpSettings.For(100, Advert)));

    [Fact]
    public async Task HigherPriorityBecomesMasterAndOnlyItHoldsTheVip()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartTogetherAndElectAsync(cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
    }

    [Fact]
    public async Task Kill9OfMasterBackupTakesOverWithinMasterDown()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        LabAssert.SilentFailoverGap(o, lab);
        LabAssert.True(lab.HasVips(lab.B), "new master B holds the VIP", lab);
    }

    [Fact]
    public async Task MasterLinkDownBackupTakesOverAndMasterGoesFault()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        var o = await Failover.MeasureAsync(lab, FailoverKind.LinkDown, cts.Token);
        LabAssert.SilentFailoverGap(o, lab);
        await lab.A.WaitForStateAsync("FAULT", TimeSpan.FromSeconds(3), cts.Token);
        // Cable back: A has the higher priority and preempts.
        lab.Topology.SetRouterLink(lab.A.Namespace, up: true);
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
    }

    [Fact]
    public async Task GracefulSigtermHandsOverMuchFasterThanMasterDown()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        var o = await Failover.MeasureAsync(lab, FailoverKind.Sigterm, cts.Token);
        Assert.Equal(0, o.OldMasterExitCode);
        LabAssert.True(!o.OldMasterStillHasVip, "A removed its VIP on SIGTERM", lab);
        var limit = lab.B.Settings.MasterDownInterval.TotalMilliseconds / 2;
        LabAssert.True(o.Probe.GapMs < limit, $"graceful gap {o.Probe.GapMs} ms should be < {limit} ms ({o.Probe.Runs})", lab);
        Assert.Equal("B", o.AnsweredBy);
    }

    [Fact]
    public async Task HigherPriorityReturningNodePreempts()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        lab.A.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
    }

    [Fact]
    public async Task NoPreemptReturningNodeStaysBackup()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create(a => a with { Preempt = false });
        await lab.StartAndElectAsync(cts.Token);
        await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        lab.A.Start();
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        // Long enough for A to have preempted several times over if it were going to.
        await Wait.HoldsAsync(() => lab.A.State == "BACKUP" && lab.B.State == "MASTER",
            3 * lab.A.Settings.MasterDownInterval, "A BACKUP and B MASTER", lab.Diagnostics, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.B, lab.A, cts.Token);
    }

    [Fact]
    public async Task UnicastPeersSendAdvertsOnlyToEachOther()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create(a => a with { UnicastPeers = [LabTopology.AddressB] },
                               b => b with { UnicastPeers = [LabTopology.AddressA] });
        await lab.StartAndElectAsync(cts.Token);
        var packets = PacketCapture.Vrrp(lab.Topology, count: 8, TimeSpan.FromSeconds(3));
        LabAssert.True(packets.Count >= 5, $"expected adverts on the wire, saw {packets.Count}", lab);
        Assert.All(packets, p => Assert.Equal((LabTopology.AddressA, LabTopology.AddressB), (p.Source, p.Destination)));
        // And the unicast adverts are what keeps B quiet: a crash still fails over.
        var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        LabAssert.SilentFailoverGap(o, lab);
    }

    [Fact]
    public async Task Version2WithPasswordElects()
    {
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(kind,
            VrrpSettings.For(150, TimeSpan.FromSeconds(1), version: 2) with { AuthPass = "secret12" },
            VrrpSettings.For(100, TimeSpan.FromSeconds(1), version: 2) with { AuthPass = "secret12" });
        await lab.StartAndElectAsync(cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
        var packets = PacketCapture.Vrrp(lab.Topology, count: 2, TimeSpan.FromSeconds(3));
        LabAssert.True(packets.Count >= 1 && packets.All(p => p.Line.Contains("VRRPv2", StringComparison.Ordinal)
            && p.Line.Contains("auth \"secret12", StringComparison.Ordinal)), $"v2 adverts with the password: {string.Join(" | ", packets.Select(p => p.Line))}", lab);
    }

    [Fact]
    public async Task Ipv6InstanceElectsAndClientReachesVip()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create(a => a with { Vips = [LabTopology.Vip6Cidr] }, b => b with { Vips = [LabTopology.Vip6Cidr] });
        await lab.StartAndElectAsync(cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
        var packets = PacketCapture.Vrrp(lab.Topology, count: 3, TimeSpan.FromSeconds(3));
        LabAssert.True(packets.Count >= 1 && packets.All(p => p.Source.IsIPv6LinkLocal && p.Destination.ToString() == "ff02::12"),
            $"VRRPv3 over IPv6 from link-local to ff02::12: {string.Join(" | ", packets.Select(p => p.Line))}", lab);
    }

    [Fact]
    public async Task SplitLanGivesTwoMastersAndHealingLeavesOne()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        lab.Topology.CutBetweenRouters(cut: true);
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        LabAssert.True(lab.A.State == "MASTER", "A stays MASTER while it cannot hear B", lab);
        lab.Topology.CutBetweenRouters(cut: false);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
    }
}

/// <summary>The harness proven against keepalived 2.2.7 on both routers.</summary>
[Collection(LabCollection.Name)]
public sealed class KeepalivedPairTests() : PairScenarios(DaemonKind.Keepalived);

/// <summary>routerha on both routers. Needs the built binary (ROUTERHA_BIN); a missing binary fails these tests.</summary>
[Collection(LabCollection.Name)]
public sealed class RouterHaPairTests() : PairScenarios(DaemonKind.RouterHa);
