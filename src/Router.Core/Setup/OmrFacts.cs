using System.Net;
using System.Net.Sockets;
using Router.Core.Config;
using Router.Core.Net;

namespace Router.Core.Setup;

/// <summary>What `routerha setup omr` needs to know about one OpenMPTCProuter box, read from its UCI.</summary>
public sealed record OmrFacts
{
    /// <summary>The LAN's kernel device (br-lan), where the instance runs.</summary>
    public required string LanDevice { get; init; }
    /// <summary>This router's LAN address with the subnet's prefix length (192.168.100.1/24).</summary>
    public required IpPrefix LanAddress { get; init; }
    /// <summary>OpenWrt interfaces that carry the WAN (wan1, wan2, ...), in file order.</summary>
    public required IReadOnlyList<string> Wans { get; init; }
    /// <summary>openmptcprouter.settings.vpn / .proxy; null when none is used.</summary>
    public string? Vpn { get; init; }
    public string? Proxy { get; init; }
    /// <summary>The openmptcprouter `config server` sections (the VPS API client's switches).</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];
    /// <summary>The dhcp section serving the LAN; null when the LAN has no DHCP server here.</summary>
    public string? DhcpSection { get; init; }
}

/// <summary>Reads <see cref="OmrFacts"/> from a UciTree. Problems name file:line and what to do.</summary>
public static class OmrFactsReader
{
    /// <summary>Interfaces that are never a WAN: the LAN, loopback, and OMR's own tunnel interfaces (over the VPN).</summary>
    private static readonly string[] NotWan = ["lan", "loopback", "omrvpn", "omr6in4"];

    private static readonly string[] MultipathOn = ["on", "master", "backup"];

    public static OmrFacts? Read(UciTree tree, string root, List<ConfigError> errors)
    {
        var start = errors.Count;
        var network = Require(tree.Network, root, "network", errors);
        var omr = Require(tree.Omr, root, "openmptcprouter", errors,
            " (this is not an OpenMPTCProuter: on plain OpenWrt write /etc/config/routerha by hand, see docs/configuration.md)");
        if (network is null || omr is null) return null;

        var lan = UciTree.Named(network, "interface", "lan");
        string? device = null;
        IpPrefix? address = null;
        if (lan is null)
            errors.Add(new ConfigError(network.Path, 1, "no `config interface 'lan'`: setup pairs the two routers over their LAN, " +
                                                       "so the LAN must be the OpenWrt interface named lan"));
        else
        {
            device = LanDevice(network, lan, errors);
            address = LanAddress(network, lan, errors);
        }

        var wans = Wans(network, tree.Firewall);
        if (wans.Count == 0)
            errors.Add(new ConfigError(network.Path, 1, "no WAN interface found: none has option multipath on, master or backup, " +
                                                       "and no firewall zone 'wan' lists one; set up the WANs in OMR's wizard first"));

        var settings = UciTree.Named(omr, "settings", "settings");
        var vpn = Setting(omr.Path, settings, "vpn", OmrNames.Tunnels, errors);
        var proxy = Setting(omr.Path, settings, "proxy", OmrNames.Proxies, errors);
        var servers = UciTree.OfType(omr, "server").Select(s => s.Name).OfType<string>().Distinct().ToList();

        var dhcp = DhcpSection(tree.Dhcp, errors);
        if (errors.Count > start) return null;
        return new OmrFacts
        {
            LanDevice = device!,
            LanAddress = address!.Value,
            Wans = wans,
            Vpn = vpn,
            Proxy = proxy,
            Servers = servers,
            DhcpSection = dhcp,
        };
    }

    private static UciDocument? Require(UciDocument? doc, string root, string file, List<ConfigError> errors, string why = "")
    {
        if (doc is null)
            errors.Add(new ConfigError(Path.Join(root, "etc/config", file), 0, $"not found{why}"));
        return doc;
    }

    /// <summary>OpenWrt 21+: option device (br-lan). Older: option ifname, bridged by option type 'bridge' as br-NAME.</summary>
    private static string? LanDevice(UciDocument network, UciSection lan, List<ConfigError> errors)
    {
        string? device;
        if (UciTree.Value(lan, "device") is { } d) device = d;
        else if (UciTree.Value(lan, "type") == "bridge") device = "br-lan";
        else device = UciTree.Words(lan, "ifname").Select(o => o.Value).FirstOrDefault();
        if (device is null)
        {
            errors.Add(new ConfigError(network.Path, lan.Line, "network.lan names no device (option device 'br-lan'): cannot tell where the LAN is"));
            return null;
        }
        if (DeviceName.Problem(device) is { } problem)
        {
            errors.Add(new ConfigError(network.Path, UciTree.Get(lan, "device")?.Line ?? lan.Line,
                $"network.lan device '{device}' is not a kernel device name ({problem}): give the LAN a device such as br-lan"));
            return null;
        }
        return device;
    }

