using System.Net;
using Router.Core.Config;
using Router.Core.Roles;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>"config action" and "config track": what loads, and every mistake reported at its line.</summary>
public class ActionTrackConfigTests
{
    /// <summary>A valid instance on lines 1-4; extra lines from line 5 on.</summary>
    private static string Lan(params string[] extra) =>
        string.Join("\n", ["config instance 'lan'", "\toption interface 'br-lan'", "\toption vrid '51'", "\tlist vip '192.168.1.254/24'", .. extra]) + "\n";

    [Fact]
    public void TheOmrActionsLoadWithTheirDefaultsAndPlanOrder()
    {
        var c = LoadOk(Lan(
            "config action 'dhcp'", "\toption kind 'openwrt_dnsmasq'",
            "config action 'vpn'", "\toption kind 'openwrt_glorytun'", "\tlist service 'glorytun'", "\tlist service 'glorytun-udp'",
            "config action 'wan'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan1'", "\tlist interface 'wan2'",
            "\toption multipath_master 'on'", "\toption timeout '20'", "\toption retries '5'", "\toption retry_delay '0.5'"));
        Assert.Equal(["dhcp", "vpn", "wan"], c.Actions.Select(a => a.Name));
        var dhcp = c.Actions[0];
        Assert.Equal((ActionKind.OpenWrtDnsmasq, 40, false, StepPhase.Dhcp), (dhcp.Kind, dhcp.Order, dhcp.Fenced, dhcp.Phase));
        Assert.Equal(["dnsmasq"], dhcp.Services);
        Assert.Equal((TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(1)), (dhcp.Timeout, dhcp.Retries, dhcp.RetryDelay));
        var vpn = c.Actions[1];
        Assert.Equal((30, true, StepPhase.Tunnel), (vpn.Order, vpn.Fenced, vpn.Phase));
        Assert.Equal(["glorytun", "glorytun-udp"], vpn.Services);
        var wan = c.Actions[2];
        Assert.Equal(["wan1", "wan2"], wan.Interfaces);
        Assert.Equal(("on", (string?)null), (wan.MultipathMaster, wan.MultipathBackup));
        Assert.Equal((TimeSpan.FromSeconds(20), 5, TimeSpan.FromSeconds(0.5)), (wan.Timeout, wan.Retries, wan.RetryDelay));
        Assert.Equal((10, true, StepPhase.Wan), (wan.Order, wan.Fenced, wan.Phase));

        var plan = RolePlan.For(RoleTarget.Master, c.Actions.Select(a => a.ToSpec()).ToList());
        Assert.Equal(["fence", "wan", "vpn", "dhcp"], plan.Select(s => s.Name));
    }

    [Fact]
    public void WanIsFencedByDefaultUnlessOptionFencedZero()
    {
        var c = LoadOk(Lan(
            "config action 'wan'", "	option kind 'openwrt_wan'", "	list interface 'wan1'",
            "config action 'port'", "	option kind 'link'", "	list interface 'eth1'",
            "config action 'shared'", "	option kind 'openwrt_wan'", "	list interface 'wan2'", "	option fenced '0'",
            "config action 'svc'", "	option kind 'command'", "	option start '/bin/true'"));
        Assert.Equal([true, true, false, false], c.Actions.Select(a => a.Fenced));
        var plan = RolePlan.For(RoleTarget.Master, c.Actions.Select(a => a.ToSpec()).ToList());
        Assert.Equal(["fence", "wan", "port", "shared", "svc"], plan.Select(s => s.Name));
    }

    [Fact]
    public void AFencedCommandPairIsATunnelStep()
    {
        var c = LoadOk(Lan("config action 'ovpn'", "\toption kind 'command'", "\toption start '/usr/sbin/openvpn --config /etc/vps.conf'",
            "\toption stop '/bin/kill-ovpn'", "\toption fenced '1'", "\toption order '35'"));
        var a = Assert.Single(c.Actions);
        Assert.Equal(("/usr/sbin/openvpn --config /etc/vps.conf", "/bin/kill-ovpn", StepPhase.Tunnel, 35), (a.Start, a.Stop, a.Phase, a.Order));
    }

    [Fact]
    public void ACommandWithOptionDhcpIsTheDhcpStepThatGetsTheReplicatedLeases()
    {
        var c = LoadOk(Lan("config action 'dns'", "\toption kind 'command'", "\toption start '/usr/sbin/dnsmasq'", "\toption dhcp '1'"));
        Assert.Equal(StepPhase.Dhcp, Assert.Single(c.Actions).Phase);
    }

