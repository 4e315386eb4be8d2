using System.Net;
using System.Net.Sockets;
using Router.Core.Ports;

namespace Router.Linux;

/// <summary>Factory for the Linux implementations of the network ports.</summary>
public static class LinuxNetwork
{
    /// <summary>Opens the VRRP socket for an interface. multicast: join 224.0.0.18 / ff02::12 on it;
    /// otherwise receive unicast adverts only. source: explicit source address (null = primary v4 / link-local v6).</summary>
    public static IVrrpSocket OpenVrrpSocket(InterfaceInfo link, AddressFamily family, IPAddress? source, bool multicast)
        => throw new NotImplementedException();

    public static INetworkControl OpenControl() => throw new NotImplementedException();

    public static INetlinkMonitor OpenMonitor() => throw new NotImplementedException();

    public static IAddressAnnouncer OpenAnnouncer() => throw new NotImplementedException();
}
