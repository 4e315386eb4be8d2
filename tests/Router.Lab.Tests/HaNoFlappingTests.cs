using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// The fence must not make a router flap: after a crash the new master stays MASTER while it waits out the fence
/// window (a dead peer's last "MASTER" claim does not count), and across a LAN cut with the peer cable up the
/// lower router keeps serving its LAN side as VRRP MASTER but never brings WAN up.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaNoFlappingTests
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
