using System.Net;
using System.Net.Sockets;
using System.Text;
using Router.Core.Net;
using Router.Core.Vrrp;

namespace Router.Core.Config;

/// <summary>An instance as read, with what the cross-section checks (duplicate VRIDs) need to know.</summary>
internal sealed record LoadedInstance(InstanceConfig Config, UciOption? VridOption, AddressFamily? Family);

/// <summary>Validates one "config instance" section.</summary>
internal static class InstanceLoader
{
    public static LoadedInstance Load(SectionReader r, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses)
    {
        var section = r.Section;
        var device = Device(r);

        var vridOption = r.Get("vrid");
        if (vridOption is null)
            r.Error(section.Line, $"{r.Label}: missing required option 'vrid' (1..255, the same on both routers)");
        var vrid = r.Int("vrid", 1, 255);

        var version = Version(r);
        var interval = AdvertInterval(r, version);

        var (vips, vipOptions, family) = VirtualPrefixes(r);
        if (version == VrrpVersion.V2 && family == AddressFamily.InterNetworkV6)
            r.Error(r.Get("version")!.Line, "version 2 supports IPv4 only, but the vips are IPv6 (use version 3)");
        if (device is not null && family is not null)
            CheckSubnets(r, device, vips, vipOptions, interfaceAddresses(device));

        var source = r.Get("unicast_src") is { } srcOption ? SameFamily(r, srcOption, family) : null;
        var peers = Peers(r, family, source);
        var (authType, authData) = Authentication(r, version);
        // Linux answers for any address on the interface; refusing non-owner traffic would need a firewall
        // rule that routerha does not install. Saying so beats silently ignoring a request for strict mode.
        var accept = r.Bool("accept", true);
        if (!accept)
            r.Error(r.Get("accept")!.Line, "accept '0' (RFC 5798 strict Accept_Mode) is not supported: the MASTER always accepts traffic to its VIPs, as keepalived does without vrrp_strict");

        var settings = new VrrpInstanceSettings
        {
            Name = section.Name ?? "",
            Vrid = (byte)(vrid ?? 0),
            Version = version ?? VrrpVersion.V3,
            Family = family ?? AddressFamily.InterNetwork,
            Priority = (byte)(r.Int("priority", 1, 255) ?? 100),
            AdvertInterval = interval,
            Preempt = r.Bool("preempt", true),
            PreemptDelay = r.Seconds("preempt_delay", TimeSpan.Zero, 0, 1000),
            Accept = accept,
            VirtualAddresses = IpPrefix.Addresses(vips),
            AuthType = authType,
            AuthData = authData,
            UnicastPeers = peers,
            GarpRepeat = r.Int("garp_repeat", 1, 100) ?? 5,
            GarpInterval = r.Seconds("garp_interval", TimeSpan.Zero, 0, 60),
            GarpMasterDelay = r.Seconds("garp_master_delay", TimeSpan.FromSeconds(5), 0, 3600),
            GarpRefresh = r.Seconds("garp_refresh", TimeSpan.Zero, 0, 86400),
        };
        var config = new InstanceConfig
        {
            Vrrp = settings,
            Interface = device ?? "",
            VirtualPrefixes = vips,
            SourceAddress = source,
            Notify = new NotifyConfig
            {
                Notify = r.AbsolutePath("notify"),
                NotifyMaster = r.AbsolutePath("notify_master"),
                NotifyBackup = r.AbsolutePath("notify_backup"),
                NotifyFault = r.AbsolutePath("notify_fault"),
                NotifyStop = r.AbsolutePath("notify_stop"),
            },
            Line = section.Line,
        };
        return new LoadedInstance(config, vrid is null ? null : vridOption, family);
    }

    private static string? Device(SectionReader r)
    {
        if (r.Get("interface") is not { } o)
        {
            r.Error(r.Section.Line, $"{r.Label}: missing required option 'interface' (the kernel device, e.g. br-lan)");
            return null;
        }
        var name = o.Value;
        var problem = DeviceName.Problem(name);
        if (problem is null) return name;
        r.Error(o.Line, $"interface '{name}' is not a valid device name: {problem}");
        return null;
    }

