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

    private static InstanceSim Spaced(int repeat, double interval, TimeSpan masterDelay = default)
    {
        var sim = new InstanceSim(Settings(255) with
        {
            GarpRepeat = repeat,
            GarpInterval = S(interval),
            GarpMasterDelay = masterDelay,
        });
        sim.Start();
        return sim;
    }

    private static List<(TimeSpan At, int Rounds)> Rounds(InstanceSim sim)
        => sim.Log.Where(e => e.Command is AnnounceAddresses).Select(e => (e.At, ((AnnounceAddresses)e.Command).Rounds)).ToList();

    [Fact]
    public void WithoutAnIntervalABurstIsOneCommandWithAllRounds()
    {
        var sim = Owner(S(5), TimeSpan.Zero);
        sim.RunUntil(S(60));
        Assert.Equal([(S(0), 5), (S(5), 5)], Rounds(sim));
    }

    [Fact]
    public void ABurstHasAtLeastOneRound()
    {
        var sim = new InstanceSim(Settings(255) with { GarpRepeat = 0 });
        Assert.Contains(new AnnounceAddresses(1), sim.Start());
    }

    [Fact]
    public void SpacedBurstSendsOneRoundPerInterval()
    {
        var sim = Spaced(repeat: 4, interval: 0.2);
        Assert.Equal(S(0.2), sim.Instance.NextDeadline);
        sim.RunUntil(S(60));
        Assert.Equal([(S(0), 1), (S(0.2), 1), (S(0.4), 1), (S(0.6), 1)], Rounds(sim));
    }

    [Fact]
    public void SpacedBurstAfterATakeoverStartsAtTheTakeover()
    {
        var sim = new InstanceSim(Settings(100) with { GarpRepeat = 3, GarpInterval = S(0.5) });
        sim.Start();
        sim.RunUntil(S(20));
        var t = S(3.609375);
        Assert.Equal([(t, 1), (t + S(0.5), 1), (t + S(1), 1)], Rounds(sim));
    }

    [Fact]
    public void LeavingMasterCancelsTheRestOfABurst()
    {
        var sim = Spaced(repeat: 5, interval: 0.5);
        sim.RunUntil(S(1.2));
        sim.Do((i, now) => i.ForceState(VrrpState.Backup, "sync", now));
        sim.RunUntil(S(3));
        Assert.Equal([S(0), S(0.5), S(1)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void ANewBurstReplacesTheRestOfTheRunningOne()
    {
        var sim = Spaced(repeat: 5, interval: 0.3, masterDelay: S(1));
        sim.RunUntil(S(60));
        Assert.Equal([S(0), S(0.3), S(0.6), S(0.9), S(1), S(1.3), S(1.6), S(1.9), S(2.2)],
            sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void ReassertStartsASpacedBurst()
    {
        var sim = Spaced(repeat: 3, interval: 0.25);
        sim.RunUntil(S(10));
        var cmds = sim.Do((i, now) => i.Reassert(now));
        Assert.Equal(new VrrpCommand[] { new AddAddresses(), new AnnounceAddresses(1) }, cmds);
        sim.RunUntil(S(20));
        Assert.Equal([S(0), S(0.25), S(0.5), S(10), S(10.25), S(10.5)], sim.TimesOf<AnnounceAddresses>());
    }

    [Fact]
    public void LateTimerSendsOneRoundAndKeepsTheSpacing()
    {
        // Adverts every 5 s keep their deadline out of the way.
        var sim = new InstanceSim(Settings(255, advertSeconds: 5) with { GarpRepeat = 3, GarpInterval = S(0.2) });
        sim.Start();
        var cmds = sim.Instance.OnTimer(S(0.9));
        Assert.Equal(new VrrpCommand[] { new AnnounceAddresses(1) }, cmds);
        Assert.Equal(S(1.1), sim.Instance.NextDeadline);
    }
}
