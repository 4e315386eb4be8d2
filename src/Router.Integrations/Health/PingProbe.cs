using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Router.Integrations.Health;

/// <summary>How the echo request was sent: an unprivileged ICMP datagram ("ping") socket where
/// net.ipv4.ping_group_range allows it, a raw socket otherwise (root).</summary>
public enum PingSocketKind { Datagram, Raw }

/// <summary>
/// One ICMP / ICMPv6 echo request, up when the matching reply arrives. Bound to a device and/or source address so
/// the check proves the path (a host behind one WAN, the VPS through the tunnel), not just the default route.
/// Replies are matched by a random token in the payload, which also separates concurrent probes on raw sockets.
/// </summary>
public sealed class PingProbe(IPAddress host, string? device, IPAddress? source) : HealthProbe
{
    private const int TokenLength = 16;
    private static int _sequence;

    /// <summary>The socket kind the last run used (for status and tests).</summary>
    public PingSocketKind? LastSocketKind { get; private set; }

    protected override async Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var v6 = host.AddressFamily == AddressFamily.InterNetworkV6;
        using var socket = Open(v6, out var kind);
        LastSocketKind = kind;
        SocketBinding.Apply(socket, device, source);

        var token = RandomNumberGenerator.GetBytes(TokenLength);
        var sequence = (ushort)Interlocked.Increment(ref _sequence);
        var identifier = (ushort)Random.Shared.Next(1, 65535);
        var request = new byte[8 + TokenLength];
        request[0] = v6 ? (byte)128 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), sequence);
        token.CopyTo(request, 8);
        // ICMPv6 checksums are filled in by the kernel (they cover a pseudo-header); ICMPv4 on a raw socket is ours.
        if (!v6) BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), Checksum(request));

        var target = new IPEndPoint(host, 0);
        await socket.SendToAsync(request, SocketFlags.None, target, cancellationToken).ConfigureAwait(false);

        var buffer = new byte[1500];
        EndPoint any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            var packet = buffer.AsSpan(0, r.ReceivedBytes);
            // A raw IPv4 socket hands over the IP header too; ICMPv6 and datagram sockets do not.
            if (!v6 && kind == PingSocketKind.Raw)
            {
                if (packet.Length < 20) continue;
                packet = packet[((packet[0] & 0x0f) * 4)..];
            }
            if (IsReply(packet, v6, token) && ((IPEndPoint)r.RemoteEndPoint).Address.Equals(host))
                return (true, $"reply from {host} ({kind.ToString().ToLowerInvariant()} socket)");
        }
    }

    private static Socket Open(bool v6, out PingSocketKind kind)
    {
        var family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var protocol = v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        try
        {
            kind = PingSocketKind.Datagram;
            return new Socket(family, SocketType.Dgram, protocol);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported)
        {
            kind = PingSocketKind.Raw;
            return new Socket(family, SocketType.Raw, protocol);
        }
    }

    private static bool IsReply(ReadOnlySpan<byte> icmp, bool v6, byte[] token) =>
        icmp.Length >= 8 + TokenLength
        && icmp[0] == (v6 ? 129 : 0)
        && icmp[1] == 0
        && icmp.Slice(8, TokenLength).SequenceEqual(token);

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if ((data.Length & 1) == 1) sum += (uint)(data[^1] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
