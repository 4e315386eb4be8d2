using System.Net;
using System.Text.RegularExpressions;

namespace Router.LabKit;

/// <summary>
/// The lab LAN: a "switch" namespace holding bridge br0, with one veth port each to router A, router B and
/// a client. Every link is created from inside the namespaces, so no interface ever appears in the host's
/// namespace and fixed names (lan0, pa, pb, pc) cannot collide between runs.
/// </summary>
public sealed partial class LabTopology : IDisposable
{
    public const string LanInterface = "lan0";
    public static readonly IPAddress AddressA = IPAddress.Parse("10.77.0.2");
    public static readonly IPAddress AddressB = IPAddress.Parse("10.77.0.3");
    public static readonly IPAddress AddressClient = IPAddress.Parse("10.77.0.100");
    public static readonly IPAddress Vip4 = IPAddress.Parse("10.77.0.1");
    public static readonly IPAddress Address6A = IPAddress.Parse("fd77::2");
    public static readonly IPAddress Address6B = IPAddress.Parse("fd77::3");
    public static readonly IPAddress Address6Client = IPAddress.Parse("fd77::100");
    public static readonly IPAddress Vip6 = IPAddress.Parse("fd77::1");
    public const string Vip4Cidr = "10.77.0.1/24";
    public const string Vip6Cidr = "fd77::1/64";

    public Netns Switch { get; }
    public Netns RouterA { get; }
    public Netns RouterB { get; }
    public Netns Client { get; }
    /// <summary>Per-topology scratch directory for configs, pid files, sockets; removed on Dispose.</summary>
    public string WorkDir { get; }
    public string MacA { get; }
    public string MacB { get; }

    private readonly List<Netns> _namespaces = [];
    private readonly List<IDisposable> _owned = [];
    private bool _disposed;

    private LabTopology(string baseName, List<Netns> created)
    {
        _namespaces = created;
        Switch = created[0];
        RouterA = created[1];
        RouterB = created[2];
        Client = created[3];
        WorkDir = Directory.CreateTempSubdirectory(baseName + "-").FullName;
        MacA = ReadMac(RouterA);
        MacB = ReadMac(RouterB);
    }

    public static LabTopology Create()
    {
        var baseName = $"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}";
        var created = new List<Netns>();
        try
        {
            foreach (var role in "sabc") created.Add(Netns.Create(baseName + role));
            var sw = created[0];
            // VRRPv3 over IPv6 must send from a link-local address: skip DAD so it is usable at once.
            foreach (var ns in created.Skip(1))
                ns.Sysctl("net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0");
            sw.Ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            sw.Ip("link", "set", "br0", "up");
            string[] ports = ["pa", "pb", "pc"];
            for (var i = 0; i < 3; i++)
            {
                var peer = created[i + 1];
                sw.Ip("link", "add", ports[i], "type", "veth", "peer", "name", LanInterface, "netns", peer.Name);
                sw.Ip("link", "set", ports[i], "master", "br0");
                sw.Ip("link", "set", ports[i], "up");
                peer.Ip("link", "set", LanInterface, "up");
            }
            AddAddresses(created[1], AddressA, Address6A);
            AddAddresses(created[2], AddressB, Address6B);
            AddAddresses(created[3], AddressClient, Address6Client);
            return new LabTopology(baseName, created);
        }
        catch
        {
            foreach (var ns in created) ns.Dispose();
            throw;
        }
    }

    private static void AddAddresses(Netns ns, IPAddress v4, IPAddress v6)
    {
        ns.Ip("addr", "add", $"{v4}/24", "dev", LanInterface);
        ns.Ip("addr", "add", $"{v6}/64", "dev", LanInterface, "nodad");
    }

    /// <summary>Takes ownership: disposed (processes killed) before the namespaces go away.</summary>
    public T Own<T>(T item) where T : IDisposable
    {
        lock (_owned) _owned.Add(item);
        return item;
    }

    public Netns Router(char which) => which switch
    {
        'A' or 'a' => RouterA,
        'B' or 'b' => RouterB,
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    private string SwitchPortOf(Netns router) =>
        router == RouterA ? "pa" : router == RouterB ? "pb" : router == Client ? "pc"
        : throw new ArgumentException("not a namespace of this topology");

    /// <summary>Unplugs / replugs a router's cable at the switch: the router sees carrier loss.</summary>
    public void SetRouterLink(Netns router, bool up) =>
        Switch.Ip("link", "set", SwitchPortOf(router), up ? "up" : "down");

    /// <summary>
    /// Cuts (or restores) every frame between A and B while both still reach the client: bridge port isolation
    /// (isolated ports talk only to non-isolated ones). This is the "LAN split" that makes VRRP see no peer.
    /// </summary>
    public void CutBetweenRouters(bool cut)
    {
        foreach (var port in (string[])["pa", "pb"])
            Shell.Check("bridge", "-n", Switch.Name, "link", "set", "dev", port, "isolated", cut ? "on" : "off");
    }

    public bool HasAddress(Netns ns, IPAddress address)
    {
        var family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var text = ns.Ip(family, "-o", "addr", "show", "dev", LanInterface);
        return text.Contains($" {address}/", StringComparison.Ordinal);
    }

    public void DeleteAddress(Netns ns, string cidr) => ns.Ip("addr", "del", cidr, "dev", LanInterface);

    /// <summary>The MAC the client currently uses for an address (its neighbour table), or null.</summary>
    public string? ClientNeighbourMac(IPAddress address)
    {
        var text = Client.Ip("neigh", "show", address.ToString(), "dev", LanInterface);
        var m = LladdrRegex().Match(text);
        return m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
    }

    /// <summary>"A", "B", or null: which router the client's traffic for the address goes to.</summary>
    public string? WhoAnswers(IPAddress address)
    {
        var mac = ClientNeighbourMac(address);
        return mac == MacA ? "A" : mac == MacB ? "B" : null;
    }

    private static string ReadMac(Netns ns)
    {
        var m = LinkEtherRegex().Match(ns.Ip("link", "show", LanInterface));
        if (!m.Success) throw new InvalidOperationException($"no MAC on {LanInterface} in {ns.Name}");
        return m.Groups[1].Value.ToLowerInvariant();
    }

    [GeneratedRegex(@"lladdr ([0-9a-fA-F:]{17})")]
    private static partial Regex LladdrRegex();

    [GeneratedRegex(@"link/ether ([0-9a-fA-F:]{17})")]
    private static partial Regex LinkEtherRegex();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        List<IDisposable> owned;
        lock (_owned) owned = [.. _owned];
        owned.Reverse();
        foreach (var o in owned)
        {
            try { o.Dispose(); } catch (Exception) { /* keep tearing down the rest */ }
        }
        foreach (var ns in _namespaces) ns.Dispose();
        try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
