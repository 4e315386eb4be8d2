using Router.Core.Config;
using Router.Core.Roles;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>The OMR example in docs/configuration.md loads and plans what the text next to it says.</summary>
public class OmrExampleTests
{
    private static string ExampleBlock()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        var doc = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "configuration.md"));
        var section = doc[doc.IndexOf("## OpenMPTCPRouter pair", StringComparison.Ordinal)..];
        var start = section.IndexOf("```\n", StringComparison.Ordinal) + 4;
        return section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void TheDocumentedOmrPairLoadsAndPlansFenceWanTunnelProxyVpsApiDhcp()
    {
        var c = LoadOk(ExampleBlock());
        Assert.Equal([ActionKind.OpenWrtWan, ActionKind.OmrVpn, ActionKind.OmrProxy, ActionKind.OmrVpsApi, ActionKind.OpenWrtDnsmasq], c.Actions.Select(a => a.Kind));
        var specs = c.Actions.Select(a => a.ToSpec()).ToList();
        // The WAN is fenced by default on OMR (both routers carry the same WAN address): it waits the fence, and
        // leaving MASTER stops it right after the tunnel (DHCP goes first of all, before the peer may start its own).
        Assert.Equal(["fence", "wan", "vpn", "proxy", "vps_api", "dhcp"], RolePlan.For(RoleTarget.Master, specs).Select(s => s.Name));
        Assert.Equal(["dhcp", "vps_api", "proxy", "vpn", "wan"], RolePlan.For(RoleTarget.Backup, specs).Select(s => s.Name));
        Assert.Equal([(TrackKind.Link, -20), (TrackKind.Ping, -50)], c.Tracks.Select(t => (t.Kind, t.Settings.Weight)));
    }
}
