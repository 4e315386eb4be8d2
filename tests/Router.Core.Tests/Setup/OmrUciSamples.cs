using Router.Core.Config;
using Router.Core.Setup;

namespace Router.Core.Tests.Setup;

/// <summary>OMR boxes as their /etc/config files look: built from parts so each test changes only what it is about.</summary>
internal static class OmrUciSamples
{
    public static string Lan(string address = "192.168.100.1", string netmask = "255.255.255.0") => $"""
        config interface 'loopback'
        	option device 'lo'
        	option proto 'static'
        	option ipaddr '127.0.0.1'
        	option netmask '255.0.0.0'

        config device
        	option name 'br-lan'
        	option type 'bridge'
        	list ports 'eth0'

        config interface 'lan'
        	option device 'br-lan'
        	option proto 'static'
        	option ipaddr '{address}'
        	option netmask '{netmask}'
        	option multipath 'off'

        """;

    public static string Wan(string name, string device, string multipath) => $"""
        config interface '{name}'
        	option device '{device}'
        	option proto 'dhcp'
        	option multipath '{multipath}'
        	option defaultroute '0'
        	option ip4table 'wan'

        """;

    /// <summary>OMR's own interfaces over the tunnel: never a WAN.</summary>
    public const string Tunnel = """
        config interface 'omrvpn'
        	option device 'tun0'
        	option proto 'none'
        	option multipath 'off'

        config interface 'omr6in4'
        	option proto '6in4'
        	option multipath 'off'

        """;

    public static string Omr(string vpn, string proxy, params string[] servers) =>
        $"""
        config settings 'settings'
        	option master 'wan1'
        	option vpn '{vpn}'
        	option proxy '{proxy}'

        """ + string.Concat(servers.Select(s => $"""
        config server '{s}'
        	option username 'openmptcprouter'
        	option disabled '0'
        	list ip '203.0.113.10'

        """));

    public const string Dhcp = """
        config dnsmasq
        	option leasefile '/tmp/dhcp.leases'

        config dhcp 'lan'
        	option interface 'lan'
        	option start '100'
        	option limit '150'
        	option leasetime '12h'

        config dhcp 'wan1'
        	option interface 'wan1'
        	option ignore '1'

        """;

    public static string WanZone(params string[] networks) =>
        "config zone\n\toption name 'lan'\n\tlist network 'lan'\n\nconfig zone\n\toption name 'wan'\n" +
        string.Concat(networks.Select(n => $"\tlist network '{n}'\n")) + "\n";

    /// <summary>glorytun TCP, shadowsocks, two WANs (master + on), one VPS: OMR's defaults after the wizard.</summary>
    public static UciTree GlorytunShadowsocks(string lanAddress = "192.168.100.1") => Tree(
        Lan(lanAddress) + Wan("wan1", "eth1", "master") + Wan("wan2", "eth2", "on") + Tunnel,
        Dhcp, Omr("glorytun_tcp", "shadowsocks", "vps"), WanZone("wan1", "wan2"));

    public static UciTree Tree(string network, string? dhcp, string? omr, string? firewall)
    {
        var errors = new List<ConfigError>();
        UciDocument? Parse(string file, string? text) => text is null ? null : UciParser.Parse($"/etc/config/{file}", text, errors);
        var tree = new UciTree(Parse("network", network), Parse("dhcp", dhcp), Parse("openmptcprouter", omr), Parse("firewall", firewall));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return tree;
    }

    public static OmrFacts Facts(UciTree tree)
    {
        var errors = new List<ConfigError>();
        var facts = OmrFactsReader.Read(tree, "/", errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return facts!;
    }

    public static List<ConfigError> FactErrors(UciTree tree)
    {
        var errors = new List<ConfigError>();
        Assert.Null(OmrFactsReader.Read(tree, "/", errors));
        return errors;
    }

    public static string Generate(UciTree tree, char router, string vip = "192.168.100.254/24", string? peer = null, int vrid = 51)
    {
        var errors = new List<string>();
        var output = OmrSetup.Generate(Facts(tree), new OmrSetupRequest
        {
            Router = router,
            Vip = vip,
            Peer = peer ?? (router == 'a' ? "192.168.100.2" : "192.168.100.1"),
            Vrid = vrid,
        }, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return output!.Text;
    }
}
