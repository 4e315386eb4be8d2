using System.Net;
using System.Net.Sockets;
using Router.Core.Ports;
using Router.Linux.Netlink;

namespace Router.Linux;

/// <summary>Factory for the Linux implementations of the network ports. Sockets belong to the network namespace of
/// the thread that opens them.</summary>
public static class LinuxNetwork
{
    private const uint IFA_F_TENTATIVE = 0x40;

    /// <summary>Opens the VRRP socket for an interface. multicast: join 224.0.0.18 / ff02::12 on it;
    /// otherwise receive unicast adverts only. source: explicit source address (null = primary v4 / link-local v6).</summary>
    public static IVrrpSocket OpenVrrpSocket(InterfaceInfo link, AddressFamily family, IPAddress? source, bool multicast)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (source is not null && source.AddressFamily != family)
            throw new ArgumentException($"source {source} is not {family}", nameof(source));
        source ??= DefaultSource(link, family);
        return family switch
        {
            AddressFamily.InterNetwork => new Ipv4VrrpSocket(link, source, multicast),
            AddressFamily.InterNetworkV6 => new Ipv6VrrpSocket(link, source.IsIPv6LinkLocal && source.ScopeId == 0
                ? new IPAddress(source.GetAddressBytes(), link.Index) : source, multicast),
            _ => throw new ArgumentException($"unsupported address family {family}", nameof(family)),
        };
    }

    public static INetworkControl OpenControl() => new RtNetlinkControl();

    public static ILinkControl OpenLinkControl() => new RtNetlinkControl();

    public static INetlinkMonitor OpenMonitor() => new RtNetlinkMonitor();

    public static IAddressAnnouncer OpenAnnouncer() => new AddressAnnouncer();

    /// <summary>IPv4: the interface's first primary address (a /32 VIP added later never precedes it in kernel order).
    /// IPv6: its link-local address (RFC 5798 5.1.2.1), preferring one that finished DAD.</summary>
    private static IPAddress DefaultSource(InterfaceInfo link, AddressFamily family)
    {
        using var control = new RtNetlinkControl();
        var addresses = control.Dump(link.Index, family);
        // A loop, not LINQ over the RtAddress struct (binary size: toolchain/README.md, "Size options").
        IPAddress? chosen = null, tentative = null;
        foreach (var a in addresses)
        {
            var candidate = family == AddressFamily.InterNetwork
                ? (a.Flags & RtNetlink.IFA_F_SECONDARY) == 0
                : a.Prefix.Address.IsIPv6LinkLocal;
            if (!candidate) continue;
            // IPv6: the first link-local that finished DAD, else the first still tentative.
            if (family != AddressFamily.InterNetwork && (a.Flags & IFA_F_TENTATIVE) != 0)
            {
                tentative ??= a.Prefix.Address;
                continue;
            }
            chosen = a.Prefix.Address;
            break;
        }
        chosen ??= tentative
            ?? throw new InvalidOperationException(family == AddressFamily.InterNetwork
                ? $"{link.Name} has no IPv4 address to send VRRP adverts from"
                : $"{link.Name} has no IPv6 link-local address to send VRRP adverts from");
        return family == AddressFamily.InterNetworkV6 ? new IPAddress(chosen.GetAddressBytes(), link.Index) : chosen;
    }
}
