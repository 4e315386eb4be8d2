using System.Net;
using System.Net.Sockets;
using System.Text;
using Router.Core.Config;
using Router.Core.Fencing;
using Router.Core.Net;

namespace Router.Core.Setup;

/// <summary>What the admin asked `routerha setup omr` for. Router is 'a' (preferred MASTER) or 'b'.</summary>
public sealed record OmrSetupRequest
{
    public required char Router { get; init; }
    /// <summary>ADDR or ADDR/LEN as given; without LEN the LAN's.</summary>
    public required string Vip { get; init; }
    /// <summary>The other router's LAN address.</summary>
    public required string Peer { get; init; }
    public int Vrid { get; init; } = OmrSetup.DefaultVrid;
    /// <summary>Where the shared key lives on the router (the path written to the config).</summary>
    public string SecretFile { get; init; } = OmrSetup.DefaultSecretFile;
}

/// <summary>The generated /etc/config/routerha (header included) and what the admin should read next to it.</summary>
public sealed record OmrSetupOutput(string Text, IpPrefix Vip, IPAddress Local, IPAddress Peer);

/// <summary>
/// `routerha setup omr`, the pure half: one OMR box's UCI facts + the request in, the complete /etc/config/routerha out.
/// Both routers run it with the same --vip and --vrid and each other's address as --peer; the two files differ only
/// in priority, node name, peer name and the direction of the path, so they pair as they are.
/// </summary>
public static class OmrSetup
{
    public const int DefaultVrid = 51;
    public const string DefaultSecretFile = "/etc/routerha/peer.key";
    public const int PriorityA = 150;
    public const int PriorityB = 100;

    private const int WatchdogSeconds = 10, TermTimeoutSeconds = 15, RespawnDelaySeconds = 5;
    private const int ActionTimeoutSeconds = 10, ActionRetries = 1;

    public static string Command(char router) => $"routerha setup omr --router {router}";

    public static OmrSetupOutput? Generate(OmrFacts facts, OmrSetupRequest request, List<string> errors)
    {
        var start = errors.Count;
        if (request.Router is not ('a' or 'b')) errors.Add($"--router must be a or b, not '{request.Router}'");
        if (request.Vrid is < 1 or > 255) errors.Add($"--vrid {request.Vrid} is out of range 1..255");
        var lan = facts.LanAddress;
        var peer = Peer(request.Peer, lan, errors);
        var vip = Vip(request.Vip, lan, peer, errors);
        if (errors.Count > start || vip is null || peer is null) return null;
        var body = Body(facts, request, vip.Value, peer);
        return new OmrSetupOutput(SetupHeader.Compose(Command(request.Router), body), vip.Value, lan.Address, peer);
    }

    private static IPAddress? Peer(string text, IpPrefix lan, List<string> errors)
    {
        if (!IPAddress.TryParse(text, out var a) || a.AddressFamily != AddressFamily.InterNetwork || text.Contains('/'))
        {
            errors.Add($"--peer '{text}' is not an IPv4 address: give the other router's LAN address (network.lan ipaddr there)");
            return null;
        }
        if (a.Equals(lan.Address))
        {
            errors.Add($"--peer {a} is this router's own LAN address: give the other router's");
            return null;
        }
        if (!lan.Contains(a) || IsNetworkOrBroadcast(a, lan))
        {
            errors.Add($"--peer {a} is not a host of this router's LAN {Network(lan)}: the two routers must share the LAN subnet");
            return null;
        }
        return a;
    }

    private static IpPrefix? Vip(string text, IpPrefix lan, IPAddress? peer, List<string> errors)
    {
        if (!IpPrefix.TryParse(text, out var vip) || vip.Family != AddressFamily.InterNetwork)
        {
            errors.Add($"--vip '{text}' is not an IPv4 address (ADDR or ADDR/LEN, e.g. {Example(lan)})");
            return null;
        }
        if (!text.Contains('/')) vip = vip with { PrefixLength = lan.PrefixLength };
        var problem =
            vip.PrefixLength != lan.PrefixLength ? $"has prefix /{vip.PrefixLength} but the LAN is {Network(lan)}" :
            !lan.Contains(vip.Address) || IsNetworkOrBroadcast(vip.Address, lan) ? $"is not a host of the LAN {Network(lan)}" :
            vip.Address.Equals(lan.Address) ? "is this router's own LAN address" :
            vip.Address.Equals(peer) ? "is the other router's LAN address (--peer)" :
            null;
        if (problem is null) return vip;
        errors.Add($"--vip {vip.Address} {problem}: the VIP is a free address of the LAN that neither router has, e.g. {Example(lan)}");
        return null;
    }

