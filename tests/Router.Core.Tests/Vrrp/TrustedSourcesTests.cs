using System.Net;
using System.Net.Sockets;
using Router.Core.Vrrp;

namespace Router.Core.Tests.Vrrp;

public class TrustedSourcesTests
{
    private static readonly IPAddress PeerLan = IPAddress.Parse("192.168.1.3");
    private static readonly IPAddress PeerCable = IPAddress.Parse("10.99.0.2");
    private static readonly IPAddress Attacker = IPAddress.Parse("192.168.1.66");
    private static readonly VrrpInstanceSettings Lan = new() { Name = "lan", Vrid = 51 };

    [Fact]
    public void WithoutAPeerChannelAndInMulticastAnyoneIsFollowedAsTheRfcSays()
    {
        var trusted = VrrpTrustedSources.For(Lan, []);
        Assert.Null(trusted);
        Assert.True(VrrpTrustedSources.Allows(trusted, Attacker));
    }

    [Fact]
    public void WithAPeerChannelOnlyThePeersAddressesAreFollowed()
    {
        var trusted = VrrpTrustedSources.For(Lan, [PeerLan, PeerCable, PeerLan]);
        Assert.Equal([PeerLan, PeerCable], trusted);
        Assert.True(VrrpTrustedSources.Allows(trusted, PeerLan));
        Assert.True(VrrpTrustedSources.Allows(trusted, PeerCable));
        Assert.False(VrrpTrustedSources.Allows(trusted, Attacker));
    }

    [Fact]
    public void UnicastModeFollowsOnlyTheConfiguredUnicastPeersWhateverThePeerChannelKnows()
    {
        var unicast = Lan with { UnicastPeers = [PeerLan] };
        var trusted = VrrpTrustedSources.For(unicast, [PeerCable]);
        Assert.Equal([PeerLan], trusted);
        Assert.False(VrrpTrustedSources.Allows(trusted, PeerCable));
        Assert.False(VrrpTrustedSources.Allows(VrrpTrustedSources.For(unicast, []), Attacker));
    }

    [Fact]
    public void AnInstanceOfAFamilyThePeerIsNotKnownInKeepsTheRfcBehaviour()
    {
        // IPv6 adverts come from link-local addresses, which a peer path over IPv4 says nothing about.
        var lan6 = Lan with { Family = AddressFamily.InterNetworkV6 };
        Assert.Null(VrrpTrustedSources.For(lan6, [PeerLan, PeerCable]));
        var peer6 = IPAddress.Parse("fe80::3");
        Assert.Equal([peer6], VrrpTrustedSources.For(lan6, [PeerLan, peer6]));
    }

    [Fact]
    public void AnIpv6SourceMatchesWhateverItsScopeId()
    {
        var configured = IPAddress.Parse("fe80::3");
        var received = IPAddress.Parse("fe80::3%7");
        Assert.True(VrrpTrustedSources.Allows([configured], received));
        Assert.False(VrrpTrustedSources.Allows([configured], IPAddress.Parse("fe80::66%7")));
    }
}
