using Router.Core.Config;
using Router.Core.Setup;
using static Router.Core.Tests.Setup.OmrUciSamples;

namespace Router.Core.Tests.Setup;

/// <summary>
/// The two files setup writes on router a and router b, each from its own UCI (same LAN, own address), pair as they
/// are: same VRID and VIP, a higher priority on a, each one's peer path the mirror of the other's, the same key file.
/// </summary>
public class OmrSetupPairTests
{
    private static (string A, string B) Pair(int vrid = 51) =>
        (Generate(GlorytunShadowsocks("192.168.100.1"), 'a', peer: "192.168.100.2", vrid: vrid),
         Generate(GlorytunShadowsocks("192.168.100.2"), 'b', peer: "192.168.100.1", vrid: vrid));

    private static UciDocument Parse(string text)
    {
        var errors = new List<ConfigError>();
        var doc = UciParser.Parse("/etc/config/routerha", text, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return doc;
    }

    [Fact]
    public void TheTwoFilesMirrorEachOtherInTheirUci()
    {
        var (a, b) = Pair(vrid: 60);
        var da = Parse(a);
        var db = Parse(b);
        var ia = UciTree.Named(da, "instance", "lan");
        var ib = UciTree.Named(db, "instance", "lan");
        Assert.Equal(("60", "60"), (UciTree.Value(ia, "vrid"), UciTree.Value(ib, "vrid")));
        Assert.Equal(("150", "100"), (UciTree.Value(ia, "priority"), UciTree.Value(ib, "priority")));
        Assert.Equal(UciTree.Words(ia, "vip").Single().Value, UciTree.Words(ib, "vip").Single().Value);
        var pa = UciTree.Named(da, "peer", "router_b");
        var pb = UciTree.Named(db, "peer", "router_a");
        Assert.Equal("lan 192.168.100.1 192.168.100.2", UciTree.Words(pa, "path").Single().Value);
        Assert.Equal("lan 192.168.100.2 192.168.100.1", UciTree.Words(pb, "path").Single().Value);
        Assert.Equal("/etc/routerha/peer.key", UciTree.Value(pa, "secret_file"));
        Assert.Equal(UciTree.Value(pa, "secret_file"), UciTree.Value(pb, "secret_file"));
        Assert.Equal(UciTree.Value(pa, "fence_window"), UciTree.Value(pb, "fence_window"));
        Assert.NotEqual(UciTree.Value(UciTree.Named(da, "global", "main"), "node_name"), UciTree.Value(UciTree.Named(db, "global", "main"), "node_name"));
    }

    [Fact]
    public void BothFilesPassTheRealConfigLoaderAndPairThere()
    {
        var (a, b) = Pair();
        var ca = Load(a);
        var cb = Load(b);
        var ia = Assert.Single(ca.Instances);
        var ib = Assert.Single(cb.Instances);
        Assert.Equal(ia.Vrrp.Vrid, ib.Vrrp.Vrid);
        Assert.Equal(ia.Vrrp.VirtualAddresses, ib.Vrrp.VirtualAddresses);
        Assert.True(ia.Vrrp.Priority > ib.Vrrp.Priority);
        var pa = Assert.Single(Assert.Single(ca.Peers).Paths);
        var pb = Assert.Single(Assert.Single(cb.Peers).Paths);
        Assert.Equal((pa.Name, pa.Local, pa.Remote), (pb.Name, pb.Remote, pb.Local));
        Assert.Equal(ca.Peers[0].SecretFile, cb.Peers[0].SecretFile);
        Assert.Equal(ca.Actions.Select(x => (x.Name, x.Kind, x.Fenced)), cb.Actions.Select(x => (x.Name, x.Kind, x.Fenced)));
        // check-config would warn of a fence window too short for what a hung peer holds: none here.
        Assert.Empty(Router.Core.Fencing.FenceBudget.Warnings(ca));
        Assert.Empty(Router.Core.Fencing.FenceBudget.Warnings(cb));
    }

    private static RouterConfig Load(string text)
    {
        var errors = new List<ConfigError>();
        // br-lan as on the router: the VIP must lie in its subnet.
        var config = ConfigLoader.LoadText("/etc/config/routerha", text,
            d => d == "br-lan" && Router.Core.Net.IpPrefix.TryParse("192.168.100.1/24", out var p) ? [p] : null, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + text);
        return config!;
    }
}
