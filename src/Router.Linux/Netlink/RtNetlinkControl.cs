using System.Net.Sockets;
using System.Runtime.InteropServices;
using Router.Core.Net;
using Router.Core.Ports;
using Router.Linux.Interop;

namespace Router.Linux.Netlink;

/// <summary>INetworkControl over one NETLINK_ROUTE socket. Calls are serialized; each waits for the kernel's answer.</summary>
internal sealed partial class RtNetlinkControl : INetworkControl
{
    private readonly NetlinkSocket _socket = NetlinkSocket.Open(groups: 0);
    private readonly Lock _lock = new();

    public InterfaceInfo? GetInterface(string name)
    {
        Span<byte> ifinfo = stackalloc byte[RtNetlink.IfInfoMsgSize];
        ifinfo.Clear();
        var request = new NetlinkRequest(RtNetlink.RTM_GETLINK, RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_ACK, ifinfo)
            .Attribute(RtNetlink.IFLA_IFNAME, name);
        var replies = new List<NetlinkMessage>();
        var errno = Run(request, replies, $"RTM_GETLINK {name}");
        if (errno == Libc.ENODEV) return null;
        Throw(errno, $"RTM_GETLINK {name}");
        // Loops, not LINQ, over these structs: each LINQ operator over a value type compiles its own iterator family
        // into the binary (toolchain/README.md, "Size options").
        foreach (var r in replies)
        {
            if (r.Type == RtNetlink.RTM_NEWLINK && RtMessages.ParseLink(r.Payload) is { } link) return link;
        }
        return null;
    }

    public IReadOnlyList<IpPrefix> GetAddresses(int interfaceIndex, AddressFamily family)
    {
        var prefixes = new List<IpPrefix>();
        foreach (var a in Dump(interfaceIndex, family)) prefixes.Add(a.Prefix);
        return prefixes;
    }

    /// <summary>Addresses in kernel order (primaries before secondaries), with their IFA_F_* flags.</summary>
    internal List<RtAddress> Dump(int interfaceIndex, AddressFamily family)
    {
        Span<byte> ifaddr = stackalloc byte[RtNetlink.IfAddrMsgSize];
        ifaddr.Clear();
        ifaddr[0] = RtMessages.FamilyCode(family);
        var request = new NetlinkRequest(RtNetlink.RTM_GETADDR, RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_DUMP, ifaddr);
        var replies = new List<NetlinkMessage>();
        Throw(Run(request, replies, "RTM_GETADDR dump"), "RTM_GETADDR dump");
        var result = new List<RtAddress>();
        foreach (var reply in replies)
        {
            if (reply.Type != RtNetlink.RTM_NEWADDR) continue;
            if (RtMessages.ParseAddress(reply.Payload) is { } a && a.InterfaceIndex == interfaceIndex && a.Prefix.Family == family)
                result.Add(a);
        }
        return result;
    }

    public void AddAddress(int interfaceIndex, IpPrefix address)
    {
        // Like keepalived: no IFA_BROADCAST for a VIP. NODAD so an IPv6 VIP is usable (and announceable) at once.
        var flags = address.Family == AddressFamily.InterNetworkV6 ? RtNetlink.IFA_F_NODAD : 0u;
        var request = AddressRequest(RtNetlink.RTM_NEWADDR,
            RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_ACK | RtNetlink.NLM_F_CREATE | RtNetlink.NLM_F_EXCL,
            interfaceIndex, address, flags);
        var operation = $"RTM_NEWADDR {address} on ifindex {interfaceIndex}";
        var errno = Run(request, [], operation);
        if (errno != Libc.EEXIST) Throw(errno, operation);
    }

    public void RemoveAddress(int interfaceIndex, IpPrefix address)
    {
        var request = AddressRequest(RtNetlink.RTM_DELADDR, RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_ACK,
            interfaceIndex, address, flags: 0);
        var operation = $"RTM_DELADDR {address} on ifindex {interfaceIndex}";
        var errno = Run(request, [], operation);
        if (errno is not (Libc.EADDRNOTAVAIL or Libc.ENODEV)) Throw(errno, operation);
    }

    private static NetlinkRequest AddressRequest(ushort type, ushort netlinkFlags, int interfaceIndex, IpPrefix address, uint flags)
    {
        Span<byte> ifaddr = stackalloc byte[RtNetlink.IfAddrMsgSize];
        ifaddr[0] = RtMessages.FamilyCode(address.Family);
        ifaddr[1] = (byte)address.PrefixLength;
        ifaddr[2] = (byte)flags;
        ifaddr[3] = RtNetlink.RT_SCOPE_UNIVERSE;
        MemoryMarshal.Write(ifaddr[4..], in interfaceIndex);
        var raw = address.Address.GetAddressBytes();
        var request = new NetlinkRequest(type, netlinkFlags, ifaddr)
            .Attribute(RtNetlink.IFA_LOCAL, raw)
            .Attribute(RtNetlink.IFA_ADDRESS, raw);
        if (flags != 0) request.Attribute(RtNetlink.IFA_FLAGS, flags);
        return request;
    }

    private int Run(NetlinkRequest request, List<NetlinkMessage> replies, string operation)
    {
        lock (_lock) return _socket.Request(request, replies, operation);
    }

    private static void Throw(int errno, string operation)
    {
        if (errno != 0) throw new LinuxNetworkException(operation, errno);
    }

    public void Dispose() => _socket.Dispose();
}
