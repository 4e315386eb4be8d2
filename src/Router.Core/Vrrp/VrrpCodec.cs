using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Router.Core.Vrrp;

/// <summary>VRRP v2 (RFC 3768) / v3 (RFC 5798) wire format.</summary>
/// <remarks>
/// Layout (both versions): byte 0 = version &lt;&lt; 4 | type, VRID, priority, count of addresses, then
/// v3: 4 reserved bits + 12-bit max advert interval in centiseconds; v2: auth type, advert interval in seconds;
/// then the checksum, the addresses, and for v2 always 8 octets of authentication data.
/// Length rule follows keepalived 2.2.7 (vrrp_check_packet): the message must be exactly header + addresses
/// (+ auth for v2); trailing bytes are rejected as BadLength, as keepalived rejects "packet too long".
/// </remarks>
public static class VrrpCodec
{
    public static readonly IPAddress MulticastV4 = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress MulticastV6 = IPAddress.Parse("ff02::12");
    public const int ProtocolNumber = 112;
    /// <summary>RFC 5798 5.1.1.3 / 5.1.2.3: IPv4 TTL and IPv6 hop limit are sent as, and must arrive as, 255.</summary>
    public const int RequiredTtl = 255;
    public const int HeaderLength = 8;
    public const int V2AuthDataLength = 8;
    /// <summary>The v3 interval field is 12 bits of centiseconds.</summary>
    public const ushort MaxV3AdvertIntervalCs = 0x0FFF;

    private const byte TypeAdvertisement = 1;
    private const int Ipv4HeaderMinLength = 20;

    /// <summary>Encodes the VRRP message (no IP header). source/destination feed the v3 checksum pseudo-header.</summary>
    /// <exception cref="ArgumentException">The advertisement cannot be expressed on the wire
    /// (address family mix, v2 over IPv6, interval out of range, no or more than 255 addresses, password over 8 bytes).</exception>
    /// <exception cref="NotSupportedException">v2 AH authentication (it lives in an IPsec header, not in this message).</exception>
    public static byte[] Encode(VrrpAdvertisement adv, IPAddress source, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(adv);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);

        var family = source.AddressFamily;
        if (AddressLength(family) is not (int addressLength))
            throw new ArgumentException($"Source address family {family} is neither IPv4 nor IPv6.", nameof(source));
        if (destination.AddressFamily != family)
            throw new ArgumentException("Source and destination must be of the same address family.", nameof(destination));
        if (adv.Version is not (VrrpVersion.V2 or VrrpVersion.V3))
            throw new ArgumentException($"Unsupported VRRP version {adv.Version}.", nameof(adv));
        var v2 = adv.Version == VrrpVersion.V2;
        if (v2 && family != AddressFamily.InterNetwork)
            throw new ArgumentException("VRRPv2 is defined for IPv4 only (RFC 3768).", nameof(adv));
        var count = adv.Addresses.Count;
        if (count is 0 or > byte.MaxValue)
            throw new ArgumentException($"An advertisement carries 1..255 addresses, not {count}.", nameof(adv));

