using Router.Core.Config;
using Router.Core.Roles;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>The OMR action kinds (issue 13): omr_vpn, omr_proxy, omr_vps_api, openwrt_dnsmasq's sections and the
/// multipath rules of openwrt_wan, with every mistake reported at its line.</summary>
public class OmrActionConfigTests
{
    /// <summary>A valid instance on lines 1-4; extra lines from line 5 on.</summary>
    private static string Lan(params string[] extra) =>
        string.Join("\n", ["config instance 'lan'", "\toption interface 'br-lan'", "\toption vrid '51'", "\tlist vip '192.168.1.254/24'", .. extra]) + "\n";

    [Fact]
    public void TheOmrKindsLoadFencedInTheAgreedPlanOrder()
    {
        var c = LoadOk(Lan(
            "config action 'dhcp'", "\toption kind 'openwrt_dnsmasq'",
            "config action 'api'", "\toption kind 'omr_vps_api'",
            "config action 'proxy'", "\toption kind 'omr_proxy'",
            "config action 'vpn'", "\toption kind 'omr_vpn'",
            "config action 'wan'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan1'"));
        Assert.Equal([(ActionKind.OpenWrtDnsmasq, 40, false, StepPhase.Dhcp), (ActionKind.OmrVpsApi, 34, true, StepPhase.Tunnel),
            (ActionKind.OmrProxy, 32, true, StepPhase.Tunnel), (ActionKind.OmrVpn, 30, true, StepPhase.Tunnel), (ActionKind.OpenWrtWan, 10, true, StepPhase.Wan)],
            c.Actions.Select(a => (a.Kind, a.Order, a.Fenced, a.Phase)));
        Assert.Equal(["lan"], c.Actions[0].Sections);
        Assert.Equal(["dnsmasq"], c.Actions[0].Services);
        Assert.Equal(((string?)null, (string?)null, 0), (c.Actions[3].Vpn, c.Actions[2].Proxy, c.Actions[1].Servers.Count));
        var specs = c.Actions.Select(a => a.ToSpec()).ToList();
        Assert.Equal(["fence", "wan", "vpn", "proxy", "api", "dhcp"], RolePlan.For(RoleTarget.Master, specs).Select(s => s.Name));
        // Leaving MASTER: DHCP first (before the peer may start its own), then the fenced ones, tunnel side first,
        // the WAN last of them.
        Assert.Equal(["dhcp", "api", "proxy", "vpn", "wan"], RolePlan.For(RoleTarget.Backup, specs).Select(s => s.Name));
    }

    [Fact]
    public void PinnedNamesSectionsAndServersLoad()
    {
        var c = LoadOk(Lan(
            "config action 'dhcp'", "\toption kind 'openwrt_dnsmasq'", "\tlist section 'lan'", "\tlist section 'guest'",
            "config action 'vpn'", "\toption kind 'omr_vpn'", "\toption vpn 'glorytun_udp'",
            "config action 'proxy'", "\toption kind 'omr_proxy'", "\toption proxy 'shadowsocks-rust'", "\toption fenced '0'",
            "config action 'api'", "\toption kind 'omr_vps_api'", "\tlist server 'vps'"));
        Assert.Equal(["lan", "guest"], c.Actions[0].Sections);
        Assert.Equal("glorytun_udp", c.Actions[1].Vpn);
        Assert.Equal(("shadowsocks-rust", StepPhase.Service), (c.Actions[2].Proxy, c.Actions[2].Phase));
        Assert.Equal(["vps"], c.Actions[3].Servers);
    }

    [Theory]
    [InlineData("\toption kind 'omr_vpn'\n\toption vpn 'wireguard'", 7,
        "vpn 'wireguard' is not a vpn routerha knows: one of glorytun_tcp, glorytun_udp, dsvpn, mlvpn, ubond, openvpn (leave it out to follow openmptcprouter.settings.vpn)")]
    [InlineData("\toption kind 'omr_vpn'\n\toption vpn 'glorytun'", 7, "vpn 'glorytun' is not a vpn routerha knows: one of glorytun_tcp, glorytun_udp, dsvpn, mlvpn, ubond, openvpn (did you mean 'glorytun_tcp'?)")]
    [InlineData("\toption kind 'omr_proxy'\n\toption proxy 'socks'", 7, "proxy 'socks' is not a proxy routerha knows: one of shadowsocks, shadowsocks-rust, v2ray, xray")]
    [InlineData("\toption kind 'omr_vps_api'\n\tlist server 'my vps'", 7, "server 'my vps' is not an openmptcprouter server section such as vps")]
    [InlineData("\toption kind 'omr_vps_api'\n\toption server 'vps'", 7, "'server' is a list: write list server '...'")]
    [InlineData("\toption kind 'openwrt_dnsmasq'\n\tlist section 'lan'\n\tlist section 'lan'", 8, "section 'lan' is listed twice")]
    [InlineData("\toption kind 'omr_vpn'\n\tlist section 'lan'", 7, "option 'section' does not apply to kind 'omr_vpn' (it is for openwrt_dnsmasq)")]
    [InlineData("\toption kind 'omr_proxy'\n\toption vpn 'dsvpn'", 7, "option 'vpn' does not apply to kind 'omr_proxy' (it is for omr_vpn)")]
    [InlineData("\toption kind 'openwrt_wan'\n\tlist interface 'wan1'\n\toption multipath_master 'handover'", 8,
        "multipath_master 'handover' is not a multipath value on current OMR (only in old kernels' comments): use one of on, off, master, backup")]
    [InlineData("\toption kind 'openwrt_wan'\n\tlist interface 'wan1'\n\tlist interface 'wan2'\n\toption multipath_master 'master'", 9,
        "multipath_master 'master' would make 2 interfaces multipath master (wan1, wan2): OMR allows one; give that interface an action of its own and 'on' or 'backup' to the others")]
    public void OmrActionMistakesNameTheirLine(string body, int line, string message) =>
        SingleError(Lan("config action 'a'", body), line, message);

    [Fact]
    public void ASecondMultipathMasterInAnotherActionIsRefusedAtItsLine()
    {
        SingleError(Lan(
            "config action 'wan1'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan1'", "\toption multipath_master 'master'",
            "config action 'wan2'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan2'", "\toption multipath_master 'master'"), 12,
            "multipath_master 'master' in action 'wan2' makes a second multipath master besides wan1 (action 'wan1', line 8): OMR allows one");
        // One master while MASTER and another while BACKUP is fine: each role has one.
        LoadOk(Lan(
            "config action 'wan1'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan1'", "\toption multipath_master 'master'", "\toption multipath_backup 'off'",
            "config action 'wan2'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan2'", "\toption multipath_master 'on'", "\toption multipath_backup 'master'"));
    }
}
