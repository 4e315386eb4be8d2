using System.Text.RegularExpressions;

namespace Router.Core.Config;

/// <summary>Validates the "config action" sections.</summary>
internal static partial class ActionLoader
{
    public static readonly string[] Kinds =
        ["openwrt_wan", "openwrt_glorytun", "openwrt_dnsmasq", "link", "systemd", "command", "conntrackd", "omr_vpn", "omr_proxy", "omr_vps_api"];

    /// <summary>OMR's values for network.IFACE.multipath (netifd / the MPTCP hotplug; `handover` is gone).</summary>
    public static readonly string[] MultipathValues = ["on", "off", "master", "backup"];

    public static readonly string[] CommonOptions = ["kind", "order", "timeout", "retries", "retry_delay", "fenced"];

    /// <summary>The kinds whose options include this one. A loop, not LINQ over the KeyValuePair struct
    /// (binary size: toolchain/README.md, "Size options").</summary>
    internal static List<string> KindsTaking(Dictionary<string, string[]> kindOptions, string option)
    {
        var kinds = new List<string>();
        foreach (var (kind, options) in kindOptions)
        {
            if (options.Contains(option)) kinds.Add(kind);
        }
        return kinds;
    }

    /// <summary>Options that only make sense for some kinds.</summary>
    private static readonly Dictionary<string, string[]> KindOptions = new()
    {
        ["openwrt_wan"] = ["interface", "multipath_master", "multipath_backup"],
        ["openwrt_glorytun"] = ["service"],
        ["openwrt_dnsmasq"] = ["service", "section"],
        ["link"] = ["interface"],
        ["systemd"] = ["service", "dhcp"],
        ["command"] = ["start", "stop", "dhcp", "check"],
        ["conntrackd"] = ["config", "binary"],
        ["omr_vpn"] = ["vpn"],
        ["omr_proxy"] = ["proxy"],
        ["omr_vps_api"] = ["server"],
    };

    public static List<ActionConfig> Load(IReadOnlyList<SectionReader> sections)
    {
        var result = new List<ActionConfig>();
        var wans = new List<(SectionReader Reader, ActionConfig Action)>();
        var seen = new Dictionary<string, int>();
        foreach (var r in sections)
        {
            var s = r.Section;
            if (s.Name is null)
                r.Error(s.Line, "'config action' needs a name, e.g. config action 'wan'");
            else if (seen.TryGetValue(s.Name, out var firstLine))
                r.Error(s.Line, $"duplicate action name '{s.Name}' (first at line {firstLine})");
            else
                seen[s.Name] = s.Line;
            if (r.Get("kind") is null)
            {
                r.Error(s.Line, $"{r.Label}: missing required option 'kind' ({string.Join(", ", Kinds)})");
                continue;
            }
            var kindText = r.Choice("kind", "", Kinds);
            if (kindText.Length == 0) continue;
            RejectForeignOptions(r, kindText);
            var action = LoadOne(r, kindText);
            if (action.Kind == ActionKind.OpenWrtWan) wans.Add((r, action));
            result.Add(action);
        }
        OneMultipathMaster(wans, "multipath_master", a => a.MultipathMaster);
        OneMultipathMaster(wans, "multipath_backup", a => a.MultipathBackup);
        return result;
    }

    /// <summary>OMR's MPTCP hotplug refuses a second `master` interface ("Multipath master already set"), so one
    /// role's values may name at most one, within one action (it applies to each of its interfaces) or across them.</summary>
    private static void OneMultipathMaster(List<(SectionReader Reader, ActionConfig Action)> wans, string option, Func<ActionConfig, string?> value)
    {
        var first = (string?)null;
        foreach (var (r, a) in wans)
        {
            if (value(a) != "master" || r.Get(option) is not { } o) continue;
            if (a.Interfaces.Count > 1)
                r.Error(o.Line, $"{option} 'master' would make {a.Interfaces.Count} interfaces multipath master ({string.Join(", ", a.Interfaces)}): " +
                                "OMR allows one; give that interface an action of its own and 'on' or 'backup' to the others");
            else if (first is not null)
                r.Error(o.Line, $"{option} 'master' in {r.Label} makes a second multipath master besides {first}: OMR allows one");
            else if (a.Interfaces.Count == 1)
                first = $"{a.Interfaces[0]} ({r.Label}, line {o.Line})";
        }
    }