    private static VrrpVersion? Version(SectionReader r)
    {
        if (r.Get("version") is not { } o) return VrrpVersion.V3;
        switch (o.Value)
        {
            case "2": return VrrpVersion.V2;
            case "3": return VrrpVersion.V3;
            default:
                r.Error(o.Line, $"version '{o.Value}' must be 2 or 3");
                return null;
        }
    }

    private static TimeSpan AdvertInterval(SectionReader r, VrrpVersion? version)
    {
        var fallback = TimeSpan.FromSeconds(1);
        if (r.RawSeconds("advert_interval") is not { } v) return fallback;
        var o = r.Get("advert_interval")!;
        if (version == VrrpVersion.V2)
        {
            // RFC 3768 carries the interval as whole seconds in one octet.
            if (v != decimal.Truncate(v))
                r.Error(o.Line, $"advert_interval {o.Value}: version 2 only supports whole seconds (1..255)");
            else if (v is < 1 or > 255)
                r.Error(o.Line, $"advert_interval {o.Value} out of range 1..255 seconds (version 2)");
            else return SectionReader.ToTimeSpan(v);
        }
        else if (version == VrrpVersion.V3)
        {
            // RFC 5798 carries centiseconds in 12 bits: 0.01 .. 40.95 s.
            if (v is < 0.01m or > 40.95m)
                r.Error(o.Line, $"advert_interval {o.Value} out of range 0.01..40.95 seconds");
            else if (v * 100 != decimal.Truncate(v * 100))
                r.Error(o.Line, $"advert_interval {o.Value} is not a multiple of 0.01 seconds (VRRPv3 counts hundredths)");
            else return SectionReader.ToTimeSpan(v);
        }
        return fallback;
    }

    private static (List<IpPrefix> Prefixes, List<UciOption> Options, AddressFamily? Family) VirtualPrefixes(SectionReader r)
    {
        var prefixes = new List<IpPrefix>();
        var options = new List<UciOption>();
        AddressFamily? family = null;
        UciOption? firstOption = null;
        var entries = r.GetList("vip");
        if (entries.Count == 0)
            r.Error(r.Section.Line, $"{r.Label} has no 'list vip': at least one virtual address is required");
        foreach (var o in entries)
        {
            if (!IpPrefix.TryParse(o.Value, out var p))
            {
                r.Error(o.Line, $"vip '{o.Value}' is not an address (ADDR or ADDR/LEN, e.g. 192.168.1.254/24)");
                continue;
            }
            if (!IsUsableUnicast(p.Address))
            {
                r.Error(o.Line, $"vip '{o.Value}' is not a usable unicast address");
                continue;
            }
            if (family is null)
            {
                family = p.Family;
                firstOption = o;
            }
            else if (p.Family != family)
            {
                r.Error(o.Line, $"vip '{o.Value}' is {FamilyName(p.Family)} but the first vip '{firstOption!.Value}' (line {firstOption.Line}) is {FamilyName(family.Value)}: one instance carries one address family (add a second instance)");
                continue;
            }
            if (IpPrefix.AnyWithAddress(prefixes, p.Address))
            {
                r.Error(o.Line, $"vip {p.Address} is listed twice");
                continue;
            }
            prefixes.Add(p);
            options.Add(o);
        }
        return (prefixes, options, family);
    }

    private static void CheckSubnets(SectionReader r, string device, List<IpPrefix> vips, List<UciOption> options, IReadOnlyList<IpPrefix>? deviceAddresses)
    {
        // No such device here: check-config on another machine. The daemon re-checks on the router itself.
        if (deviceAddresses is null) return;
        for (var i = 0; i < vips.Count; i++)
        {
            var vip = vips[i];
            // Link-local addresses are valid on every link; they need no matching prefix.
            if (vip.Address.IsIPv6LinkLocal) continue;
            var sameFamily = new List<IpPrefix>();
            var inside = false;
            foreach (var a in deviceAddresses)
            {
                if (a.Family != vip.Family) continue;
                sameFamily.Add(a);
                inside |= a.Contains(vip.Address);
            }
            if (inside) continue;
            r.Error(options[i].Line, sameFamily.Count == 0
                ? $"vip {vip.Address} is outside every subnet of {device}: it has no {FamilyName(vip.Family)} address"
                : $"vip {vip.Address} is outside the subnets of {device} ({string.Join(", ", sameFamily)})");
        }
    }

