using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Linux.Interop;

namespace Router.Linux;

/// <summary>Socket options shared by the VRRP sockets, and the send-only socket: bound to the source address so the
/// kernel writes it into every packet, TTL/hop limit 255, our interface for multicast, no loopback of our own adverts.</summary>
internal static unsafe class VrrpSendSocket
{
    // One BPF instruction, "ret #0": the socket accepts no packet. A raw socket bound to a unicast address would
    // otherwise queue every VRRP packet sent to that address, and nobody reads the send socket.
    private static readonly ulong* DropAllProgram = CreateDropAll();

    public static Socket Open(InterfaceInfo link, IPAddress source)
    {
        var family = source.AddressFamily;
        var socket = OpenRaw(family, VrrpCodec.ProtocolNumber);
        try
        {
            BindToDevice(socket, link.Name);
            var fprog = new Libc.SockFprog { Length = 1, Filter = DropAllProgram };
            socket.SetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, AsBytes(ref fprog));
            if (family == AddressFamily.InterNetwork)
            {
                SetInt(socket, Libc.IPPROTO_IP, Libc.IP_TTL, 255);
                SetInt(socket, Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, 255);
                SetInt(socket, Libc.IPPROTO_IP, Libc.IP_TOS, 0xc0);           // RFC 5798 5.1.1.3 / keepalived: internetwork control
                SetInt(socket, Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, 0);
                SetInt(socket, Libc.IPPROTO_IP, Libc.IP_MTU_DISCOVER, Libc.IP_PMTUDISC_DONT); // DF clear, as keepalived sends
                socket.SetRawSocketOption(Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, Ipv4MembershipRequest(IPAddress.Any, link.Index));
            }
            else
            {
                SetInt(socket, Libc.IPPROTO_IPV6, Libc.IPV6_UNICAST_HOPS, 255);
                SetInt(socket, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, 255);
                SetInt(socket, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, 0);
                SetInt(socket, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, link.Index);
            }
            socket.Bind(new IPEndPoint(source, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void Send(Socket socket, ReadOnlySpan<byte> message, IPAddress destination, int interfaceIndex)
    {
        if (destination.AddressFamily == AddressFamily.InterNetworkV6 && destination.IsIPv6LinkLocal && destination.ScopeId == 0)
            destination = new IPAddress(destination.GetAddressBytes(), interfaceIndex);
        socket.SendTo(message, SocketFlags.None, new IPEndPoint(destination, 0));
    }

    /// <summary>A .NET Socket over a raw socket(2): Socket's own constructor refuses IP protocols it has no name for
    /// (such as 112), but adopting the descriptor works and keeps its async receive machinery.</summary>
    public static Socket OpenRaw(AddressFamily family, int protocol)
    {
        using var fd = Libc.Socket(family == AddressFamily.InterNetwork ? Libc.AF_INET : Libc.AF_INET6, Libc.SOCK_RAW, protocol);
        var socket = new Socket(new SafeSocketHandle(fd.DangerousGetHandle(), ownsHandle: true));
        fd.SetHandleAsInvalid();
        return socket;
    }

    public static void BindToDevice(Socket socket, string name)
        => socket.SetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, Encoding.UTF8.GetBytes(name + "\0"));

    public static void SetInt(Socket socket, int level, int name, int value)
        => socket.SetRawSocketOption(level, name, AsBytes(ref value));

    /// <summary>struct ip_mreqn: group, local address (any), interface index.</summary>
    public static byte[] Ipv4MembershipRequest(IPAddress group, int interfaceIndex)
    {
        var request = new byte[12];
        group.TryWriteBytes(request, out _);
        MemoryMarshal.Write(request.AsSpan(8), in interfaceIndex);
        return request;
    }

    /// <summary>struct ipv6_mreq: group, interface index.</summary>
    public static byte[] Ipv6MembershipRequest(IPAddress group, int interfaceIndex)
    {
        var request = new byte[20];
        group.TryWriteBytes(request, out _);
        MemoryMarshal.Write(request.AsSpan(16), in interfaceIndex);
        return request;
    }

    private static ReadOnlySpan<byte> AsBytes<T>(ref T value) where T : unmanaged
        => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));

    private static ulong* CreateDropAll()
    {
        var program = (ulong*)NativeMemory.Alloc(sizeof(ulong));
        *program = 0x06; // struct sock_filter { code = BPF_RET|BPF_K, jt = 0, jf = 0, k = 0 }
        return program;
    }
}