    private static string Body(OmrFacts facts, OmrSetupRequest request, IpPrefix vip, IPAddress peer)
    {
        var isA = request.Router == 'a';
        var other = isA ? 'b' : 'a';
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');

        L($"# RouterHA for OpenMPTCProuter, router {request.Router} of a pair ({(isA ? "preferred MASTER" : "BACKUP while router a is up")}).");
        L($"# Read from this router's UCI: LAN {facts.LanDevice} {facts.LanAddress}, WAN {string.Join(" ", facts.Wans)}, " +
          $"VPN {facts.Vpn ?? "none"}, proxy {facts.Proxy ?? "none"}, VPS {(facts.Servers.Count == 0 ? "none" : string.Join(" ", facts.Servers))}, " +
          $"DHCP {(facts.DhcpSection is { } d ? $"dhcp.{d}" : "none")}.");
        L($"# Router {other} runs `{Command(other)} --vip {vip} --peer {facts.LanAddress.Address}` with the same key.");
        L("# Options: docs/configuration.md; this command: docs/setup-omr.md.");
        L();
        L("config global 'main'");
        L("\toption enabled '1'");
        L($"\toption node_name 'router-{request.Router}'");
        L("\toption control_socket '/var/run/routerha.sock'");
        L("\toption startup_delay '5'");
        L("\toption log_level 'info'");
        L("\toption syslog '1'");
        L($"\toption watchdog '{WatchdogSeconds}'");
        L($"\toption term_timeout '{TermTimeoutSeconds}'");
        L($"\toption respawn_delay '{RespawnDelaySeconds}'");
        L();
        L("# The LAN gateway: DHCP hands it out as router and DNS server (dhcp_option 3 and 6, see docs/setup-omr.md).");
        L("config instance 'lan'");
        L($"\toption interface '{facts.LanDevice}'");
        L($"\toption vrid '{request.Vrid}'");
        L($"\toption priority '{(isA ? PriorityA : PriorityB)}'");
        L("\toption advert_interval '1'");
        L("\t# After a reboot, give the uplinks time before taking the address back.");
        L("\toption preempt_delay '30'");
        L($"\tlist vip '{vip}'");
        L();
        L("# The channel to the other router: lease replication, and its word before the tunnel starts here.");
        L($"config peer 'router_{other}'");
        L($"\tlist path 'lan {facts.LanAddress.Address} {peer}'");
        L($"\toption secret_file '{request.SecretFile}'");
        L("\t# A silent peer may still hold its tunnel this long: watchdog + kill + respawn + stopping its fenced actions.");
        L($"\toption fence_window '{FenceWindowSeconds(facts)}'");
        L();
        L("# Fenced (only on the MASTER, never on both): the WANs, the tunnel, the proxy, the VPS API client.");
        L("# Leaving MASTER, and at every start, they are stopped in the reverse order.");
        L("config action 'wan'");
        L("\toption kind 'openwrt_wan'");
        foreach (var w in facts.Wans) L($"\tlist interface '{w}'");
        Tuning(L);
        if (facts.Vpn is { } vpn)
        {
            L();
            L($"# The tunnel openmptcprouter.settings.vpn names when it runs (now {vpn}); every other tunnel stays off.");
            L("config action 'vpn'");
            L("\toption kind 'omr_vpn'");
            Tuning(L);
        }
        if (facts.Proxy is { } proxy)
        {
            L();
            L($"# The proxy openmptcprouter.settings.proxy names when it runs (now {proxy}).");
            L("config action 'proxy'");
            L("\toption kind 'omr_proxy'");
            Tuning(L);
        }
        if (facts.Servers.Count > 0)
        {
            L();
            L($"# The VPS API client: openmptcprouter.<server>.disabled for every server section (now {string.Join(" ", facts.Servers)}).");
            L("config action 'vps_api'");
            L("\toption kind 'omr_vps_api'");
            Tuning(L);
        }
        if (facts.DhcpSection is { } dhcp)
        {
            L();
            L("# dnsmasq runs on both routers; only the MASTER answers DHCP (ignore 0, force 1), after the merged leases are written.");
            L("config action 'dhcp'");
            L("\toption kind 'openwrt_dnsmasq'");
            L($"\tlist section '{dhcp}'");
            L();
            L("# The leases dnsmasq reports, replicated to the other router and handed to dnsmasq on takeover.");
            L("config leases 'leases'");
            L("\toption lease_file '/tmp/dhcp.leases'");
        }
        return sb.ToString();
    }

    private static void Tuning(Action<string> line)
    {
        line($"\toption timeout '{ActionTimeoutSeconds}'");
        line($"\toption retries '{ActionRetries}'");
    }

    /// <summary>The fence budget (check-config's rule) for this file's own settings, rounded up to 5 s.</summary>
    public static int FenceWindowSeconds(OmrFacts facts)
    {
        var fenced = 1 + (facts.Vpn is null ? 0 : 1) + (facts.Proxy is null ? 0 : 1) + (facts.Servers.Count > 0 ? 1 : 0);
        var action = new ActionConfig
        {
            Name = "x", Kind = ActionKind.OpenWrtWan, Order = 0,
            Timeout = TimeSpan.FromSeconds(ActionTimeoutSeconds), Retries = ActionRetries,
        };
        var budget = new FenceBudget(TimeSpan.FromSeconds(WatchdogSeconds), TimeSpan.FromSeconds(TermTimeoutSeconds),
            TimeSpan.FromSeconds(RespawnDelaySeconds), FenceBudget.StopTimeout(action) * fenced);
        return (int)Math.Ceiling(budget.Required.TotalSeconds / 5) * 5;
    }

    private static bool IsNetworkOrBroadcast(IPAddress a, IpPrefix lan)
    {
        if (lan.PrefixLength >= 31) return false;
        var host = HostBits(a, lan.PrefixLength);
        return host == 0 || host == (1u << (32 - lan.PrefixLength)) - 1;
    }

    private static uint HostBits(IPAddress a, int prefix) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes()) & (prefix == 0 ? uint.MaxValue : (1u << (32 - prefix)) - 1);

    private static string Network(IpPrefix lan)
    {
        var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(lan.Address.GetAddressBytes()) & ~HostBits(lan.Address, lan.PrefixLength);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, bits);
        return $"{new IPAddress(bytes)}/{lan.PrefixLength}";
    }

    /// <summary>The LAN's last host below broadcast (.254 in a /24): a usual gateway choice, free on a fresh OMR LAN.</summary>
    private static string Example(IpPrefix lan)
    {
        if (lan.PrefixLength >= 31) return "a free address of the LAN";
        var net = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(lan.Address.GetAddressBytes()) & ~HostBits(lan.Address, lan.PrefixLength);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, net + (1u << (32 - lan.PrefixLength)) - 2);
        return $"{new IPAddress(bytes)}/{lan.PrefixLength}";
    }
}
