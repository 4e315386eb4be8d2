using System.Runtime.InteropServices;
using Router.Linux.Interop;

namespace Router.Linux.Netlink;

/// <summary>A NETLINK_ROUTE socket: request/response for the control side, group membership for the monitor.</summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    // The kernel answers rtnetlink requests synchronously; a reply that takes this long means something is wrong.
    private const int ReplyTimeoutMs = 5000;
    private const int BufferSize = 64 * 1024;

    private readonly byte[] _buffer = new byte[BufferSize];
    private uint _sequence;

    private NetlinkSocket(SafeFd fd) => Fd = fd;

    public SafeFd Fd { get; }

    public static NetlinkSocket Open(uint groups)
    {
        var fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW, Libc.NETLINK_ROUTE);
        try
        {
            if (groups != 0)
            {
                // Event bursts (many addresses flushed at once) must not overrun the default buffer.
                Libc.SetOption(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20, "SO_RCVBUF");
            }
            Span<byte> address = stackalloc byte[12]; // sockaddr_nl: family, pad, pid (0 = kernel assigns), groups
            address.Clear();
            MemoryMarshal.Write(address, (ushort)Libc.AF_NETLINK);
            MemoryMarshal.Write(address[8..], in groups);
            fixed (byte* p = address)
            {
                if (Libc.Bind(fd, p, (uint)address.Length) != 0)
                    throw LinuxNetworkException.FromErrno("bind netlink", Marshal.GetLastPInvokeError());
            }
            return new NetlinkSocket(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request and collects its replies until the ack (or NLMSG_DONE for dumps).
    /// Returns 0, or the positive errno the kernel reported.</summary>
    public int Request(NetlinkRequest request, List<NetlinkMessage> replies, string operation)
    {
        var sequence = ++_sequence;
        var message = request.Build(sequence);
        Span<byte> kernel = stackalloc byte[12];
        kernel.Clear();
        MemoryMarshal.Write(kernel, (ushort)Libc.AF_NETLINK);
        fixed (byte* m = message)
        fixed (byte* k = kernel)
        {
            if (Libc.SendTo(Fd, m, (nuint)message.Length, 0, k, (uint)kernel.Length) < 0)
                throw LinuxNetworkException.FromErrno(operation, Marshal.GetLastPInvokeError());
        }

        while (true)
        {
            if (!Libc.WaitReadable(Fd, ReplyTimeoutMs))
                throw new TimeoutException($"{operation}: no netlink reply within {ReplyTimeoutMs} ms");
            var length = Receive(operation);
            if (length == Overrun) throw new LinuxNetworkException(operation, Libc.ENOBUFS);
            foreach (var reply in NetlinkMessage.Split(Received(length)))
            {
                if (reply.Sequence != sequence) continue;
                switch (reply.Type)
                {
                    case RtNetlink.NLMSG_ERROR:
                    case RtNetlink.NLMSG_DONE:
                        return -reply.ErrorCode;
                    case RtNetlink.NLMSG_NOOP:
                        continue;
                    default:
                        replies.Add(reply);
                        break;
                }
            }
        }
    }

    public const int Overrun = -1;

    /// <summary>Reads one datagram into the internal buffer: its length, 0 when a non-blocking read found nothing,
    /// or <see cref="Overrun"/> when the kernel dropped messages for us (ENOBUFS).</summary>
    public int Receive(string operation, bool nonBlocking = false)
    {
        while (true)
        {
            nint n;
            fixed (byte* b = _buffer)
                n = Libc.Recv(Fd, b, (nuint)_buffer.Length, nonBlocking ? Libc.MSG_DONTWAIT : 0);
            if (n >= 0) return (int)n;
            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Libc.EINTR:
                    continue;
                case Libc.EAGAIN when nonBlocking:
                    return 0;
                case Libc.ENOBUFS:
                    return Overrun;
                default:
                    throw LinuxNetworkException.FromErrno(operation, errno);
            }
        }
    }

    public ReadOnlySpan<byte> Received(int length) => _buffer.AsSpan(0, length);

    public void Dispose() => Fd.Dispose();
}
