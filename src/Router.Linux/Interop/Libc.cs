using System.Runtime.InteropServices;

namespace Router.Linux.Interop;

/// <summary>The few libc socket calls .NET's Socket does not cover (netlink, AF_PACKET, recvmsg with
/// ancillary data, poll/eventfd wake-ups). Constants are the Linux generic ABI (x86_64, aarch64, armv7).</summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    public const int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
    public const int SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;

    public const int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_BINDTODEVICE = 25, SO_ATTACH_FILTER = 26;
    public const int IPPROTO_IP = 0, IPPROTO_IPV6 = 41, IPPROTO_ICMPV6 = 58;
    public const int ICMP6_FILTER = 1;
    public const int IP_TOS = 1, IP_TTL = 2, IP_MTU_DISCOVER = 10, IP_PMTUDISC_DONT = 0;
    public const int IP_MULTICAST_IF = 32, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34, IP_ADD_MEMBERSHIP = 35;
    public const int IPV6_UNICAST_HOPS = 16, IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19;
    public const int IPV6_ADD_MEMBERSHIP = 20, IPV6_RECVPKTINFO = 49, IPV6_PKTINFO = 50, IPV6_RECVHOPLIMIT = 51, IPV6_HOPLIMIT = 52;

    public const int MSG_CTRUNC = 0x08, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
    public const short POLLIN = 0x1;
    public const int EFD_CLOEXEC = 0x80000;

    public const int EINTR = 4, EAGAIN = 11, EEXIST = 17, ENODEV = 19, EADDRNOTAVAIL = 99, ENOBUFS = 105;

    public const ushort ETH_P_ALL = 0x0003, ETH_P_ARP = 0x0806;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct sock_fprog: a classic BPF program for SO_ATTACH_FILTER.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public void* Filter;
    }

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketRaw(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(SafeFd fd, void* address, uint addressLength);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(SafeFd fd, int level, int name, void* value, uint length);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(SafeFd fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(SafeFd fd, void* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(SafeFd fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(SafeFd fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFdRaw(uint initialValue, int flags);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeFd fd, void* buffer, nuint length);

    public static SafeFd Socket(int domain, int type, int protocol)
    {
        var fd = SocketRaw(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) throw LinuxNetworkException.FromErrno($"socket({domain}, {type}, {protocol})", Marshal.GetLastPInvokeError());
        return new SafeFd(fd);
    }

    public static SafeFd EventFd()
    {
        var fd = EventFdRaw(0, EFD_CLOEXEC);
        if (fd < 0) throw LinuxNetworkException.FromErrno("eventfd", Marshal.GetLastPInvokeError());
        return new SafeFd(fd);
    }

    public static void SetOption(SafeFd fd, int level, int name, ReadOnlySpan<byte> value, string what)
    {
        fixed (byte* p = value)
        {
            if (SetSockOpt(fd, level, name, p, (uint)value.Length) != 0)
                throw LinuxNetworkException.FromErrno($"setsockopt {what}", Marshal.GetLastPInvokeError());
        }
    }

    public static void SetOption(SafeFd fd, int level, int name, int value, string what)
        => SetOption(fd, level, name, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)), what);

    /// <summary>sizeof(struct cmsghdr): size_t length plus two ints, padded to size_t alignment.</summary>
    public static int CmsgHeaderSize => CmsgAlign(sizeof(nuint) + 8);

    public static int CmsgAlign(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    /// <summary>Writes a struct sockaddr_in6 (28 bytes).</summary>
    public static void WriteSockaddrIn6(Span<byte> target, ReadOnlySpan<byte> address, int scopeId)
    {
        target[..28].Clear();
        MemoryMarshal.Write(target, (ushort)AF_INET6);
        address.CopyTo(target[8..]);
        MemoryMarshal.Write(target[24..], in scopeId);
    }

    /// <summary>Waits up to timeoutMs for fd to become readable; false on timeout.</summary>
    public static bool WaitReadable(SafeFd fd, int timeoutMs)
    {
        var added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            var pfd = new PollFd { Fd = (int)fd.DangerousGetHandle(), Events = POLLIN };
            while (true)
            {
                var n = Poll(&pfd, 1, timeoutMs);
                if (n > 0) return true;
                if (n == 0) return false;
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR) throw LinuxNetworkException.FromErrno("poll", errno);
            }
        }
        finally
        {
            if (added) fd.DangerousRelease();
        }
    }
}

/// <summary>An owned file descriptor, closed exactly once.</summary>
internal sealed class SafeFd : SafeHandle
{
    public SafeFd() : base(-1, ownsHandle: true) { }

    public SafeFd(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