    private static ActionConfig LoadOne(SectionReader r, string kindText)
    {
        var kind = kindText switch
        {
            "openwrt_wan" => ActionKind.OpenWrtWan,
            "openwrt_glorytun" => ActionKind.OpenWrtGlorytun,
            "openwrt_dnsmasq" => ActionKind.OpenWrtDnsmasq,
            "link" => ActionKind.Link,
            "systemd" => ActionKind.Systemd,
            "command" => ActionKind.Command,
            "omr_vpn" => ActionKind.OmrVpn,
            "omr_proxy" => ActionKind.OmrProxy,
            "omr_vps_api" => ActionKind.OmrVpsApi,
            _ => ActionKind.Conntrackd,
        };
        var config = new ActionConfig
        {
            Name = r.Section.Name ?? "",
            Kind = kind,
            Order = r.Int("order", 0, 1000) ?? DefaultOrder(kind),
            Timeout = r.Seconds("timeout", TimeSpan.FromSeconds(10), 0.1m, 3600),
            Retries = r.Int("retries", 0, 100) ?? 2,
            RetryDelay = r.Seconds("retry_delay", TimeSpan.FromSeconds(1), 0, 3600),
            Fenced = r.Bool("fenced", FencedByDefault(kind)),
            ServesDhcp = kind is ActionKind.Command or ActionKind.Systemd && r.Bool("dhcp", false),
            Line = r.Section.Line,
        };
        switch (kind)
        {
            case ActionKind.OpenWrtWan:
                return config with
                {
                    Interfaces = Names(r, "interface", UciName, "an OpenWrt interface name such as wan1"),
                    MultipathMaster = Multipath(r, "multipath_master"),
                    MultipathBackup = Multipath(r, "multipath_backup"),
                };
            case ActionKind.Link:
                return config with { Interfaces = Names(r, "interface", n => DeviceName.Problem(n) is null, "a kernel device name such as eth1") };
            case ActionKind.OpenWrtGlorytun:
                return config with { Services = Names(r, "service", UciName, "glorytun or glorytun-udp", ["glorytun"]) };
            case ActionKind.OpenWrtDnsmasq:
                return config with
                {
                    Services = Names(r, "service", UciName, "an init script name such as dnsmasq", ["dnsmasq"]),
                    Sections = Names(r, "section", UciName, "a dhcp section name such as lan", ["lan"]),
                };
            case ActionKind.OmrVpn:
                return config with { Vpn = Pinned(r, "vpn", OmrNames.Tunnels, "openmptcprouter.settings.vpn") };
            case ActionKind.OmrProxy:
                return config with { Proxy = Pinned(r, "proxy", OmrNames.Proxies, "openmptcprouter.settings.proxy") };
            case ActionKind.OmrVpsApi:
                return config with { Servers = Names(r, "server", UciName, "an openmptcprouter server section such as vps", []) };
            case ActionKind.Systemd:
                return config with { Services = Names(r, "service", Unit, "a systemd unit such as openvpn-client@vps.service") };
            case ActionKind.Command:
                if (r.Get("start") is null && r.Get("stop") is null)
                    r.Error(r.Section.Line, $"{r.Label}: kind command needs option start and/or option stop (a command line)");
                return config with { Start = CommandLine(r, "start"), Stop = CommandLine(r, "stop"), Check = CommandLine(r, "check") };
            default:
                return config with { ConntrackdConfig = r.AbsolutePath("config"), ConntrackdBinary = r.AbsolutePath("binary") };
        }
    }

