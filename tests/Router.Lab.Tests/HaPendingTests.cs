using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// What the lab shows the daemon wiring does not do yet (left to the lead, see the report): the fencing step-down
/// reacts to the peer's last known state even when the peer is silent, so the new master flaps MASTER/BACKUP (and its
/// VIP and WAN with it) every master-down interval until the fence window ends, after a crash and during a LAN cut.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "ha-pending")]
public sealed class HaPendingTests
{
    private static long BecameMaster(RouterHaNode node) =>
        node.TryStatus()?.Instances.Single().Counters.BecameMaster ?? throw new InvalidOperationException($"no status from {node.Label}");

    [Fact]
    public async Task AfterACrashTheNewMasterStaysMasterWhileItWaitsOutTheFenceWindow()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var before = BecameMaster(lab.B);

        await lab.PowerLossAsync('A', cts.Token);
        await lab.WaitHoldsUplinksAsync('B', lab.FencedTakeoverTimeout, cts.Token);
        // One takeover: the VIP moves once; a dead peer's last word must not push B back to BACKUP.
        var became = BecameMaster(lab.B) - before;
        HaAssert.True(became == 1, $"B became MASTER {became} times for one crash of A", lab);
    }

    [Fact]
    public async Task LanCutWithThePeerCableUpKeepsTheBackupsWanDownWithoutFlapping()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var before = BecameMaster(lab.B);

        lab.Topology.CutLan(cut: true);
        // On an OMR pair both WANs up is an outage for both, like two tunnels.
        await Wait.HoldsAsync(() => !lab.Topology.WanIsUp('B'), lab.MasterDown + 2 * lab.Options.FenceWindow,
            "B's WAN down while A holds the uplinks", lab.Diagnostics, cts.Token);
        var became = BecameMaster(lab.B) - before;
        HaAssert.True(became <= 1, $"B became MASTER {became} times during one LAN cut", lab);
    }
}
