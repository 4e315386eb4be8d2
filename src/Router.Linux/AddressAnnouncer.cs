using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Router.Core.Ports;
using Router.Linux.Interop;

namespace Router.Linux;

/// <summary>Tells the LAN that a VIP now lives at this interface's MAC: one gratuitous ARP (IPv4) or one unsolicited
/// Neighbor Advertisement (IPv6) per call; repeating them (keepalived sends 5) is the caller's policy.
/// Links without a 6-byte MAC (tun, ppp) have no neighbor caches to update, so nothing is sent there.</summary>
internal sealed unsafe class AddressAnnouncer : IAddressAnnouncer
{
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    private readonly SafeFd _packet;
    private readonly SafeFd _icmp;

    public AddressAnnouncer()
    {
        // Protocol 0: this packet socket only sends, it is never handed received frames.
        _packet = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0);
        try
        {
            // Raw ICMPv6: the kernel fills in the checksum over its pseudo-header.
            _icmp = OpenIcmp();
        }
        catch
        {
            _packet.Dispose();
            throw;
        }
    }

    public void Announce(InterfaceInfo link, IPAddress address)
    {
        if (link.Mac.Length != 6) return;
        if (address.AddressFamily == AddressFamily.InterNetwork) SendGratuitousArp(link, address);
        else SendUnsolicitedNeighborAdvertisement(link, address);
    }

    /// <summary>The frame keepalived sends: broadcast ARP request, sha = our MAC, spa = tpa = VIP, tha = broadcast.</summary>
    internal static byte[] GratuitousArpFrame(byte[] mac, IPAddress address)
    {
        var frame = new byte[42];
        frame.AsSpan(0, 6).Fill(0xff);
        mac.CopyTo(frame, 6);
        ReadOnlySpan<byte> arpHeader = [0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01];
        arpHeader.CopyTo(frame.AsSpan(12));
        mac.CopyTo(frame, 22);
        address.TryWriteBytes(frame.AsSpan(28), out _);
        frame.AsSpan(32, 6).Fill(0xff);
        address.TryWriteBytes(frame.AsSpan(38), out _);
        return frame;
    }

    /// <summary>ICMPv6 NA (RFC 4861 4.4): Override set, Router and Solicited clear, target = VIP,
    /// target link-layer address option = our MAC. The checksum is left 0 for the kernel to fill.</summary>
    internal static byte[] NeighborAdvertisement(byte[] mac, IPAddress address)
    {
        var message = new byte[32];
        message[0] = 136;
        message[4] = 0x20;
        address.TryWriteBytes(message.AsSpan(8), out _);
        message[24] = 2; // option: target link-layer address
        message[25] = 1; // length in units of 8 bytes
        mac.CopyTo(message, 26);
        return message;
    }

    private void SendGratuitousArp(InterfaceInfo link, IPAddress address)
    {
        var frame = GratuitousArpFrame(link.Mac, address);
        Span<byte> target = stackalloc byte[20]; // sockaddr_ll
        target.Clear();
        MemoryMarshal.Write(target, (ushort)Libc.AF_PACKET);
        target[2] = Libc.ETH_P_ARP >> 8; // sll_protocol, network order
        target[3] = Libc.ETH_P_ARP & 0xff;
        MemoryMarshal.Write(target[4..], link.Index);
        target[11] = 6;
        target.Slice(12, 6).Fill(0xff);
        fixed (byte* f = frame)
        fixed (byte* t = target)
        {
            if (Libc.SendTo(_packet, f, (nuint)frame.Length, 0, t, (uint)target.Length) < 0)
                throw LinuxNetworkException.FromErrno($"gratuitous ARP for {address} on {link.Name}", Marshal.GetLastPInvokeError());
        }
    }

    private void SendUnsolicitedNeighborAdvertisement(InterfaceInfo link, IPAddress address)
    {
        // Source = the VIP itself, as the kernel's own unsolicited NAs do, and the interface, both per packet through
        // IPV6_PKTINFO. The kernel wants the source assigned and not tentative (AddAddress uses NODAD): announce after adding.
        var message = NeighborAdvertisement(link.Mac, address);
        Span<byte> destination = stackalloc byte[28];
        Libc.WriteSockaddrIn6(destination, AllNodes.GetAddressBytes(), link.Index);
        var header = Libc.CmsgHeaderSize;
        Span<byte> control = stackalloc byte[header + Libc.CmsgAlign(20)];
        control.Clear();
        MemoryMarshal.Write(control, (nuint)(header + 20));
        MemoryMarshal.Write(control[sizeof(nuint)..], Libc.IPPROTO_IPV6);
        MemoryMarshal.Write(control[(sizeof(nuint) + 4)..], Libc.IPV6_PKTINFO);
        address.TryWriteBytes(control[header..], out _);                 // struct in6_pktinfo: address, ifindex
        MemoryMarshal.Write(control[(header + 16)..], link.Index);
        fixed (byte* m = message)
        fixed (byte* d = destination)
        fixed (byte* c = control)
        {
            var iov = new Libc.IoVec { Base = m, Length = (nuint)message.Length };
            var msg = new Libc.MsgHdr
            {
                Name = d, NameLength = (uint)destination.Length, Iov = &iov, IovLength = 1, Control = c, ControlLength = (nuint)control.Length,
            };
            if (Libc.SendMsg(_icmp, &msg, 0) < 0)
                throw LinuxNetworkException.FromErrno($"unsolicited NA for {address} on {link.Name}", Marshal.GetLastPInvokeError());
        }
    }

    private static SafeFd OpenIcmp()
    {
        var fd = Libc.Socket(Libc.AF_INET6, Libc.SOCK_RAW, Libc.IPPROTO_ICMPV6);
        try
        {
            Span<byte> blockAll = stackalloc byte[32]; // struct icmp6_filter: a set bit blocks that type; we only send
            blockAll.Fill(0xff);
            Libc.SetOption(fd, Libc.IPPROTO_ICMPV6, Libc.ICMP6_FILTER, blockAll, "ICMP6_FILTER");
            Libc.SetOption(fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
            Libc.SetOption(fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _packet.Dispose();
        _icmp.Dispose();
    }
}