    /// <summary>The tunnel (one client per VPS) and the WAN: on OpenMPTCProuter both routers carry the same WAN address
    /// toward the modems, so two WANs up at once is an address conflict. `link` is how a WAN port is switched without
    /// OpenWrt, so it counts as WAN too. `option fenced 0` opts out (a WAN that may run on both routers).
    /// The omr_* services each talk to the VPS as this router's single client.</summary>
    private static bool FencedByDefault(ActionKind kind) =>
        kind is ActionKind.OpenWrtGlorytun or ActionKind.OpenWrtWan or ActionKind.Link or ActionKind.OmrVpn or ActionKind.OmrProxy or ActionKind.OmrVpsApi;

    /// <summary>Where each kind goes in the MASTER plan unless "order" says otherwise: WAN, conntrack state, tunnel, proxy,
    /// VPS API client, DHCP, the rest.</summary>
    private static int DefaultOrder(ActionKind kind) => kind switch
    {
        ActionKind.OpenWrtWan or ActionKind.Link => 10,
        ActionKind.Conntrackd => 20,
        ActionKind.OpenWrtGlorytun or ActionKind.OmrVpn => 30,
        ActionKind.OmrProxy => 32,
        ActionKind.OmrVpsApi => 34,
        ActionKind.OpenWrtDnsmasq => 40,
        _ => 50,
    };

    private static void RejectForeignOptions(SectionReader r, string kind)
    {
        foreach (var o in r.Section.Options)
        {
            if (CommonOptions.Contains(o.Name) || KindOptions[kind].Contains(o.Name)) continue;
            var owners = KindsTaking(KindOptions, o.Name);
            if (owners.Count > 0)
                r.Error(o.Line, $"option '{o.Name}' does not apply to kind '{kind}' (it is for {string.Join(", ", owners)})");
        }
    }

    private static List<string> Names(SectionReader r, string option, Func<string, bool> valid, string example, string[]? fallback = null)
    {
        var entries = r.GetList(option);
        if (entries.Count == 0)
        {
            if (fallback is not null) return [.. fallback];
            r.Error(r.Section.Line, $"{r.Label}: missing 'list {option}' ({example})");
            return [];
        }
        var names = new List<string>();
        foreach (var o in entries)
        {
            if (!valid(o.Value))
                r.Error(o.Line, $"{option} '{o.Value}' is not {example}");
            else if (names.Contains(o.Value))
                r.Error(o.Line, $"{option} '{o.Value}' is listed twice");
            else
                names.Add(o.Value);
        }
        return names;
    }

    private static string? Multipath(SectionReader r, string option)
    {
        if (r.Get(option) is not { } o) return null;
        if (o.Value == "handover")
        {
            r.Error(o.Line, $"{option} 'handover' is not a multipath value on current OMR (only in old kernels' comments): use one of {string.Join(", ", MultipathValues)}");
            return null;
        }
        return r.Choice(option, "", MultipathValues) is { Length: > 0 } v ? v : null;
    }

    private static string? Pinned(SectionReader r, string option, IReadOnlyList<string> known, string setting)
    {
        if (r.Get(option) is not { } o) return null;
        if (known.Contains(o.Value)) return o.Value;
        r.Error(o.Line, $"{option} '{o.Value}' is not a {option} routerha knows: one of {string.Join(", ", known)}{Suggestion.Hint(o.Value, known)} " +
                        $"(leave it out to follow {setting})");
        return null;
    }

    private static string? CommandLine(SectionReader r, string option)
    {
        if (r.Get(option) is not { } o) return null;
        if (o.Value.StartsWith('/')) return o.Value;
        r.Error(o.Line, $"{option} '{o.Value}' must start with an absolute path (the daemon runs it without a shell or PATH lookup)");
        return null;
    }

    private static bool UciName(string s) => UciNamePattern().IsMatch(s);
    private static bool Unit(string s) => UnitPattern().IsMatch(s);

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_-]*$")]
    private static partial Regex UciNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9:_.@\\-]+$")]
    private static partial Regex UnitPattern();
}
