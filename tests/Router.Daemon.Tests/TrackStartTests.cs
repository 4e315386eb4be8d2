using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>
/// A check counts from the daemon's start, before its first run, as in keepalived: an imported keepalived.conf
/// with a positive weight must advertise the same priority as keepalived did from the first advert.
/// </summary>
public sealed class TrackStartTests
{
    private static string Uci(string track) => $"""
        config global 'main'
        	option control_socket '/nonexistent/routerha-track.sock'
        	option syslog '0'

        config instance 'lan'
        	option interface 'lan0'
        	option vrid '51'
        	option priority '150'
        	list vip '{TestPair.Vip}/24'

        config track 'check'
        	option kind 'script'
        	option script '/bin/true'
        	option interval '60'
        {track}

        """;

    private static TestRouter Start(string track)
    {
        var r = new TestRouter("router-a", Uci(track), new FakeLan(), new FakePeerNet(), new ManualClock(), "192.168.1.2");
        r.Daemon.Start();
        return r;
    }

    [Fact]
    public void APositiveWeightRaisesThePriorityFromTheStart()
    {
        using var r = Start("\toption weight '2'");
        Assert.Equal(152, r.Status().Instances.Single().EffectivePriority);
    }

    [Fact]
    public void AWeightZeroInitFailCheckHoldsFaultFromTheStart()
    {
        using var r = Start("\toption init_fail '1'");
        Assert.Equal("FAULT", r.State());
    }

    [Fact]
    public void ANegativeWeightCountsOnlyOnceTheCheckIsDown()
    {
        using var r = Start("\toption weight '-20'");
        Assert.Equal(150, r.Status().Instances.Single().EffectivePriority);
    }
}
