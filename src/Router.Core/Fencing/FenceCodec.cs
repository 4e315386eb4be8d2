using System.Buffers.Binary;
using System.Net;

namespace Router.Core.Fencing;

/// <summary>
/// Wire form of <see cref="FenceState"/>, big-endian:
/// version(1) bootId(8) generation(8) role(1) priority(1) tunnel(1) addrLen(1: 4 or 16) addr seenBootId(8) seenGeneration(8),
/// then (appended later, absent from older senders) vrrpAddrLen(1: 0, 4 or 16) vrrpAddr.
/// Compatible additions append fields (a decoder ignores bytes after the ones it knows); an incompatible change bumps
/// the version, and a decoder refuses a version newer than its own with a message that says which side to upgrade.
/// </summary>
public static class FenceCodec
{
    public const byte Version = 1;
    private const int FixedBytes = 1 + 8 + 8 + 1 + 1 + 1 + 1 + 8 + 8;

    public static byte[] Encode(FenceState s)
    {
        var addr = s.Address.GetAddressBytes();
        var vrrp = s.VrrpAddress?.GetAddressBytes() ?? [];
        var buf = new byte[FixedBytes + addr.Length + 1 + vrrp.Length];
        var span = buf.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteUInt64BigEndian(span[1..], s.BootId);
        BinaryPrimitives.WriteUInt64BigEndian(span[9..], s.Generation);
        span[17] = (byte)s.Role;
        span[18] = s.Priority;
        span[19] = (byte)s.Tunnel;
        span[20] = (byte)addr.Length;
        addr.CopyTo(span[21..]);
        var rest = span[(21 + addr.Length)..];
        BinaryPrimitives.WriteUInt64BigEndian(rest, s.SeenBootId);
        BinaryPrimitives.WriteUInt64BigEndian(rest[8..], s.SeenGeneration);
        rest[16] = (byte)vrrp.Length;
        vrrp.CopyTo(rest[17..]);
        return buf;
    }

    /// <summary>Null and a reason when the bytes are not a fence state this build understands.</summary>
    public static FenceState? Decode(ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        if (data.Length < 1) return Fail("empty fence message", out error);
        if (data[0] > Version)
            return Fail($"fence message version {data[0]} is newer than this routerha's ({Version}): upgrade this router", out error);
        if (data[0] == 0) return Fail("fence message version 0 is invalid", out error);
        if (data.Length < 21) return Fail($"fence message truncated ({data.Length} bytes)", out error);
        var addrLen = data[20];
        if (addrLen is not (4 or 16)) return Fail($"fence message address length {addrLen} (expected 4 or 16)", out error);
        if (data.Length < FixedBytes + addrLen) return Fail($"fence message truncated ({data.Length} bytes)", out error);
        if (data[17] > (byte)FenceRole.Fault) return Fail($"fence message role {data[17]} unknown", out error);
        if (data[19] > (byte)TunnelStatus.Stopping) return Fail($"fence message tunnel status {data[19]} unknown", out error);
        var address = new IPAddress(data.Slice(21, addrLen));
        var rest = data[(21 + addrLen)..];
        IPAddress? vrrp = null;
        if (rest.Length > 16)
        {
            var vrrpLen = rest[16];
            if (vrrpLen is not (0 or 4 or 16)) return Fail($"fence message VRRP address length {vrrpLen} (expected 0, 4 or 16)", out error);
            if (rest.Length < 17 + vrrpLen) return Fail($"fence message truncated ({data.Length} bytes)", out error);
            if (vrrpLen > 0) vrrp = new IPAddress(rest.Slice(17, vrrpLen));
        }
        return new FenceState(
            BootId: BinaryPrimitives.ReadUInt64BigEndian(data[1..]),
            Generation: BinaryPrimitives.ReadUInt64BigEndian(data[9..]),
            Role: (FenceRole)data[17],
            Priority: data[18],
            Address: address,
            Tunnel: (TunnelStatus)data[19],
            SeenBootId: BinaryPrimitives.ReadUInt64BigEndian(rest),
            SeenGeneration: BinaryPrimitives.ReadUInt64BigEndian(rest[8..]),
            VrrpAddress: vrrp);
    }


    private static FenceState? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
