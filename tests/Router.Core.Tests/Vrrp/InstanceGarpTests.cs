using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceGarpTests
{
    static InstanceSim Owner(TimeSpan masterDelay, TimeSpan refresh)
    {
        var sim = new InstanceSim(Settings(255) with { GarpMasterDelay = masterDelay, GarpRefresh = refresh });
        sim.Start();
        return sim;
    }

    [Fact]
    public void Announces_on_takeover_and_once_more_after_the_master_delay()
    {
        var sim = Owner(S(5), TimeSpan.Zero);
        sim.RunUntil(S(60));
        Assert.Equal([S(0), S(5)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void Refreshes_periodically_while_master()
    {
        var sim = Owner(S(5), S(20));
        sim.RunUntil(S(60));
        Assert.Equal([S(0), S(5), S(20), S(40), S(60)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void Announces_once_without_delay_or_refresh()
    {
        var sim = Owner(TimeSpan.Zero, TimeSpan.Zero);
        sim.RunUntil(S(60));
        Assert.Equal([S(0)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void Leaving_master_stops_the_schedule()
    {
        var sim = Owner(S(5), S(20));
        sim.RunUntil(S(2));
        sim.Do((i, now) => i.SetMaintenance(true, now));
        sim.RunUntil(S(60));
        Assert.Equal([S(0)], sim.TimesOf<AnnounceAddresses>());
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void Takeover_from_backup_uses_the_same_schedule()
    {
        var sim = new InstanceSim(Settings(100) with { GarpMasterDelay = S(5) });
        sim.Start();
        sim.RunUntil(S(20));
        Assert.Equal([S(3.609375), S(8.609375)], sim.TimesOf<AnnounceAddresses>());
    }
}
