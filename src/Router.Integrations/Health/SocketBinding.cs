using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Router.Integrations.Health;

/// <summary>Pins a probe socket to one device (SO_BINDTODEVICE) and/or source address, so "the VPS answers through
/// wan1" is tested end to end rather than through whichever route is currently default.</summary>
internal static class SocketBinding
{
    private const int SOL_SOCKET = 1, SO_BINDTODEVICE = 25;

    public static void Apply(Socket socket, string? device, IPAddress? source)
    {
        if (device is not null)
        {
            try { socket.SetRawSocketOption(SOL_SOCKET, SO_BINDTODEVICE, Encoding.ASCII.GetBytes(device + "\0")); }
            catch (SocketException e)
            {
                // .NET maps ENODEV to "Unknown socket error"; say what it means.
                var exists = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == device);
                throw new IOException($"cannot bind to {device}: {(exists ? e.Message : "no such device")}");
            }
        }
        if (source is not null)
            socket.Bind(new IPEndPoint(source, 0));
    }
}
