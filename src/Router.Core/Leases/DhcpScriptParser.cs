using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Router.Core.Leases;

/// <summary>
/// Parses dnsmasq's --dhcp-script protocol: argv is ACTION MAC IP [HOSTNAME], the rest comes in
/// DNSMASQ_* environment variables (observed against dnsmasq 2.90: shared/testdata/dnsmasq/).
/// Every value is checked before it can reach the store, because "init" prints it back into
/// dnsmasq's lease database, where a space or newline would corrupt the line format.
/// </summary>
public static class DhcpScriptParser
{
    public const string EnvPrefix = "DNSMASQ_";
    private const int MaxHostnameLength = 255;
    private const int MaxHardwareBytes = 20;

    /// <param name="args">the script's arguments, without the program name</param>
    /// <param name="env">the DNSMASQ_* variables (other variables are ignored)</param>
    /// <param name="now">used only when this dnsmasq build reports LEASE_LENGTH instead of LEASE_EXPIRES</param>
    public static DhcpScriptCall Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, DateTimeOffset now)
    {
        if (args.Count == 0) return new DhcpScriptMalformed("no action (dnsmasq passes add, old, del or init first)");
        var action = args[0];
        switch (action)
        {
            case "init":
                return args.Count == 1 ? new DhcpScriptInit() : new DhcpScriptMalformed("init takes no arguments");
            case "add": return ParseLease(LeaseAction.Add, args, env, now);
            case "old": return ParseLease(LeaseAction.Old, args, env, now);
            case "del": return ParseLease(LeaseAction.Del, args, env, now);
            case "tftp" or "arp" or "arp-add" or "arp-del" or "relay-snoop":
                return new DhcpScriptIgnored($"'{action}' events carry no lease");
            default:
                return new DhcpScriptMalformed($"unknown action '{Printable(action)}' (expected add, old, del, init, tftp, arp, arp-add, arp-del or relay-snoop)");
        }
    }

    private static DhcpScriptCall ParseLease(LeaseAction action, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, DateTimeOffset now)
    {
        var name = args[0];
        if (args.Count is < 3 or > 4)
            return new DhcpScriptMalformed($"{name} needs MAC IP [HOSTNAME], got {args.Count - 1} argument(s)");
        if (!IPAddress.TryParse(args[2], out var address) || args[2].Contains('%'))
            return new DhcpScriptMalformed($"{name}: '{Printable(args[2])}' is not an IP address");
        // dnsmasq passes the DUID/IAID in place of the MAC for DHCPv6; replication of v6 leases is not built yet.
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return new DhcpScriptIgnored($"{name} {Printable(args[2])}: DHCPv6 leases are not stored yet");
        if (NormalizeHardwareAddress(args[1]) is not { } mac)
            return new DhcpScriptMalformed($"{name}: '{Printable(args[1])}' is not a hardware address (aa:bb:cc:dd:ee:ff)");
        string? hostname = null;
        if (args.Count == 4)
        {
            if (!IsToken(args[3], MaxHostnameLength))
                return new DhcpScriptMalformed($"{name}: hostname '{Printable(args[3])}' is empty, too long or contains spaces or control characters");
            hostname = args[3];
        }
        string? clientId = null;
        if (Env(env, "CLIENT_ID") is { } rawId && (clientId = NormalizeHexBytes(rawId, 255)) is null)
            return new DhcpScriptMalformed($"{name}: DNSMASQ_CLIENT_ID '{Printable(rawId)}' is not colon-separated hex bytes");
        var iface = Env(env, "INTERFACE");
        if (iface is not null && !IsToken(iface, 64))
            return new DhcpScriptMalformed($"{name}: DNSMASQ_INTERFACE '{Printable(iface)}' is not an interface name");
        var stamped = Env(env, "LEASE_EXPIRES") is not null;
        if (Expiry(env, now, out var error) is not { } expires)
        {
            if (action != LeaseAction.Del) return new DhcpScriptMalformed($"{name}: {error}");
            // A release without a known end: the tombstone lives from now and is pruned after the grace period.
            expires = now.ToUnixTimeSeconds();
        }
        return new DhcpLeaseEvent(action, mac, address, hostname, clientId, iface, expires, stamped);
    }

    private static long? Expiry(IReadOnlyDictionary<string, string> env, DateTimeOffset now, out string error)
    {
        error = "";
        if (Env(env, "LEASE_EXPIRES") is { } exp)
        {
            if (long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e <= 253402300799) return e;
            error = $"DNSMASQ_LEASE_EXPIRES '{Printable(exp)}' is not a Unix time";
            return null;
        }
        // dnsmasq built with HAVE_BROKEN_RTC reports the length instead; 0 is an infinite lease in both.
        if (Env(env, "LEASE_LENGTH") is { } len)
        {
            if (long.TryParse(len, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l <= uint.MaxValue)
                return l == 0 ? 0 : now.ToUnixTimeSeconds() + l;
            error = $"DNSMASQ_LEASE_LENGTH '{Printable(len)}' is not a number of seconds";
            return null;
        }
        error = "neither DNSMASQ_LEASE_EXPIRES nor DNSMASQ_LEASE_LENGTH is set";
        return null;
    }

    private static string? Env(IReadOnlyDictionary<string, string> env, string name) =>
        env.TryGetValue(EnvPrefix + name, out var v) ? v : null;

    /// <summary>Lower-case aa:bb:..., with dnsmasq's "TT-" hardware type prefix for non-Ethernet links kept.</summary>
    public static string? NormalizeHardwareAddress(string text)
    {
        var dash = text.IndexOf('-');
        var prefix = "";
        if (dash >= 0)
        {
            var type = text[..dash];
            if (type.Length is < 1 or > 2 || !type.All(char.IsAsciiHexDigit)) return null;
            prefix = type.ToLowerInvariant() + "-";
            text = text[(dash + 1)..];
        }
        return NormalizeHexBytes(text, MaxHardwareBytes) is { } hex ? prefix + hex : null;
    }

    private static string? NormalizeHexBytes(string text, int maxBytes)
    {
        var parts = text.Split(':');
        if (parts.Length > maxBytes) return null;
        foreach (var p in parts)
            if (p.Length is < 1 or > 2 || !p.All(char.IsAsciiHexDigit)) return null;
        return string.Join(':', parts.Select(p => p.PadLeft(2, '0').ToLowerInvariant()));
    }

    private static bool IsToken(string s, int maxLength) =>
        s.Length > 0 && s.Length <= maxLength && s != "*" && !s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static string Printable(string s)
    {
        var clean = Text.SafeText.Map(s.Length > 80 ? s[..80] : s, c => char.IsControl(c) ? '?' : c);
        return s.Length > 80 ? clean + "..." : clean;
    }
}
