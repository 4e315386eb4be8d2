namespace Router.Core.Config;

/// <summary>The values OpenMPTCProuter writes to openmptcprouter.settings.vpn / .proxy that routerha can drive
/// (the backends in Router.Integrations map each to its UCI switch and init script).</summary>
public static class OmrNames
{
    public static readonly string[] Tunnels = ["glorytun_tcp", "glorytun_udp", "dsvpn", "mlvpn", "ubond", "openvpn"];

    /// <summary>`shadowsocks` is shadowsocks-libev (OMR's own name for it).</summary>
    public static readonly string[] Proxies = ["shadowsocks", "shadowsocks-rust", "v2ray", "xray"];

    /// <summary>What the settings hold when no tunnel / proxy is used.</summary>
    public static bool IsNone(string? value) => string.IsNullOrEmpty(value) || value == "none";
}
