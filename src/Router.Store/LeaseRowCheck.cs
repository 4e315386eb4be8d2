using System.Net;
using Router.Core.Leases;

namespace Router.Store;

/// <summary>
/// What a stored row must be before routerha uses it: the same forms dnsmasq's calls and the peer's pages are
/// held to. SQLite's integrity check sees none of this (an address "192.168.1.999" is a valid TEXT).
/// </summary>
internal static class LeaseRowCheck
{
    private const int MaxText = 1024;

    /// <summary>The record, or null when a column is out of form.</summary>
    public static LeaseRecord? Build(string mac, string ip, long expires, string? hostname, string? clientId, string? iface,
        long hlc, string origin, long deleted)
    {
        if (DhcpScriptParser.NormalizeHardwareAddress(mac) != mac) return null;
        // TryParse alone takes "10.1" or "1" (inet_aton forms): only the canonical text is a stored address.
        if (!IPAddress.TryParse(ip, out var address) || address.ToString() != ip) return null;
        if (expires < 0 || hlc < 0 || deleted is not (0 or 1)) return null;
        if (!IsText(origin, allowEmpty: false) || !IsText(hostname) || !IsText(clientId) || !IsText(iface)) return null;
        return new LeaseRecord(new LeaseKey(mac, address), expires, hostname, clientId, iface, HybridTimestamp.FromPacked(hlc), origin, deleted == 1);
    }

    private static bool IsText(string? s, bool allowEmpty = true) =>
        s is null ? allowEmpty : s.Length <= MaxText && (allowEmpty || s.Length > 0) && !s.Any(char.IsControl);
}
