using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>routerha-only behaviour: its status report, control verbs, notify contract and VIP guarding.</summary>
[Collection(LabCollection.Name)]
public sealed class RouterHaControlTests
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    private static PairLab Create(bool preempt = true) => PairLab.Create(DaemonKind.RouterHa,
        VrrpSettings.For(150, Advert) with { Preempt = preempt }, VrrpSettings.For(100, Advert) with { Preempt = preempt });

    private static RouterHaNode Ha(IVrrpNode n) => (RouterHaNode)n;

    [Fact]
    public async Task StatusReportsElectionAsBothRoutersSeeIt()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        // B must have counted a few of A's adverts before its view is settled.
        await Wait.UntilAsync(() => Ha(lab.B).Instance().Counters.AdvertsReceived >= 3, TimeSpan.FromSeconds(3),
            "B receiving adverts", lab.Diagnostics, cts.Token);
        var a = Ha(lab.A).Instance();
        var b = Ha(lab.B).Instance();
        Assert.Equal(("MASTER", 51, 3, "ipv4", "lan0"), (a.State, a.Vrid, a.Version, a.Family, a.Interface));
        Assert.Equal((150, 150, 100.0), (a.Priority, a.EffectivePriority, a.AdvertIntervalMs));
        Assert.True(a.VipsPresent);
        Assert.Equal([LabTopology.Vip4Cidr], a.Vips);
        Assert.Equal(1, a.Counters.BecameMaster);
        Assert.True(a.Counters.AdvertsSent >= 3, $"A sent {a.Counters.AdvertsSent} adverts");
        Assert.Equal(("BACKUP", "10.77.0.2", 150, false), (b.State, b.Master, b.MasterPriority, b.VipsPresent));
        // RFC 5798: 3 x 100 ms + (256 - 100) / 256 x 100 ms skew = 360.9 ms.
        Assert.InRange(b.MasterDownIntervalMs, 360, 361);
        Assert.Equal(0, b.Counters.BecameMaster);
        Assert.Contains(a.Transitions, t => t.To == "MASTER");
        Assert.All(b.Counters.Drops, d => Assert.True(d.Value == 0, $"B dropped adverts of the healthy master: {d.Key}={d.Value}"));
    }

    [Fact]
    public async Task NotifyScriptIsCalledWithInstanceNameStateAndPriority()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        var na = Ha(lab.A).Notify;
        var nb = Ha(lab.B).Notify;
        await Wait.UntilAsync(() => na.History.Contains("INSTANCE lan MASTER 150") && nb.History.Contains("INSTANCE lan BACKUP 100"),
            TimeSpan.FromSeconds(3), "notify calls for A MASTER and B BACKUP",
            () => $"A: {string.Join(" | ", na.History)}\nB: {string.Join(" | ", nb.History)}", cts.Token);
        Assert.DoesNotContain("INSTANCE lan MASTER 100", nb.History);
    }

    [Fact]
    public async Task VipRemovedExternallyIsRestoredWithinASecond()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        lab.Topology.DeleteAddress(lab.A.Namespace, LabTopology.Vip4Cidr);
        await Wait.UntilAsync(() => lab.HasVips(lab.A), TimeSpan.FromSeconds(1), "A restoring its VIP", lab.Diagnostics, cts.Token);
        Assert.Equal("MASTER", lab.A.State);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
    }

    [Fact]
    public async Task MaintenanceMovesMasterToPeerAndBack()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        Ha(lab.A).RunVerb("maintenance", "on");
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        Assert.True(Ha(lab.A).Instance().Maintenance);
        await LabAssert.VipOnlyOnAsync(lab, lab.B, lab.A, cts.Token);
        // In maintenance A must not take the VIP back although its configured priority is higher.
        await Wait.HoldsAsync(() => lab.A.State == "BACKUP", 3 * lab.A.Settings.MasterDownInterval,
            "A staying BACKUP in maintenance", lab.Diagnostics, cts.Token);
        Ha(lab.A).RunVerb("maintenance", "off");
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        Assert.False(Ha(lab.A).Instance().Maintenance);
    }

    [Fact]
    public async Task SwitchoverHandsMastershipToPeerQuickly()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create(preempt: false);
        await lab.StartAndElectAsync(cts.Token);
        using var prober = Prober.Start(lab.Topology.Client, LabTopology.Vip4);
        await prober.WaitForReplyAfterAsync(0, TimeSpan.FromSeconds(3), cts.Token);
        Ha(lab.A).RunVerb("switchover");
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        await prober.WaitForReplyAfterAsync(prober.SentCount, TimeSpan.FromSeconds(3), cts.Token);
        var r = prober.Stop();
        // A planned handover is announced (priority 0), not detected by silence.
        LabAssert.True(r.GapMs < lab.B.Settings.MasterDownInterval.TotalMilliseconds / 2, $"switchover gap {r.GapMs} ms ({r.Runs})", lab);
        await LabAssert.VipOnlyOnAsync(lab, lab.B, lab.A, cts.Token);
    }

    [Fact]
    public async Task ReloadAppliesNewPriority()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        Ha(lab.B).Rewrite(lab.B.Settings with { Priority = 200 });
        Ha(lab.B).RunVerb("reload");
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        Assert.Equal(200, Ha(lab.B).Instance().Priority);
    }

    [Fact]
    public void CliWithoutDaemonFailsWithMessage()
    {
        var bin = RouterHaBinary.Require();
        var socket = Path.Combine(Path.GetTempPath(), $"{LabRun.Prefix}-nobody.sock");
        foreach (var verb in (string[][])[["status", "--json"], ["switchover"], ["maintenance", "on"], ["reload"]])
        {
            var r = Shell.Run(bin, [.. verb, "-s", socket]);
            Assert.True(r.ExitCode != 0, $"`routerha {string.Join(' ', verb)}` without a daemon exited 0");
            Assert.False(string.IsNullOrWhiteSpace(r.StdErr), $"`routerha {string.Join(' ', verb)}` gave no message on stderr");
        }
    }
}
