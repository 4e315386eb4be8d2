using System.Net;
using System.Net.Sockets;

namespace Router.Integrations.Health;

/// <summary>Up when a TCP connection to host:port completes, optionally bound to a device or source address.</summary>
public sealed class TcpProbe(IPAddress host, int port, string? device, IPAddress? source) : HealthProbe
{
    protected override async Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        SocketBinding.Apply(socket, device, source);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(host, port), cancellationToken).ConfigureAwait(false);
            return (true, $"connected to {Endpoint}");
        }
        catch (SocketException e)
        {
            return (false, $"{Endpoint}: {e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.NetworkUnreachable => "network unreachable",
                SocketError.HostUnreachable => "host unreachable",
                _ => e.Message,
            }}");
        }
    }

    private string Endpoint => host.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";
}
