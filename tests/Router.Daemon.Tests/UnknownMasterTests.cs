using System.Net;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>A LAN host that is not the peer forges VRRPv3 adverts with priority 255 (VRRP has no authentication): with a
/// peer channel the pair ignores it, keeps serving and says so once; without one the RFC behaviour stays.</summary>
public sealed class UnknownMasterTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.168.1.66");
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");

    /// <summary>One forged advert for VRID 51, priority 255, claiming our VIP, to each router's socket.</summary>
    private static void Forge(TestPair pair, byte priority = 255, IPAddress? source = null)
    {
        var from = source ?? Attacker;
        var adv = new VrrpAdvertisement(VrrpVersion.V3, 51, priority, 100, [IPAddress.Parse(TestPair.Vip)]);
        foreach (var r in pair.Routers)
            r.Socket!.Deliver(new ReceivedVrrp(VrrpCodec.Encode(adv, from, Group), from, Group, 255, r.Socket.InterfaceIndex));
    }

    /// <summary>Forges an advert every <paramref name="every"/> for <paramref name="span"/>, or until <paramref name="stop"/>.</summary>
    private static void Attack(TestPair pair, TimeSpan span, TimeSpan every, Func<bool>? stop = null)
    {
        var end = pair.Now + span;
        while (pair.Now < end && stop?.Invoke() != true)
        {
            Forge(pair);
            pair.RunFor(every);
        }
    }

    private static long Ignored(TestRouter r) => r.Status().Instances.Single().Counters.UnknownMasterAdverts;

    private static string[] Warnings(TestRouter r) => r.Log.Where(l => l.Contains("ignoring VRRP adverts from 192.168.1.66", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void WithAPeerChannelAForgedMasterMovesNeitherRouterAndIsReportedOncePerEpisode()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var transitions = pair.A.Status().Instances.Single().Transitions.Count;

        Attack(pair, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

        Assert.Equal("MASTER", pair.A.State());
        Assert.True(pair.A.HasVip(), "A removed the VIP for a forged master");
        Assert.Equal(transitions, pair.A.Status().Instances.Single().Transitions.Count);
        Assert.Equal("BACKUP", pair.B.State());
        Assert.Equal("192.168.1.2", pair.B.Status().Instances.Single().Master);
        Assert.Equal(10, Ignored(pair.A));
        Assert.Equal(10, Ignored(pair.B));
        Assert.Equal("192.168.1.66", pair.A.Status().Instances.Single().Counters.UnknownMasterLast);
        Assert.Single(Warnings(pair.A));
        var e = Assert.Single(pair.A.Views.Events, e => e.Kind == "unknown_master");
        Assert.Equal("192.168.1.66", e.Fields["source"]);
        Assert.Equal("255", e.Fields["priority"]);
        Assert.Equal("lan", e.Instance);

        // A minute of quiet ends the episode: the next attack is news again.
        pair.RunFor(UnknownMasterWatch.QuietPeriod);
        Attack(pair, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        Assert.Equal(2, Warnings(pair.A).Length);
        Assert.Equal(2, pair.A.Views.Events.Count(e => e.Kind == "unknown_master"));
        Assert.Equal("MASTER", pair.A.State());
    }

    [Fact]
    public void ForgedAdvertsDoNotHoldTheBackupOffWhenTheRealMasterDies()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        Attack(pair, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(0.5));

        // A falls silent on the LAN (adverts gone); the forger keeps claiming priority 255 twice a second.
        var cut = pair.Now;
        pair.Lan.Cut("router-a");
        Attack(pair, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.1), () => pair.B.State() == "MASTER");

        Assert.Equal("MASTER", pair.B.State());
        var masterDown = TimeSpan.FromMilliseconds(pair.B.Status().Instances.Single().MasterDownIntervalMs);
        Assert.True(pair.Now - cut <= masterDown + TimeSpan.FromSeconds(0.1),
            $"B took over {(pair.Now - cut).TotalSeconds:0.###} s after A fell silent (master-down {masterDown.TotalSeconds:0.###} s)");
        Assert.Contains("master down timer expired", pair.B.Status().Instances.Single().Transitions[^1].Reason);
    }

    [Fact]
    public void ThePeersAnnouncedAdvertSourceIsTrustedWhenNoPeerPathRunsOverTheLan()
    {
        // The channel runs over a dedicated cable only: B knows A's LAN address from A's word over the channel.
        using var pair = new TestPair(new PairOptions { LanPath = false, Cable = true });
        pair.StartAndElect();
        Assert.Equal("192.168.1.2", pair.B.Status().Instances.Single().Master);
        Assert.Equal(0, Ignored(pair.B));

        Attack(pair, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        Assert.Equal("MASTER", pair.A.State());
        Assert.Equal("BACKUP", pair.B.State());
        Assert.Equal(5, Ignored(pair.B));
    }

    [Fact]
    public void APeerThatNeverSpokeOverTheChannelIsFollowedByTheRfcRuleSoThereIsOneMasterAndOneTunnel()
    {
        // A cable-only channel that never comes up (a wrong secret, the other protocol version mid-upgrade, the cable
        // unplugged): B cannot learn A's LAN address. Ignoring A's adverts would make B a second MASTER, and after the
        // fence window a second tunnel.
        using var pair = new TestPair(new PairOptions { LanPath = false, Cable = true });
        pair.Peers.Cut("cable");
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(3 * pair.Options.FenceWindowSeconds));

        Assert.Equal("MASTER", pair.A.State());
        Assert.Equal("BACKUP", pair.B.State());
        Assert.Equal("192.168.1.2", pair.B.Status().Instances.Single().Master);
        Assert.DoesNotContain(pair.B.Steps.Started, s => s.Name == "vpn" && s.Direction == Router.Core.Roles.ActionDirection.Start);
        Assert.Equal(0, Ignored(pair.B));
    }

    [Fact]
    public void WithoutAPeerChannelAHigherPriorityAdvertWinsAsTheRfcSays()
    {
        using var pair = new TestPair(new PairOptions { Peer = false, Actions = false });
        pair.StartAndElect();
        Forge(pair);
        pair.Settle();

        Assert.Equal("BACKUP", pair.A.State());
        Assert.False(pair.A.HasVip());
        Assert.Equal("192.168.1.66", pair.A.Status().Instances.Single().Master);
        Assert.Equal(0, Ignored(pair.A));
    }
}
