using Router.Core.Config;
using Router.Core.Setup;
using static Router.Core.Tests.Setup.OmrUciSamples;

namespace Router.Core.Tests.Setup;

/// <summary>The file `routerha setup omr` writes: the agreed OMR action kinds, the addresses checked, and its header.</summary>
public class OmrSetupTests
{
    private static UciDocument Parsed(string text)
    {
        var errors = new List<ConfigError>();
        var doc = UciParser.Parse("/etc/config/routerha", text, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return doc;
    }

    private static List<(string Name, string Kind)> Actions(UciDocument doc) =>
        UciTree.OfType(doc, "action").Select(s => (s.Name!, UciTree.Value(s, "kind")!)).ToList();

    private static List<string> List(UciSection? s, string option) => UciTree.Words(s, option).Select(o => o.Value).ToList();

    [Fact]
    public void GlorytunShadowsocksBoxGetsWanVpnProxyVpsApiAndDhcpActionsAndReplicatedLeases()
    {
        var doc = Parsed(Generate(GlorytunShadowsocks(), 'a'));
        Assert.Equal([("wan", "openwrt_wan"), ("vpn", "omr_vpn"), ("proxy", "omr_proxy"), ("vps_api", "omr_vps_api"), ("dhcp", "openwrt_dnsmasq")],
            Actions(doc));
        Assert.Equal(["wan1", "wan2"], List(UciTree.Named(doc, "action", "wan"), "interface"));
        Assert.Equal(["lan"], List(UciTree.Named(doc, "action", "dhcp"), "section"));
        // The tunnel and proxy follow OMR's settings at run time: not pinned, so a change in OMR's wizard is followed.
        Assert.Null(UciTree.Value(UciTree.Named(doc, "action", "vpn"), "vpn"));
        Assert.Null(UciTree.Value(UciTree.Named(doc, "action", "proxy"), "proxy"));
        Assert.Equal("/tmp/dhcp.leases", UciTree.Value(UciTree.OfType(doc, "leases").Single(), "lease_file"));
        var instance = UciTree.Named(doc, "instance", "lan");
        Assert.Equal("br-lan", UciTree.Value(instance, "interface"));
        Assert.Equal(["192.168.100.254/24"], List(instance, "vip"));
        Assert.Equal("1", UciTree.Value(UciTree.Named(doc, "global", "main"), "enabled"));
    }

    [Fact]
    public void OpenvpnWithoutProxyOrServerLeavesThoseActionsOut()
    {
        var tree = Tree(Lan("192.168.100.2") + Wan("wan1", "eth1", "master") + Tunnel, Dhcp, Omr("openvpn", "none"), null);
        Assert.Equal([("wan", "openwrt_wan"), ("vpn", "omr_vpn"), ("dhcp", "openwrt_dnsmasq")], Actions(Parsed(Generate(tree, 'b'))));
    }

    [Fact]
    public void ThreeWanBoxFencesEveryWanInOneAction()
    {
        var tree = Tree(Lan() + Wan("wan1", "eth1", "master") + Wan("wan2", "eth2", "on") + Wan("wan3", "eth3", "backup"),
            Dhcp, Omr("glorytun_tcp", "xray", "vps"), null);
        var doc = Parsed(Generate(tree, 'a'));
        Assert.Equal(["wan1", "wan2", "wan3"], List(UciTree.Named(doc, "action", "wan"), "interface"));
        // multipath is left as OMR set it: only one interface may be master, and it already is.
        Assert.Null(UciTree.Value(UciTree.Named(doc, "action", "wan"), "multipath_master"));
    }

    [Theory]
    [InlineData("192.168.100.1/24", "is this router's own LAN address")]
    [InlineData("192.168.100.2", "is the other router's LAN address (--peer)")]
    [InlineData("192.168.1.254/24", "is not a host of the LAN 192.168.100.0/24")]
    [InlineData("192.168.100.255", "is not a host of the LAN 192.168.100.0/24")]
    [InlineData("192.168.100.254/16", "has prefix /16 but the LAN is 192.168.100.0/24")]
    [InlineData("fd00::1/64", "is not an IPv4 address")]
    public void AVipNeitherRouterMayHaveOrOutsideTheLanIsRefusedWithAnExample(string vip, string problem)
    {
        var errors = new List<string>();
        Assert.Null(OmrSetup.Generate(Facts(GlorytunShadowsocks()), new OmrSetupRequest { Router = 'a', Vip = vip, Peer = "192.168.100.2" }, errors));
        var e = Assert.Single(errors);
        Assert.Contains(problem, e);
        Assert.Contains("192.168.100.254/24", e);
    }

    [Theory]
    [InlineData("192.168.100.1", "this router's own LAN address")]
    [InlineData("10.0.0.2", "is not a host of this router's LAN 192.168.100.0/24")]
    [InlineData("router-b", "is not an IPv4 address")]
    public void APeerThatIsNotAnotherHostOfTheLanIsRefused(string peer, string problem)
    {
        var errors = new List<string>();
        Assert.Null(OmrSetup.Generate(Facts(GlorytunShadowsocks()), new OmrSetupRequest { Router = 'a', Vip = "192.168.100.254", Peer = peer }, errors));
        Assert.Contains(problem, Assert.Single(errors));
    }

    [Fact]
    public void AVipWithoutLengthTakesTheLans()
    {
        var doc = Parsed(Generate(GlorytunShadowsocks(), 'a', vip: "192.168.100.200"));
        Assert.Equal(["192.168.100.200/24"], List(UciTree.Named(doc, "instance", "lan"), "vip"));
    }

    [Fact]
    public void TheHeaderTellsUnchangedOutputFromAnEditedFile()
    {
        var text = Generate(GlorytunShadowsocks(), 'a');
        Assert.StartsWith("# Written by `routerha setup omr --router a` (fnv1a64 ", text, StringComparison.Ordinal);
        Assert.True(SetupHeader.IsUnchangedOutput(text));
        Assert.True(SetupHeader.IsUnchangedOutput(text.Replace("\n", "\r\n", StringComparison.Ordinal)));
        Assert.False(SetupHeader.IsUnchangedOutput(text.Replace("option priority '150'", "option priority '200'", StringComparison.Ordinal)));
        Assert.False(SetupHeader.IsUnchangedOutput(text[(text.IndexOf('\n') + 1)..]));
        // The shipped default has no such header: not setup's output (the daemon side recognises it by content).
        Assert.False(SetupHeader.IsUnchangedOutput("config global 'main'\n\toption enabled '0'\n"));
    }

    [Fact]
    public void TheFenceWindowCoversWhatAHungPeerMayHoldWithEveryFencedAction()
    {
        // watchdog 10 + kill 15 + respawn 5 + 4 fenced actions x (10 s x 2 attempts + 1 s backoff) = 114 s -> 115.
        Assert.Equal(115, OmrSetup.FenceWindowSeconds(Facts(GlorytunShadowsocks())));
        var doc = Parsed(Generate(GlorytunShadowsocks(), 'a'));
        Assert.Equal("115", UciTree.Value(UciTree.Named(doc, "peer", "router_b"), "fence_window"));
    }
}