        var message = new byte[HeaderLength + count * addressLength + (v2 ? V2AuthDataLength : 0)];
        message[0] = (byte)((int)adv.Version << 4 | TypeAdvertisement);
        message[1] = adv.Vrid;
        message[2] = adv.Priority;
        message[3] = (byte)count;
        if (v2)
        {
            // v2 carries whole seconds only; refusing other values keeps what is sent equal to what the
            // state machine times with (RFC 3768 7.1: receivers drop adverts whose interval differs).
            if (adv.AdvertIntervalCs % 100 != 0 || adv.AdvertIntervalCs / 100 is 0 or > byte.MaxValue)
                throw new ArgumentException($"VRRPv2 advert interval must be 1..255 whole seconds, not {adv.AdvertIntervalCs} cs.", nameof(adv));
            message[4] = (byte)adv.AuthType;
            message[5] = (byte)(adv.AdvertIntervalCs / 100);
        }
        else
        {
            if (adv.AdvertIntervalCs is 0 or > MaxV3AdvertIntervalCs)
                throw new ArgumentException($"VRRPv3 advert interval must be 1..4095 cs, not {adv.AdvertIntervalCs}.", nameof(adv));
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4, 2), adv.AdvertIntervalCs);
        }

        var offset = HeaderLength;
        foreach (var address in adv.Addresses)
        {
            if (address is null || address.AddressFamily != family)
                throw new ArgumentException("Every advertised address must be of the source address family.", nameof(adv));
            address.TryWriteBytes(message.AsSpan(offset, addressLength), out _);
            offset += addressLength;
        }

        if (v2)
            WriteV2AuthData(adv, message.AsSpan(offset, V2AuthDataLength));

        var sum = v2 ? 0 : PseudoHeaderSum(source, destination, message.Length);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6, 2), InternetChecksum.Finish(InternetChecksum.Add(sum, message)));
        return message;
    }

    /// <summary>Structural checks and decode: length, version, type, checksum, ttl (must be 255), address count/family.
    /// Never throws on any input.</summary>
    /// <remarks>Check order: TooShort, BadTtl, BadVersion, BadAddressFamily (source/destination not one IP family,
    /// or v2 over IPv6), BadType, BadInterval, BadLength, BadChecksum. Addresses take the family of source.
    /// The reserved v3 bits are ignored (RFC 5798 5.2.6). v2 AuthData is the 8 octets as received.</remarks>
    public static bool TryDecode(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, int ttl,
        out VrrpAdvertisement? advertisement, out VrrpDropReason reason)
    {
        advertisement = null;
        reason = Check(message, source, destination, ttl);
        if (reason != VrrpDropReason.None)
            return false;

        var v2 = message[0] >> 4 == 2;
        var addressLength = AddressLength(source.AddressFamily)!.Value;
        int count = message[3];
        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
            addresses[i] = new IPAddress(message.Slice(HeaderLength + i * addressLength, addressLength));

        advertisement = v2
            ? new VrrpAdvertisement(VrrpVersion.V2, message[1], message[2], (ushort)(message[5] * 100), addresses,
                (VrrpAuthType)message[4], message.Slice(HeaderLength + count * addressLength, V2AuthDataLength).ToArray())
            : new VrrpAdvertisement(VrrpVersion.V3, message[1], message[2], V3Interval(message), addresses);
        return true;
    }

    /// <summary>Splits a raw IPv4 datagram (as an AF_INET raw socket delivers it) into header fields and payload.
    /// False (and reason TooShort/BadLength) when the header is malformed.</summary>
    /// <remarks>The total-length field is authoritative: a buffer longer than it (link-layer padding in a capture)
    /// is accepted and the excess ignored; a total length beyond the buffer, or shorter than the header, is false.
    /// The header checksum is not verified: the kernel has done so before the datagram reaches a raw socket.</remarks>
    public static bool TryParseIpv4(ReadOnlySpan<byte> datagram, out IPAddress source, out IPAddress destination,
        out int ttl, out int protocol, out int payloadOffset, out int payloadLength)
    {
        source = IPAddress.Any;
        destination = IPAddress.Any;
        ttl = protocol = payloadOffset = payloadLength = 0;

        if (datagram.Length < Ipv4HeaderMinLength || datagram[0] >> 4 != 4)
            return false;
        var headerLength = (datagram[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2, 2));
        if (headerLength < Ipv4HeaderMinLength || totalLength < headerLength || totalLength > datagram.Length)
            return false;

        ttl = datagram[8];
        protocol = datagram[9];
        source = new IPAddress(datagram.Slice(12, 4));
        destination = new IPAddress(datagram.Slice(16, 4));
        payloadOffset = headerLength;
        payloadLength = totalLength - headerLength;
        return true;
    }

    private static VrrpDropReason Check(ReadOnlySpan<byte> message, IPAddress? source, IPAddress? destination, int ttl)
    {
        if (message.Length < HeaderLength)
            return VrrpDropReason.TooShort;
        if (ttl != RequiredTtl)
            return VrrpDropReason.BadTtl;

        var version = message[0] >> 4;
        if (version is not (2 or 3))
            return VrrpDropReason.BadVersion;
        if (source is null || destination is null || source.AddressFamily != destination.AddressFamily
            || AddressLength(source.AddressFamily) is not (int addressLength)
            || (version == 2 && source.AddressFamily != AddressFamily.InterNetwork))
            return VrrpDropReason.BadAddressFamily;

        if ((message[0] & 0x0F) != TypeAdvertisement)
            return VrrpDropReason.BadType;
        if ((version == 2 ? message[5] : V3Interval(message)) == 0)
            return VrrpDropReason.BadInterval;

        int count = message[3];
        if (count == 0 || message.Length != HeaderLength + count * addressLength + (version == 2 ? V2AuthDataLength : 0))
            return VrrpDropReason.BadLength;

        var sum = version == 2 ? 0 : PseudoHeaderSum(source, destination, message.Length);
        if (InternetChecksum.Finish(InternetChecksum.Add(sum, message)) != 0)
            return VrrpDropReason.BadChecksum;
        return VrrpDropReason.None;
    }

    private static ushort V3Interval(ReadOnlySpan<byte> message)
        => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4, 2)) & MaxV3AdvertIntervalCs);

    private static int? AddressLength(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 4,
        AddressFamily.InterNetworkV6 => 16,
        _ => null,
    };

    /// <summary>RFC 5798 5.2.8: the IPv4 (RFC 768) or IPv6 (RFC 8200 8.1) pseudo-header with protocol 112.</summary>
    private static uint PseudoHeaderSum(IPAddress source, IPAddress destination, int length)
    {
        Span<byte> pseudo = stackalloc byte[40];
        pseudo.Clear();
        if (source.AddressFamily == AddressFamily.InterNetwork)
        {
            source.TryWriteBytes(pseudo[..4], out _);
            destination.TryWriteBytes(pseudo.Slice(4, 4), out _);
            pseudo[9] = ProtocolNumber;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo.Slice(10, 2), (ushort)length);
            return InternetChecksum.Add(0, pseudo[..12]);
        }
        source.TryWriteBytes(pseudo[..16], out _);
        destination.TryWriteBytes(pseudo.Slice(16, 16), out _);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.Slice(32, 4), (uint)length);
        pseudo[39] = ProtocolNumber;
        return InternetChecksum.Add(0, pseudo);
    }

    /// <summary>RFC 3768 5.3.6/5.3.10: the field is always present; zero unless a simple password is in use
    /// (keepalived 2.2.7 sends the password, NUL padded to 8 octets, for auth_type PASS).</summary>
    private static void WriteV2AuthData(VrrpAdvertisement adv, Span<byte> field)
    {
        switch (adv.AuthType)
        {
            case VrrpAuthType.None:
                return;
            case VrrpAuthType.Pass:
                if (adv.AuthData is null || adv.AuthData.Length > V2AuthDataLength)
                    throw new ArgumentException("A VRRPv2 password is at most 8 octets.", nameof(adv));
                adv.AuthData.CopyTo(field);
                return;
            case VrrpAuthType.Ah:
                throw new NotSupportedException("VRRPv2 AH authentication is not supported.");
            default:
                throw new ArgumentException($"Unknown VRRPv2 auth type {(byte)adv.AuthType}.", nameof(adv));
        }
    }
}
