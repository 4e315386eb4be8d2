using System.Net;

namespace Router.Core.Vrrp;

/// <summary>VRRP v2 (RFC 3768) / v3 (RFC 5798) wire format.</summary>
public static class VrrpCodec
{
    public static readonly IPAddress MulticastV4 = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress MulticastV6 = IPAddress.Parse("ff02::12");
    public const int ProtocolNumber = 112;

    /// <summary>Encodes the VRRP message (no IP header). source/destination feed the v3 checksum pseudo-header.</summary>
    public static byte[] Encode(VrrpAdvertisement adv, IPAddress source, IPAddress destination)
        => throw new NotImplementedException();

    /// <summary>Structural checks and decode: length, version, type, checksum, ttl (must be 255), address count/family.
    /// Never throws on any input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, int ttl,
        out VrrpAdvertisement? advertisement, out VrrpDropReason reason)
        => throw new NotImplementedException();

    /// <summary>Splits a raw IPv4 datagram (as an AF_INET raw socket delivers it) into header fields and payload.
    /// False (and reason TooShort/BadLength) when the header is malformed.</summary>
    public static bool TryParseIpv4(ReadOnlySpan<byte> datagram, out IPAddress source, out IPAddress destination,
        out int ttl, out int protocol, out int payloadOffset, out int payloadLength)
        => throw new NotImplementedException();
}
