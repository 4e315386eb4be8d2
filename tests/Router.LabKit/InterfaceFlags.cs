using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Router.LabKit;

/// <summary>
/// Reads a device's flags in one namespace with SIOCGIFFLAGS on a socket opened inside it: a 10 ms sampler cannot
/// afford an `ip link show` process per look, and a socket stays bound to the namespace it was created in.
/// </summary>
public sealed partial class InterfaceFlags : IDisposable
{
    private const nuint SIOCGIFFLAGS = 0x8913;
    private const int IFF_UP = 0x1;
    private const int IfNameSize = 16;
    private readonly Socket _socket;
    // struct ifreq: 16 bytes of name, then a 24-byte union whose first short is ifr_flags.
    private readonly byte[] _ifreq = new byte[40];

    private InterfaceFlags(Socket socket) => _socket = socket;

    public static InterfaceFlags Open(Netns ns) =>
        new(ns.RunInside(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)));

    /// <summary>Whether the device is administratively up (IFF_UP: what `ip link set DEV up` sets). Not thread-safe.</summary>
    public bool IsAdminUp(string device)
    {
        Array.Clear(_ifreq);
        var name = Encoding.ASCII.GetBytes(device);
        if (name.Length >= IfNameSize) throw new ArgumentException($"device name '{device}' too long", nameof(device));
        name.CopyTo(_ifreq, 0);
        if (Ioctl((int)_socket.Handle, SIOCGIFFLAGS, ref _ifreq[0]) != 0)
            throw new InvalidOperationException($"SIOCGIFFLAGS {device}: errno {Marshal.GetLastPInvokeError()}");
        return (BitConverter.ToInt16(_ifreq, IfNameSize) & IFF_UP) != 0;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ref byte ifreq);

    public void Dispose() => _socket.Dispose();
}
