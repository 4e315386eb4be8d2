using System.Net;
using System.Net.Sockets;
using Router.Core.Ports;
using Router.LabKit;

namespace Router.Linux.Tests;

/// <summary>Shortcuts for opening the ports inside one namespace of a pair.</summary>
internal static class Ns
{
    public static InterfaceInfo Link(Netns ns, string name) => ns.RunInside(() =>
    {
        using var control = LinuxNetwork.OpenControl();
        return control.GetInterface(name) ?? throw new InvalidOperationException($"{name} missing in {ns.Name}");
    });

    public static IVrrpSocket Vrrp(Netns ns, InterfaceInfo link, AddressFamily family, bool multicast, IPAddress? source = null)
        => ns.RunInside(() => LinuxNetwork.OpenVrrpSocket(link, family, source, multicast));

    public static async Task<ReceivedVrrp> Receive(IVrrpSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await socket.ReceiveAsync(timeout.Token);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
