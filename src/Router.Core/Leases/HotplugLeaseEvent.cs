using System.Text;

namespace Router.Core.Leases;

/// <summary>A dnsmasq lease event as OpenWrt's hotplug handler hands it over, back in dhcp-script form.</summary>
public sealed record HotplugLeaseEvent(string[] Args, Dictionary<string, string> Env)
{
    /// <summary>The largest environment a spooled event may have: procd passes a few hundred bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Reads the environment procd gave the hotplug handler, NUL-separated as /proc/PID/environ holds it: ACTION
    /// (add, remove, update: dhcp-script.sh's names for add, del, old), MACADDR, IPADDR, HOSTNAME and dnsmasq's
    /// DNSMASQ_* variables. Null with no error for an action that carries no lease; the router's own name as HOSTNAME
    /// is dropped as <see cref="WithoutOwnHostname"/> says.
    /// </summary>
    public static (HotplugLeaseEvent? Event, string? Error) Parse(ReadOnlySpan<byte> environ, string? ownHostname)
    {
        if (environ.Length > MaxBytes) return (null, $"event of {environ.Length} bytes (at most {MaxBytes})");
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Encoding.UTF8.GetString(environ).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=');
            if (eq > 0) vars[entry[..eq]] = entry[(eq + 1)..];
        }
        var verb = vars.GetValueOrDefault("ACTION") switch
        {
            "add" => "add",
            "remove" => "del",
            "update" => "old",
            _ => null,
        };
        if (verb is null) return (null, vars.ContainsKey("ACTION") ? null : "no ACTION in the event");
        if (vars.GetValueOrDefault("MACADDR") is not { Length: > 0 } mac || vars.GetValueOrDefault("IPADDR") is not { Length: > 0 } ip)
            return (null, $"{verb} without MACADDR or IPADDR");
        // dnsmasq passes no hostname argument when it knows none; dhcp-script.sh exports it empty.
        string[] args = vars.GetValueOrDefault("HOSTNAME") is { Length: > 0 } host ? [verb, mac, ip, host] : [verb, mac, ip];
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in vars)
            if (k.StartsWith(DhcpScriptParser.EnvPrefix, StringComparison.Ordinal)) env[k] = v;
        return (new HotplugLeaseEvent(WithoutOwnHostname(args, ownHostname), env), null);
    }

    /// <summary>
    /// dnsmasq on OpenWrt can pass the router's own name as a client's HOSTNAME (openwrt/openwrt issue 11982): stored,
    /// it would be served to the peer and named in its lease file as a client. Dropped here, so the known name stays.
    /// </summary>
    public static string[] WithoutOwnHostname(string[] args, string? own) =>
        args is [_, _, _, var host] && own is { Length: > 0 } && string.Equals(host, own, StringComparison.OrdinalIgnoreCase)
            ? args[..3]
            : args;
}
