using System.Buffers.Binary;
using System.Net;

namespace Router.Linux;

/// <summary>Minimal parse of the IPv4 header an AF_INET raw socket delivers (the kernel has already verified its
/// checksum and reassembled fragments). Kept local so the socket layer does not depend on the codec.</summary>
internal static class Ipv4Header
{
    public static bool TryParse(ReadOnlySpan<byte> datagram, out IPAddress source, out IPAddress destination,
        out int ttl, out int protocol, out int payloadOffset, out int payloadLength)
    {
        source = destination = IPAddress.None;
        ttl = protocol = payloadOffset = payloadLength = 0;
        if (datagram.Length < 20 || datagram[0] >> 4 != 4) return false;
        var headerLength = (datagram[0] & 0x0f) * 4;
        // Linux leaves tot_len in network order for raw sockets.
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (headerLength < 20 || totalLength < headerLength || totalLength > datagram.Length) return false;
        ttl = datagram[8];
        protocol = datagram[9];
        source = new IPAddress(datagram.Slice(12, 4));
        destination = new IPAddress(datagram.Slice(16, 4));
        payloadOffset = headerLength;
        payloadLength = totalLength - headerLength;
        return true;
    }
}
