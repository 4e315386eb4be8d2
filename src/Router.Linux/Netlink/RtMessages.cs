using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Router.Core.Net;
using Router.Core.Ports;
using Router.Linux.Interop;

namespace Router.Linux.Netlink;

/// <summary>An interface address as rtnetlink reports it, with the flags that tell primary from secondary.</summary>
internal readonly record struct RtAddress(int InterfaceIndex, IpPrefix Prefix, uint Flags);

/// <summary>Decoding of RTM_NEWLINK/DELLINK and RTM_NEWADDR/DELADDR payloads.</summary>
internal static class RtMessages
{
    public static InterfaceInfo? ParseLink(byte[] payload)
    {
        if (payload.Length < RtNetlink.IfInfoMsgSize) return null;
        var index = MemoryMarshal.Read<int>(payload.AsSpan(4));
        var flags = MemoryMarshal.Read<uint>(payload.AsSpan(8));
        var attrs = NetlinkMessage.Attributes(payload, RtNetlink.IfInfoMsgSize);
        var name = attrs.TryGetValue(RtNetlink.IFLA_IFNAME, out var n) ? NetlinkMessage.CString(n) : "";
        var mac = attrs.TryGetValue(RtNetlink.IFLA_ADDRESS, out var a) ? a : [];
        var mtu = attrs.TryGetValue(RtNetlink.IFLA_MTU, out var m) ? (int)NetlinkMessage.U32(m) : 0;
        var adminUp = (flags & RtNetlink.IFF_UP) != 0;
        var lowerUp = (flags & RtNetlink.IFF_LOWER_UP) != 0;
        // RFC 2863 state: UP is up; UNKNOWN (loopback, tun, many drivers without carrier reporting) counts as up
        // when the driver reports carrier (IFF_LOWER_UP). Without the attribute, carrier alone decides.
        var operUp = attrs.TryGetValue(RtNetlink.IFLA_OPERSTATE, out var o) && o.Length > 0
            ? o[0] == RtNetlink.IF_OPER_UP || (o[0] == RtNetlink.IF_OPER_UNKNOWN && lowerUp)
            : lowerUp;
        return new InterfaceInfo(index, name, mac, adminUp, adminUp && operUp, mtu);
    }

    public static (int Index, string Name) ParseLinkIdentity(byte[] payload)
    {
        var index = payload.Length >= 8 ? MemoryMarshal.Read<int>(payload.AsSpan(4)) : 0;
        var attrs = NetlinkMessage.Attributes(payload, RtNetlink.IfInfoMsgSize);
        return (index, attrs.TryGetValue(RtNetlink.IFLA_IFNAME, out var n) ? NetlinkMessage.CString(n) : "");
    }

    public static RtAddress? ParseAddress(byte[] payload)
    {
        if (payload.Length < RtNetlink.IfAddrMsgSize) return null;
        var family = payload[0] switch
        {
            Libc.AF_INET => AddressFamily.InterNetwork,
            Libc.AF_INET6 => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (family == AddressFamily.Unknown) return null;
        var attrs = NetlinkMessage.Attributes(payload, RtNetlink.IfAddrMsgSize);
        // IFA_LOCAL is the local end on point-to-point links (IFA_ADDRESS is then the peer); otherwise only IFA_ADDRESS exists for IPv6.
        if (!attrs.TryGetValue(RtNetlink.IFA_LOCAL, out var raw) && !attrs.TryGetValue(RtNetlink.IFA_ADDRESS, out raw)) return null;
        if (raw.Length != (family == AddressFamily.InterNetwork ? 4 : 16)) return null;
        var flags = attrs.TryGetValue(RtNetlink.IFA_FLAGS, out var f) ? NetlinkMessage.U32(f) : payload[2];
        var index = MemoryMarshal.Read<int>(payload.AsSpan(4));
        // No scope id on link-local addresses: prefixes compare equal to configured ones; the index travels alongside.
        return new RtAddress(index, new IpPrefix(new IPAddress(raw), payload[1]), flags);
    }

    public static byte FamilyCode(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => Libc.AF_INET,
        AddressFamily.InterNetworkV6 => Libc.AF_INET6,
        _ => throw new ArgumentException($"unsupported address family {family}", nameof(family)),
    };
}
