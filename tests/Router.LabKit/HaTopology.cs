using System.Net;

namespace Router.LabKit;

/// <summary>
/// The OpenMPTCPRouter pair lab: the LAN of <see cref="LabTopology"/> (switch, A, B, client) plus, per router, an
/// "ISP" namespace behind a real WAN port, a "VPS" namespace routed behind both ISPs, and a dedicated peer cable
/// between A and B, so the LAN and the peer channel can be cut separately.
/// <code>
///  client ── switch(br0) ── lan0 A ─ peer0 ═══ peer0 ─ B lan0 ── switch
///                           A eth1 ─ isp0 ISP-A up0 ─ ispa VPS ispb ─ up0 ISP-B isp0 ─ eth1 B
/// </code>
/// A router's WAN is macvlan `wan0` on its port `eth1` (as an OpenWrt WAN interface sits on a device): the `link`
/// action switches `wan0`, while `eth1` keeps its carrier for a `link` track, and goes dark when the ISP cuts the line.
/// `wan0` starts DOWN on both routers.
/// </summary>
public sealed class HaTopology : IDisposable
{
    public const string WanInterface = "wan0";
    public const string WanPort = "eth1";
    public const string PeerInterface = "peer0";
    public static readonly IPAddress VpsAddress = IPAddress.Parse("10.83.0.1");
    public static readonly IPAddress PeerLinkA = IPAddress.Parse("10.99.0.1");
    public static readonly IPAddress PeerLinkB = IPAddress.Parse("10.99.0.2");

    public LabTopology Lan { get; }
    public Netns IspA { get; }
    public Netns IspB { get; }
    public Netns Vps { get; }

    private HaTopology(LabTopology lan, Netns ispA, Netns ispB, Netns vps)
    {
        Lan = lan;
        IspA = ispA;
        IspB = ispB;
        Vps = vps;
    }

    public static HaTopology Create()
    {
        var lan = LabTopology.Create();
        try
        {
            // Same run prefix as the LAN namespaces (the exit sweep finds them), own number so names never collide.
            var baseName = $"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}";
            // Owned by the LAN topology: deleted after every process it owns was killed.
            var ispA = lan.Own(Netns.Create(baseName + "x"));
            var ispB = lan.Own(Netns.Create(baseName + "y"));
            var vps = lan.Own(Netns.Create(baseName + "v"));
            var t = new HaTopology(lan, ispA, ispB, vps);
            t.Wire();
            return t;
        }
        catch
        {
            lan.Dispose();
            throw;
        }
    }

    private void Wire()
    {
        Vps.Ip("addr", "add", $"{VpsAddress}/32", "dev", "lo");
        foreach (var which in "AB")
        {
            var router = Router(which);
            var isp = Isp(which);
            var n = which == 'A' ? 1 : 2;
            isp.Sysctl("net.ipv4.ip_forward=1");
            router.Ip("link", "add", WanPort, "type", "veth", "peer", "name", "isp0", "netns", isp.Name);
            router.Ip("link", "add", "link", WanPort, "name", WanInterface, "type", "macvlan", "mode", "bridge");
            router.Ip("addr", "add", $"{WanAddress(which)}/24", "dev", WanInterface);
            router.Ip("link", "set", WanPort, "up");
            isp.Ip("addr", "add", $"{WanGateway(which)}/24", "dev", "isp0");
            isp.Ip("link", "set", "isp0", "up");
            var vpsPort = which == 'A' ? "ispa" : "ispb";
            isp.Ip("link", "add", "up0", "type", "veth", "peer", "name", vpsPort, "netns", Vps.Name);
            isp.Ip("addr", "add", $"10.82.{n}.1/30", "dev", "up0");
            isp.Ip("link", "set", "up0", "up");
            Vps.Ip("addr", "add", $"10.82.{n}.2/30", "dev", vpsPort);
            Vps.Ip("link", "set", vpsPort, "up");
            isp.Ip("route", "add", $"{VpsAddress}/32", "via", $"10.82.{n}.2");
            Vps.Ip("route", "add", $"10.81.{n}.0/24", "via", $"10.82.{n}.1");
        }
        // LAN clients use the VIP as gateway; the routers forward into the tunnel.
        foreach (var ns in (Netns[])[RouterA, RouterB]) ns.Sysctl("net.ipv4.ip_forward=1");
        Client.Ip("route", "add", "default", "via", LabTopology.Vip4.ToString());
        RouterA.Ip("link", "add", PeerInterface, "type", "veth", "peer", "name", PeerInterface, "netns", RouterB.Name);
        RouterA.Ip("addr", "add", $"{PeerLinkA}/30", "dev", PeerInterface);
        RouterB.Ip("addr", "add", $"{PeerLinkB}/30", "dev", PeerInterface);
        SetPeerLink(up: true);
    }

