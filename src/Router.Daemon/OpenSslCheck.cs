using System.Runtime.InteropServices;
using Router.Core.Config;

namespace Router.Daemon;

/// <summary>
/// .NET's crypto shim loads OpenSSL at the first HMAC or TLS use and, when no libssl can be loaded, aborts the
/// process ("No usable version of libssl was found", SIGABRT). On a router that would be a VRRP outage at the first
/// peer handshake and a restart loop under procd. So the daemon looks once, before it starts, and refuses to start
/// with the package to install.
/// </summary>
internal static class OpenSslCheck
{
    // The sonames the shim accepts: OpenSSL 3 (OpenWrt 23.05+: libopenssl3) and 1.1.
    private static readonly string[] Sonames = ["libssl.so.3", "libssl.so.1.1"];

    /// <summary>Why this config cannot run here, or null when it needs no OpenSSL or OpenSSL loads.</summary>
    public static string? Problem(RouterConfig config)
    {
        var needs = new List<string>();
        if (config.Peers.Count > 0) needs.Add("the peer channel (HMAC-SHA256)");
        if (config.Mqtt is { Tls: true }) needs.Add("MQTT over TLS");
        if (needs.Count == 0) return null;
        foreach (var name in Sonames)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            NativeLibrary.Free(handle);
            return null;
        }
        return $"OpenSSL is required by {string.Join(" and ", needs)}, but neither {string.Join(" nor ", Sonames)} can be loaded: " +
               "install it (OpenWrt: opkg install libopenssl3; Debian: apt-get install libssl3)";
    }
}