    /// <summary>The first IPv4 address: `list ipaddr 'A/LEN'`, or `option ipaddr 'A'` with `option netmask`.</summary>
    private static IpPrefix? LanAddress(UciDocument network, UciSection lan, List<ConfigError> errors)
    {
        if (UciTree.Value(lan, "proto") is { } proto && proto != "static")
        {
            errors.Add(new ConfigError(network.Path, UciTree.Get(lan, "proto")!.Line,
                $"network.lan is proto '{proto}': each router needs a fixed LAN address (proto static) for the peer channel"));
            return null;
        }
        foreach (var o in UciTree.Words(lan, "ipaddr"))
        {
            if (!IpPrefix.TryParse(o.Value, out var p) || p.Family != AddressFamily.InterNetwork)
            {
                errors.Add(new ConfigError(network.Path, o.Line, $"network.lan ipaddr '{o.Value}' is not an IPv4 address"));
                return null;
            }
            if (o.Value.Contains('/')) return p;
            var mask = UciTree.Get(lan, "netmask");
            if (mask is null) return p with { PrefixLength = 24 };
            if (PrefixOfMask(mask.Value) is { } len) return p with { PrefixLength = len };
            errors.Add(new ConfigError(network.Path, mask.Line, $"network.lan netmask '{mask.Value}' is not a netmask such as 255.255.255.0"));
            return null;
        }
        errors.Add(new ConfigError(network.Path, lan.Line, "network.lan has no IPv4 address (option ipaddr): give each router a fixed LAN address first"));
        return null;
    }

    private static int? PrefixOfMask(string text)
    {
        if (!IPAddress.TryParse(text, out var a) || a.AddressFamily != AddressFamily.InterNetwork) return null;
        var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes());
        var len = System.Numerics.BitOperations.PopCount(bits);
        // Contiguous ones from the top, and a LAN has at least one network bit.
        return len > 0 && bits == uint.MaxValue << (32 - len) ? len : null;
    }

    /// <summary>Interfaces with multipath on/master/backup, or in the firewall zone 'wan'; never the LAN, loopback,
    /// OMR's tunnel interfaces or anything on a tun device.</summary>
    private static List<string> Wans(UciDocument network, UciDocument? firewall)
    {
        var zone = UciTree.OfType(firewall, "zone")
            .Where(z => UciTree.Value(z, "name") == "wan")
            .SelectMany(z => UciTree.Words(z, "network"))
            .Select(o => o.Value)
            .ToHashSet();
        var wans = new List<string>();
        foreach (var s in UciTree.OfType(network, "interface"))
        {
            if (s.Name is not { } name || NotWan.Contains(name) || wans.Contains(name)) continue;
            var dev = UciTree.Value(s, "device") ?? UciTree.Value(s, "ifname") ?? "";
            if (dev.StartsWith("tun", StringComparison.Ordinal) || UciTree.Value(s, "proto") == "6in4") continue;
            if (MultipathOn.Contains(UciTree.Value(s, "multipath")) || zone.Contains(name)) wans.Add(name);
        }
        return wans;
    }

    /// <summary>openmptcprouter.settings.vpn / .proxy: null for none; a value routerha cannot drive is an error.</summary>
    private static string? Setting(string path, UciSection? settings, string option, string[] known, List<ConfigError> errors)
    {
        var o = UciTree.Get(settings, option);
        if (o is null || OmrNames.IsNone(o.Value)) return null;
        if (known.Contains(o.Value)) return o.Value;
        errors.Add(new ConfigError(path, o.Line,
            $"openmptcprouter.settings.{option} is '{o.Value}', which routerha cannot drive (it knows {string.Join(", ", known)}): " +
            $"choose one of those in OMR's settings, or write the {option} action by hand (docs/configuration.md)"));
        return null;
    }

    /// <summary>The dhcp section whose interface is lan; it must be named, since the action names it in uci commands.</summary>
    private static string? DhcpSection(UciDocument? dhcp, List<ConfigError> errors)
    {
        var lan = UciTree.OfType(dhcp, "dhcp").Where(s => UciTree.Value(s, "interface") == "lan").ToList();
        if (lan.Count == 0) return null;
        var s = lan[^1];
        if (s.Name is { } name) return name;
        var index = UciTree.OfType(dhcp, "dhcp").ToList().IndexOf(s);
        errors.Add(new ConfigError(dhcp!.Path, s.Line,
            $"the dhcp section serving lan has no name: name it (uci rename dhcp.@dhcp[{index}]=lan && uci commit dhcp) and run setup again"));
        return null;
    }
}