    public Netns RouterA => Lan.RouterA;
    public Netns RouterB => Lan.RouterB;
    public Netns Client => Lan.Client;
    public string WorkDir => Lan.WorkDir;

    public Netns Router(char which) => Lan.Router(which);

    public Netns Isp(char which) => char.ToUpperInvariant(which) switch
    {
        'A' => IspA,
        'B' => IspB,
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    /// <summary>The router's own WAN address: what the VPS sees as the tunnel client's address.</summary>
    public static IPAddress WanAddress(char which) => IPAddress.Parse(char.ToUpperInvariant(which) == 'A' ? "10.81.1.2" : "10.81.2.2");

    public static IPAddress WanGateway(char which) => IPAddress.Parse(char.ToUpperInvariant(which) == 'A' ? "10.81.1.1" : "10.81.2.1");

    /// <summary>"A", "B" or null: whose WAN address this is.</summary>
    public static string? RouterOfWanAddress(IPAddress address) =>
        address.Equals(WanAddress('A')) ? "A" : address.Equals(WanAddress('B')) ? "B" : null;

    public static IPAddress PeerLinkAddress(char which) => char.ToUpperInvariant(which) == 'A' ? PeerLinkA : PeerLinkB;

    /// <summary>Whether the router's WAN interface is administratively up (what the `link` action sets).</summary>
    public bool WanIsUp(char which) => LinkIsAdminUp(Router(which), WanInterface);

    public void SetWan(char which, bool up) => Router(which).Ip("link", "set", WanInterface, up ? "up" : "down");

    /// <summary>The ISP cuts (or restores) the line: the router's WAN port loses carrier, its WAN interface with it.</summary>
    public void SetIspLine(char which, bool up) => Isp(which).Ip("link", "set", "isp0", up ? "up" : "down");

    /// <summary>Unplugs (or replugs) the dedicated peer cable: both ends lose carrier.</summary>
    public void SetPeerLink(bool up)
    {
        foreach (var ns in (Netns[])[RouterA, RouterB]) ns.Ip("link", "set", PeerInterface, up ? "up" : "down");
    }

    /// <summary>Cuts every frame between A and B on the LAN (VRRP adverts and the LAN peer path); the client still reaches both.</summary>
    public void CutLan(bool cut) => Lan.CutBetweenRouters(cut);

    private static bool LinkIsAdminUp(Netns ns, string device)
    {
        var text = ns.Ip("-o", "link", "show", "dev", device);
        var open = text.IndexOf('<', StringComparison.Ordinal);
        var close = text.IndexOf('>', open + 1);
        return open >= 0 && close > open && text[(open + 1)..close].Split(',').Contains("UP");
    }

    /// <summary>One ping from the LAN client to the VPS's tunnel address: through the VIP's router and its tunnel, end to end.</summary>
    public bool ClientReachesVps() =>
        Client.Exec("ping", "-c", "1", "-W", "1", OpenVpnServer.TunnelAddress.ToString()).Ok;

    public T Own<T>(T item) where T : IDisposable => Lan.Own(item);

    public void Dispose() => Lan.Dispose();
}
