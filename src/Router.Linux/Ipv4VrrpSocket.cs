using System.Net;
using System.Net.Sockets;
using Router.Core.Ports;
using Router.Core.Vrrp;

namespace Router.Linux;

/// <summary>VRRP over IPv4: a receive socket (unbound, tied to the interface, group joined in multicast mode) and a
/// send socket bound to the source address. Two sockets because a raw socket bound to an address only receives
/// packets addressed to it. Receives use .NET's async ReceiveMessageFrom (IP_PKTINFO), so waiting costs no thread.
/// One reader at a time.</summary>
public sealed class Ipv4VrrpSocket : IVrrpSocket
{
    private static readonly IPEndPoint AnySender = new(IPAddress.Any, 0);

    private readonly Socket _receive;
    private readonly Socket _send;
    private readonly bool _multicast;
    private readonly int _interfaceIndex;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private long _malformed;

    internal Ipv4VrrpSocket(InterfaceInfo link, IPAddress source, bool multicast)
    {
        _multicast = multicast;
        _interfaceIndex = link.Index;
        SourceAddress = source;
        _receive = VrrpSendSocket.OpenRaw(AddressFamily.InterNetwork, VrrpCodec.ProtocolNumber);
        try
        {
            VrrpSendSocket.BindToDevice(_receive, link.Name);
            if (multicast)
            {
                _receive.SetRawSocketOption(Interop.Libc.IPPROTO_IP, Interop.Libc.IP_ADD_MEMBERSHIP,
                    VrrpSendSocket.Ipv4MembershipRequest(VrrpCodec.MulticastV4, link.Index));
            }
            _send = VrrpSendSocket.Open(link, source);
        }
        catch
        {
            _receive.Dispose();
            throw;
        }
    }

    public IPAddress SourceAddress { get; }

    /// <summary>Datagrams skipped because the IP header was malformed or the datagram was truncated.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformed);

    public async ValueTask<ReceivedVrrp> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _receive.ReceiveMessageFromAsync(_buffer, SocketFlags.None, AnySender, cancellationToken)
                .ConfigureAwait(false);
            var datagram = _buffer.AsSpan(0, result.ReceivedBytes);
            if ((result.SocketFlags & SocketFlags.Truncated) != 0
                || !VrrpCodec.TryParseIpv4(datagram, out var source, out var destination, out var ttl, out _, out var offset, out var length))
            {
                Interlocked.Increment(ref _malformed);
                continue;
            }
            // Unicast mode listens only to adverts addressed to us, even when another socket joined the group here.
            if (!_multicast && IsMulticast(destination)) continue;
            var index = result.PacketInformation.Interface != 0 ? result.PacketInformation.Interface : _interfaceIndex;
            return new ReceivedVrrp(datagram.Slice(offset, length).ToArray(), source, destination, ttl, index);
        }
    }

    public void Send(ReadOnlySpan<byte> message, IPAddress destination)
        => VrrpSendSocket.Send(_send, message, destination, _interfaceIndex);

    public void Dispose()
    {
        _receive.Dispose();
        _send.Dispose();
    }

    private static bool IsMulticast(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b[0] >= 224 && b[0] <= 239;
    }
}
