using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Linux.Interop;

namespace Router.Linux;

/// <summary>VRRP over IPv6. The hop limit only arrives as ancillary data (IPV6_HOPLIMIT), which .NET's Socket does not
/// surface, so the receive socket is a plain descriptor read with recvmsg(2) on a <see cref="ReadinessLoop"/> thread
/// into a small channel; ReceiveAsync awaits the channel. Sending uses a separate socket bound to the source address.</summary>
public sealed class Ipv6VrrpSocket : IVrrpSocket
{
    // Adverts older than a few hundred are stale anyway; dropping the oldest bounds memory if nobody reads.
    private const int QueueCapacity = 256;
    private const int CmsgSpace = 256;

    private readonly SafeFd _receive;
    private readonly Socket _send;
    private readonly bool _multicast;
    private readonly int _interfaceIndex;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Channel<ReceivedVrrp> _queue = Channel.CreateBounded<ReceivedVrrp>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
    private readonly ReadinessLoop _loop;
    private long _malformed;

    internal Ipv6VrrpSocket(InterfaceInfo link, IPAddress source, bool multicast)
    {
        _multicast = multicast;
        _interfaceIndex = link.Index;
        SourceAddress = source;
        _receive = Libc.Socket(Libc.AF_INET6, Libc.SOCK_RAW, VrrpCodec.ProtocolNumber);
        try
        {
            Libc.SetOption(_receive, Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, System.Text.Encoding.UTF8.GetBytes(link.Name + "\0"), "SO_BINDTODEVICE");
            Libc.SetOption(_receive, Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            Libc.SetOption(_receive, Libc.IPPROTO_IPV6, Libc.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            if (multicast)
            {
                Libc.SetOption(_receive, Libc.IPPROTO_IPV6, Libc.IPV6_ADD_MEMBERSHIP,
                    VrrpSendSocket.Ipv6MembershipRequest(VrrpCodec.MulticastV6, link.Index), "IPV6_ADD_MEMBERSHIP ff02::12");
            }
            _send = VrrpSendSocket.Open(link, source);
        }
        catch
        {
            _receive.Dispose();
            throw;
        }
        try
        {
            _loop = new ReadinessLoop(_receive, $"routerha-vrrp6-{link.Name}", Drain, e => _queue.Writer.TryComplete(e));
        }
        catch
        {
            _receive.Dispose();
            _send.Dispose();
            throw;
        }
    }

    public IPAddress SourceAddress { get; }

    /// <summary>Datagrams skipped because they were truncated or came without hop limit / destination.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformed);

    public async ValueTask<ReceivedVrrp> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public void Send(ReadOnlySpan<byte> message, IPAddress destination)
        => VrrpSendSocket.Send(_send, message, destination, _interfaceIndex);

    private unsafe void Drain()
    {
        var name = stackalloc byte[28];      // sockaddr_in6
        var control = stackalloc byte[CmsgSpace];
        fixed (byte* data = _buffer)
        {
            while (true)
            {
                var iov = new Libc.IoVec { Base = data, Length = (nuint)_buffer.Length };
                var header = new Libc.MsgHdr
                {
                    Name = name, NameLength = 28, Iov = &iov, IovLength = 1, Control = control, ControlLength = CmsgSpace,
                };
                var n = Libc.RecvMsg(_receive, &header, Libc.MSG_DONTWAIT);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR) continue;
                    if (errno == Libc.EAGAIN) return;
                    throw LinuxNetworkException.FromErrno("recvmsg VRRP IPv6", errno);
                }
                if (!TryParse(new ReadOnlySpan<byte>(data, (int)n), header, name, control, out var packet))
                    Interlocked.Increment(ref _malformed);
                else if (packet is not null)
                    _queue.Writer.TryWrite(packet);
            }
        }
    }

    /// <summary>False for a malformed datagram; true with a null packet for one this socket ignores.</summary>
    private unsafe bool TryParse(ReadOnlySpan<byte> message, in Libc.MsgHdr header, byte* name, byte* control, out ReceivedVrrp? packet)
    {
        packet = null;
        if ((header.Flags & (Libc.MSG_TRUNC | Libc.MSG_CTRUNC)) != 0 || header.NameLength < 24) return false;
        var source = new IPAddress(new ReadOnlySpan<byte>(name + 8, 16));
        if (source.IsIPv6LinkLocal) source.ScopeId = MemoryMarshal.Read<uint>(new ReadOnlySpan<byte>(name + 24, 4));

        IPAddress? destination = null;
        int hopLimit = -1, index = _interfaceIndex;
        // cmsghdr: size_t len, int level, int type; data and the next header are aligned to sizeof(size_t).
        var headerSize = Libc.CmsgHeaderSize;
        var offset = 0;
        var controlLength = (int)header.ControlLength;
        while (offset + headerSize <= controlLength)
        {
            var length = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + sizeof(nuint));
            var type = *(int*)(control + offset + sizeof(nuint) + 4);
            if (length < headerSize || offset + length > controlLength) break;
            var value = new ReadOnlySpan<byte>(control + offset + headerSize, length - headerSize);
            if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_HOPLIMIT && value.Length >= 4)
                hopLimit = MemoryMarshal.Read<int>(value);
            else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO && value.Length >= 20)
            {
                destination = new IPAddress(value[..16]);
                index = MemoryMarshal.Read<int>(value[16..]);
            }
            offset += Libc.CmsgAlign(length);
        }
        if (destination is null || hopLimit < 0) return false;
        // Unicast mode listens only to adverts addressed to us (an unbound IPv6 raw socket sees every group joined here).
        if (!_multicast && destination.IsIPv6Multicast) return true;
        packet = new ReceivedVrrp(message.ToArray(), source, destination, hopLimit, index);
        return true;
    }

    public void Dispose()
    {
        _loop.Dispose();
        _receive.Dispose();
        _send.Dispose();
        _queue.Writer.TryComplete();
    }
}