    [Theory]
    [InlineData("\toption kind 'glorytun'", 6, "kind 'glorytun' must be one of: openwrt_wan, openwrt_glorytun,")]
    [InlineData("\toption order '10'", 5, "action 'a': missing required option 'kind'")]
    [InlineData("\toption kind 'openwrt_wan'", 5, "action 'a': missing 'list interface' (an OpenWrt interface name such as wan1)")]
    [InlineData("\toption kind 'link'\n\tlist interface 'eth1/2'", 7, "interface 'eth1/2' is not a kernel device name such as eth1")]
    [InlineData("\toption kind 'command'", 5, "kind command needs option start and/or option stop")]
    [InlineData("\toption kind 'command'\n\toption start 'openvpn'", 7, "start 'openvpn' must start with an absolute path")]
    [InlineData("\toption kind 'command'\n\toption start '/bin/x'\n\tlist service 'a'", 8, "option 'service' does not apply to kind 'command' (it is for openwrt_glorytun, openwrt_dnsmasq, systemd)")]
    [InlineData("\toption kind 'openwrt_wan'\n\tlist interface 'wan'\n\toption multipath_master 'yes'", 8, "multipath_master 'yes' must be one of: on, off, master, backup")]
    [InlineData("\toption kind 'systemd'\n\tlist service 'a b'", 7, "service 'a b' is not a systemd unit")]
    [InlineData("\toption kind 'conntrackd'\n\toption config 'conntrackd.conf'", 7, "config 'conntrackd.conf' must be an absolute path")]
    [InlineData("\toption kind 'openwrt_dnsmasq'\n\toption retries '-1'", 7, "retries '-1' is not a whole number")]
    [InlineData("\toption kind 'link'\n\tlist interface 'eth1'\n\toption dhcp '1'", 8, "option 'dhcp' does not apply to kind 'link'")]
    public void ActionMistakesNameTheirLine(string body, int line, string message) =>
        SingleError(Lan("config action 'a'", body), line, message);

    [Fact]
    public void ActionNamesAreRequiredAndUnique()
    {
        SingleError(Lan("config action", "\toption kind 'openwrt_dnsmasq'"), 5, "'config action' needs a name");
        SingleError(Lan("config action 'a'", "\toption kind 'openwrt_dnsmasq'", "config action 'a'", "\toption kind 'openwrt_dnsmasq'"), 7,
            "duplicate action name 'a' (first at line 5)");
    }

    [Fact]
    public void TracksLoadWithKeepalivedDefaults()
    {
        var c = LoadOk(Lan(
            "config track 'vps'", "\toption kind 'ping'", "\toption host '203.0.113.9'", "\toption interface 'tun0'",
            "\toption interval '1'", "\toption timeout '0.5'", "\toption rise '3'", "\toption fall '2'", "\toption weight '-30'", "\tlist instance 'lan'",
            "config track 'glorytun'", "\toption kind 'process'", "\toption name 'glorytun'",
            "config track 'api'", "\toption kind 'tcp'", "\toption host '::1'", "\toption port '443'", "\toption weight '+5'"));
        var vps = c.Tracks[0];
        Assert.Equal((TrackKind.Ping, IPAddress.Parse("203.0.113.9"), "tun0"), (vps.Kind, vps.Host, vps.Interface));
        var s = vps.Settings;
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5), 3, 2, -30), (s.Interval, s.Timeout, s.Rise, s.Fall, s.Weight));
        Assert.Equal(["lan"], s.Instances);
        var g = c.Tracks[1].Settings;
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1, 1, 0, false), (g.Interval, g.Timeout, g.Rise, g.Fall, g.Weight, g.InitFail));
        Assert.Equal("glorytun", c.Tracks[1].ProcessName);
        Assert.Empty(g.Instances);
        Assert.Equal((443, 5), (c.Tracks[2].Port, c.Tracks[2].Settings.Weight));
    }

    [Theory]
    [InlineData("\toption kind 'ping'", 5, "track 't': missing required option 'host'")]
    [InlineData("\toption kind 'link'", 5, "track 't': missing required option 'interface'")]
    [InlineData("\toption kind 'tcp'\n\toption host '10.0.0.1'", 5, "kind tcp needs option port")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\toption weight '254'", 8, "weight '254' must be a whole number in -253..253")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\toption weight '--5'", 8, "weight '--5' must be a whole number")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\toption source 'fd00::1'", 8, "source fd00::1 and host 10.0.0.1 are of different address families")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\toption interval '1'\n\toption timeout '2'", 9, "timeout 2 is longer than the interval (1 s)")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\tlist instance 'lna'", 8, "track 't': no instance named 'lna' (did you mean 'lan'?)")]
    [InlineData("\toption kind 'process'", 5, "kind process needs exactly one of option pidfile (a path) or option name")]
    [InlineData("\toption kind 'process'\n\toption name 'a'\n\toption pidfile '/run/a.pid'", 5, "needs exactly one of option pidfile")]
    [InlineData("\toption kind 'script'\n\toption script 'check.sh'", 7, "script 'check.sh' must start with an absolute path")]
    [InlineData("\toption kind 'link'\n\toption interface 'eth1'\n\toption host '10.0.0.1'", 8, "option 'host' does not apply to kind 'link' (it is for ping, tcp)")]
    [InlineData("\toption kind 'ping'\n\toption host '10.0.0.1'\n\toption rise '0'", 8, "rise 0 out of range 1..1000")]
    public void TrackMistakesNameTheirLine(string body, int line, string message) =>
        SingleError(Lan("config track 't'", body), line, message);
}
