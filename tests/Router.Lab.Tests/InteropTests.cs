using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// routerha and keepalived 2.2.7 in one VRRP group: each must accept the other's adverts as master and
/// take over when the other crashes. v2 runs with 1 s adverts and a password, v3 with 100 ms.
/// KeepalivedPairTests is the baseline that shows the scenarios themselves hold.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class InteropTests
{
    public static TheoryData<int, DaemonKind, DaemonKind> Pairs => new()
    {
        { 3, DaemonKind.RouterHa, DaemonKind.Keepalived },
        { 3, DaemonKind.Keepalived, DaemonKind.RouterHa },
        { 2, DaemonKind.RouterHa, DaemonKind.Keepalived },
        { 2, DaemonKind.Keepalived, DaemonKind.RouterHa },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task BackupTakesOverWhenMasterCrashesAndYieldsOnReturn(int version, DaemonKind master, DaemonKind backup)
    {
        using var cts = LabAssert.Budget();
        var advert = version == 2 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(100);
        var pass = version == 2 ? "secret12" : null;
        using var lab = PairLab.Create(
            master, VrrpSettings.For(150, advert, version) with { AuthPass = pass },
            backup, VrrpSettings.For(100, advert, version) with { AuthPass = pass });
        await lab.StartAndElectAsync(cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
        // B must stay BACKUP: it understands A's adverts (a rejected advert would make it MASTER too).
        await Wait.HoldsAsync(() => lab.B.State == "BACKUP", 2 * lab.B.Settings.MasterDownInterval,
            "B staying BACKUP under A's adverts", lab.Diagnostics, cts.Token);
        var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        LabAssert.SilentFailoverGap(o, lab);
        // A returns with the higher priority and B, of the other kind, yields.
        lab.A.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
    }
}
