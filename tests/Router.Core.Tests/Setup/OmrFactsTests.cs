using Router.Core.Setup;
using static Router.Core.Tests.Setup.OmrUciSamples;

namespace Router.Core.Tests.Setup;

/// <summary>What setup reads from an OMR box's UCI, and what it says when something it needs is missing.</summary>
public class OmrFactsTests
{
    [Fact]
    public void GlorytunAndShadowsocksBoxGivesLanWansVpnProxyServerAndDhcpSection()
    {
        var f = Facts(GlorytunShadowsocks());
        Assert.Equal("br-lan", f.LanDevice);
        Assert.Equal("192.168.100.1/24", f.LanAddress.ToString());
        // omrvpn (tun0) and omr6in4 have multipath off and are not in the wan zone: not WANs.
        Assert.Equal(["wan1", "wan2"], f.Wans);
        Assert.Equal("glorytun_tcp", f.Vpn);
        Assert.Equal("shadowsocks", f.Proxy);
        Assert.Equal(["vps"], f.Servers);
        Assert.Equal("lan", f.DhcpSection);
    }

    [Fact]
    public void OpenvpnAndV2rayBoxWithAnOlderBridgeAndCidrAddress()
    {
        // OpenWrt 19.07 style: the bridge is `option type bridge` + ifname, the address a list entry with its length.
        const string lan = """
            config interface 'lan'
            	option type 'bridge'
            	option ifname 'eth0 eth3'
            	option proto 'static'
            	list ipaddr '10.20.0.1/16'

            """;
        var f = Facts(Tree(lan + Wan("wan1", "eth1", "master") + Tunnel, Dhcp, Omr("openvpn", "v2ray", "vps1", "vps2"), null));
        Assert.Equal("br-lan", f.LanDevice);
        Assert.Equal("10.20.0.1/16", f.LanAddress.ToString());
        Assert.Equal(["wan1"], f.Wans);
        Assert.Equal("openvpn", f.Vpn);
        Assert.Equal("v2ray", f.Proxy);
        Assert.Equal(["vps1", "vps2"], f.Servers);
    }

    [Fact]
    public void ThreeWanBoxFindsMultipathInterfacesAndThoseOnlyInTheWanZone()
    {
        // wan3 has multipath off (a link kept out of the aggregate) but the firewall treats it as WAN: still fenced.
        var network = Lan() + Wan("wan1", "eth1", "master") + Wan("wan2", "eth2", "on") + Wan("wan3", "eth3", "off")
                      + Wan("wan4", "eth4", "backup") + Wan("guest", "eth5", "off") + Tunnel;
        var f = Facts(Tree(network, Dhcp, Omr("glorytun_udp", "none", "vps"), WanZone("wan1", "wan3")));
        Assert.Equal(["wan1", "wan2", "wan3", "wan4"], f.Wans);
        Assert.Equal("glorytun_udp", f.Vpn);
        Assert.Null(f.Proxy);
    }

    [Fact]
    public void AZoneListingItsNetworksInOneOptionCountsToo()
    {
        var firewall = "config zone\n\toption name 'wan'\n\toption network 'wan1 wanb'\n";
        var f = Facts(Tree(Lan() + Wan("wan1", "eth1", "off") + Wan("wanb", "eth2", "off"), Dhcp, Omr("glorytun_tcp", "none"), firewall));
        Assert.Equal(["wan1", "wanb"], f.Wans);
    }

    [Fact]
    public void NotAnOmrBoxWhenOpenmptcprouterIsMissing()
    {
        var e = Assert.Single(FactErrors(Tree(Lan() + Wan("wan1", "eth1", "master"), Dhcp, null, null)));
        Assert.Equal("/etc/config/openmptcprouter", e.Path);
        Assert.Contains("not an OpenMPTCProuter", e.Message);
    }

    [Fact]
    public void NoLanNoWanAndAnUnknownVpnAreEachReportedWithWhatToDo()
    {
        var errors = FactErrors(Tree(Wan("wan1", "eth1", "off"), Dhcp, Omr("wireguard", "shadowsocks"), null));
        Assert.Collection(errors,
            e => Assert.Contains("no `config interface 'lan'`", e.Message),
            e => Assert.Contains("no WAN interface found", e.Message),
            e =>
            {
                Assert.Equal(("/etc/config/openmptcprouter", 3), (e.Path, e.Line));
                Assert.Contains("settings.vpn is 'wireguard', which routerha cannot drive (it knows glorytun_tcp, glorytun_udp, dsvpn, mlvpn, ubond, openvpn)", e.Message);
            });
    }

    [Fact]
    public void ALanWithoutAFixedAddressIsRefused()
    {
        var dhcpLan = "config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'dhcp'\n";
        var e = Assert.Single(FactErrors(Tree(dhcpLan + Wan("wan1", "eth1", "master"), Dhcp, Omr("glorytun_tcp", "none"), null)));
        Assert.Equal(3, e.Line);
        Assert.Contains("proto 'dhcp': each router needs a fixed LAN address", e.Message);

        var noAddress = "config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n";
        Assert.Contains("has no IPv4 address", Assert.Single(FactErrors(Tree(noAddress + Wan("wan1", "eth1", "master"), Dhcp, Omr("glorytun_tcp", "none"), null))).Message);

        var badMask = Lan(netmask: "255.0.255.0") + Wan("wan1", "eth1", "master");
        Assert.Contains("netmask '255.0.255.0' is not a netmask", Assert.Single(FactErrors(Tree(badMask, Dhcp, Omr("glorytun_tcp", "none"), null))).Message);
    }

    [Fact]
    public void AnUnnamedDhcpSectionIsRefusedWithTheRenameCommand()
    {
        var dhcp = "config dnsmasq\n\nconfig dhcp\n\toption interface 'lan'\n";
        var e = Assert.Single(FactErrors(Tree(Lan() + Wan("wan1", "eth1", "master"), dhcp, Omr("glorytun_tcp", "none"), null)));
        Assert.Contains("uci rename dhcp.@dhcp[0]=lan", e.Message);
    }

    [Fact]
    public void NoDhcpOnTheLanLeavesTheDhcpActionOut()
    {
        var f = Facts(Tree(Lan() + Wan("wan1", "eth1", "master"), null, Omr("glorytun_tcp", "none"), null));
        Assert.Null(f.DhcpSection);
    }
}
