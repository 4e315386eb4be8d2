using System.Runtime.InteropServices;
using Router.Linux.Interop;

namespace Router.Linux.Tests;

/// <summary>An AF_PACKET socket bound to one interface that sees every frame arriving there (like tcpdump).</summary>
public sealed unsafe class PacketCapture : IDisposable
{
    private readonly SafeFd _fd;

    public PacketCapture(int interfaceIndex)
    {
        var protocol = (ushort)((Libc.ETH_P_ALL >> 8) | ((Libc.ETH_P_ALL & 0xff) << 8)); // network order
        _fd = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_RAW, protocol);
        Span<byte> address = stackalloc byte[20]; // sockaddr_ll
        address.Clear();
        MemoryMarshal.Write(address, (ushort)Libc.AF_PACKET);
        MemoryMarshal.Write(address[2..], protocol);
        MemoryMarshal.Write(address[4..], interfaceIndex);
        fixed (byte* a = address)
        {
            if (Libc.Bind(_fd, a, (uint)address.Length) != 0)
                throw new IOException($"bind AF_PACKET: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The first frame matching the predicate, or throws after the timeout.</summary>
    public byte[] WaitFor(Func<byte[], bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[65536];
        while (true)
        {
            var left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
            if (left <= 0 || !Libc.WaitReadable(_fd, left)) throw new TimeoutException("no matching frame captured");
            nint n;
            fixed (byte* b = buffer) n = Libc.Recv(_fd, b, (nuint)buffer.Length, Libc.MSG_DONTWAIT);
            if (n <= 0) continue;
            var frame = buffer.AsSpan(0, (int)n).ToArray();
            if (match(frame)) return frame;
        }
    }

    public void Dispose() => _fd.Dispose();
}