    private static IPAddress? SameFamily(SectionReader r, UciOption o, AddressFamily? family)
    {
        if (r.Address(o) is not { } a) return null;
        if (!IsUsableUnicast(a))
        {
            r.Error(o.Line, $"{o.Name} '{o.Value}' is not a usable unicast address");
            return null;
        }
        if (family is not null && a.AddressFamily != family)
        {
            r.Error(o.Line, $"{o.Name} '{o.Value}' is {FamilyName(a.AddressFamily)} but the vips are {FamilyName(family.Value)}");
            return null;
        }
        return a;
    }

    private static List<IPAddress> Peers(SectionReader r, AddressFamily? family, IPAddress? source)
    {
        var peers = new List<IPAddress>();
        foreach (var o in r.GetList("unicast_peer"))
        {
            if (SameFamily(r, o, family) is not { } a) continue;
            if (peers.Contains(a))
                r.Error(o.Line, $"unicast_peer {a} is listed twice");
            else if (a.Equals(source))
                r.Error(o.Line, $"unicast_peer {a} is this router's own unicast_src");
            else
                peers.Add(a);
        }
        return peers;
    }

    private static (VrrpAuthType, byte[]?) Authentication(SectionReader r, VrrpVersion? version)
    {
        var typeOption = r.Get("auth_type");
        var passOption = r.Get("auth_pass");
        var type = VrrpAuthType.None;
        if (typeOption is not null)
        {
            switch (typeOption.Value.ToLowerInvariant())
            {
                case "none": break;
                case "pass": type = VrrpAuthType.Pass; break;
                case "ah":
                    r.Error(typeOption.Line, "auth_type 'ah' is not supported (use 'pass' with version 2, or 'none')");
                    return (VrrpAuthType.None, null);
                default:
                    r.Error(typeOption.Line, $"auth_type '{typeOption.Value}' must be none or pass");
                    return (VrrpAuthType.None, null);
            }
        }
        if (passOption is not null)
        {
            if (typeOption is not null && type == VrrpAuthType.None)
            {
                r.Error(passOption.Line, "auth_pass is set but auth_type is 'none' (remove one of them)");
                return (VrrpAuthType.None, null);
            }
            type = VrrpAuthType.Pass;
        }
        if (type == VrrpAuthType.None) return (type, null);

        if (version == VrrpVersion.V3)
        {
            var o = passOption ?? typeOption!;
            r.Error(o.Line, $"{o.Name} requires version 2: VRRPv3 has no authentication (remove it, or set option version '2' on both routers)");
            return (VrrpAuthType.None, null);
        }
        if (passOption is null)
        {
            r.Error(typeOption!.Line, "auth_type 'pass' needs option auth_pass (1..8 characters)");
            return (VrrpAuthType.None, null);
        }
        var bytes = Encoding.UTF8.GetBytes(passOption.Value);
        if (bytes.Length is < 1 or > 8)
        {
            r.Error(passOption.Line, $"auth_pass must be 1..8 characters (got {bytes.Length})");
            return (VrrpAuthType.None, null);
        }
        // The v2 authentication field is 8 octets; shorter passwords are NUL padded on the wire.
        var data = new byte[8];
        bytes.CopyTo(data, 0);
        return (type, data);
    }

    private static bool IsUsableUnicast(IPAddress a)
    {
        if (IPAddress.IsLoopback(a)) return false;
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
            return !a.Equals(IPAddress.IPv6Any) && !a.IsIPv6Multicast;
        Span<byte> b = stackalloc byte[4];
        a.TryWriteBytes(b, out _);
        return !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.Broadcast) && b[0] is < 224 or > 239;
    }

    public static string FamilyName(AddressFamily f) => f == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
