using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceMasterTests
{
    private static InstanceSim Master(byte priority = 100, IPAddress? local = null, double advert = 1)
    {
        var sim = new InstanceSim(Settings(priority, advert), local);
        sim.Start();
        sim.RunUntil(sim.Instance.NextDeadline!.Value);
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        return sim;
    }

    [Fact]
    public void MasterAdvertisesEveryInterval()
    {
        var sim = Master(advert: 0.1);
        var t0 = sim.Now;
        sim.RunUntil(t0 + S(1));
        var expected = Enumerable.Range(0, 11).Select(i => t0 + S(0.1 * i)).ToList();
        Assert.Equal(expected, sim.TimesOf<SendAdvertisement>());
        Assert.All(sim.Log.Select(e => e.Command).OfType<SendAdvertisement>(), a => Assert.Equal(100, a.Priority));
        Assert.Equal(11, sim.Instance.Counters.AdvertsSent);
    }

    [Fact]
    public void LateTimerCallsDoNotBurstAdverts()
    {
        var sim = Master();
        var due = sim.Instance.NextDeadline!.Value;
        var cmds = sim.Instance.OnTimer(due + S(5.5));
        Assert.Equal(new VrrpCommand[] { new SendAdvertisement(100) }, cmds);
        Assert.Equal(due + S(6.5), sim.Instance.NextDeadline);
    }

    [Fact]
    public void PriorityZeroFromAnotherRouterIsAnsweredAtOnce()
    {
        var sim = Master();
        var at = sim.Now + S(0.3);
        var cmds = sim.Receive(at, Advert(0));
        Assert.Equal(new VrrpCommand[] { new SendAdvertisement(100) }, cmds);
        Assert.Equal(at + S(1), sim.Instance.NextDeadline);
        Assert.Equal(VrrpState.Master, sim.Instance.State);
    }

    [Fact]
    public void HigherPriorityMasterMakesItBackup()
    {
        var sim = Master();
        var at = sim.Now + S(0.5);
        var cmds = sim.Receive(at, Advert(150, intervalCs: 50));
        Assert.Equal(2, cmds.Count);
        Assert.IsType<RemoveAddresses>(cmds[0]);
        var change = Assert.IsType<StateChanged>(cmds[1]);
        Assert.Equal((VrrpState.Master, VrrpState.Backup), (change.From, change.To));
        Assert.Contains("10.0.0.3", change.Reason);
        Assert.Contains("150", change.Reason);
        Assert.Equal(InstanceSim.Peer, sim.Instance.MasterAddress);
        Assert.Equal(150, sim.Instance.MasterPriority);
        // Master-down armed with the learned interval: 1.5 s + 156/256 * 0.5 s.
        Assert.Equal(at + S(1.8046875), sim.Instance.NextDeadline);
        Assert.Equal(1, sim.Instance.Counters.MasterConflicts);
    }

    [Fact]
    public void EqualPriorityAndGreaterAddressWins()
    {
        var sim = Master(local: IPAddress.Parse("10.0.0.100"));
        var cmds = sim.Receive(sim.Now + S(0.2), Advert(100), IPAddress.Parse("10.0.0.200"));
        var change = Assert.IsType<StateChanged>(cmds[^1]);
        Assert.DoesNotContain(cmds, c => c is SendAdvertisement);
        Assert.Contains("10.0.0.200", change.Reason);
        Assert.Equal(VrrpState.Backup, sim.Instance.State);
    }

    [Fact]
    public void EqualPriorityAndSmallerAddressLoses()
    {
        // 10.0.0.10 > 10.0.0.9 numerically although "10.0.0.10" < "10.0.0.9" as text.
        var sim = Master(local: IPAddress.Parse("10.0.0.10"));
        var start = sim.Now;
        sim.ReceiveEvery(start + S(0.2), start + S(10), S(1), Advert(100), IPAddress.Parse("10.0.0.9"));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        Assert.Equal(10, sim.Instance.Counters.MasterConflicts);
    }

    [Fact]
    public void LowerPriorityAdvertsAreIgnoredAndCounted()
    {
        var sim = Master();
        var start = sim.Now;
        sim.ReceiveEvery(start + S(0.5), start + S(5), S(1), Advert(50));
        Assert.Equal(VrrpState.Master, sim.Instance.State);
        Assert.Equal(5, sim.Instance.Counters.MasterConflicts);
        // the takeover advert and one per second since
        Assert.Equal(5, sim.TimesOf<SendAdvertisement>().Count);
    }

    [Fact]
    public void BackupAgainCanBePreemptedBack()
    {
        var sim = Master();
        var lost = sim.Now + S(0.5);
        sim.Receive(lost, Advert(150));
        // The better master goes away and a worse one shows up: we preempt it.
        sim.ReceiveEvery(lost + S(1), lost + S(20), S(1), Advert(50), IPAddress.Parse("10.0.0.7"));
        Assert.Equal(lost + S(3.609375), sim.BecameMasterAt(lost));
    }
}
