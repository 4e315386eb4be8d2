using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceGarpTests
{
    private static InstanceSim Owner(TimeSpan masterDelay, TimeSpan refresh)
    {
        var sim = new InstanceSim(Settings(255) with { GarpMasterDelay = masterDelay, GarpRefresh = refresh });
        sim.Start();
        return sim;
    }

    [Fact]
    public void AnnouncesOnTakeoverAndOnceMoreAfterTheMasterDelay()
    {
        var sim = Owner(S(5), TimeSpan.Zero);
        sim.RunUntil(S(60));
        Assert.Equal([S(0), S(5)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void RefreshesPeriodicallyWhileMaster()
    {
        var sim = Owner(S(5), S(20));
        sim.RunUntil(S(60));
        Assert.Equal([S(0), S(5), S(20), S(40), S(60)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void AnnouncesOnceWithoutDelayOrRefresh()
    {
        var sim = Owner(TimeSpan.Zero, TimeSpan.Zero);
        sim.RunUntil(S(60));
        Assert.Equal([S(0)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void LeavingMasterStopsTheSchedule()
    {
        var sim = Owner(S(5), S(20));
        sim.RunUntil(S(2));
        sim.Do((i, now) => i.SetMaintenance(true, now));
        sim.RunUntil(S(60));
        Assert.Equal([S(0)], sim.TimesOf<AnnounceAddresses>());
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void TakeoverFromBackupUsesTheSameSchedule()
    {
        var sim = new InstanceSim(Settings(100) with { GarpMasterDelay = S(5) });
        sim.Start();
        sim.RunUntil(S(20));
        Assert.Equal([S(3.609375), S(8.609375)], sim.TimesOf<AnnounceAddresses>());
    }
}
