using System.Buffers.Binary;
using System.Net;

namespace Router.Core.Fencing;

/// <summary>
/// Wire form of <see cref="FenceState"/>, big-endian:
/// version(1) bootId(8) generation(8) role(1) priority(1) tunnel(1) addrLen(1: 4 or 16) addr seenBootId(8) seenGeneration(8),
/// then (appended later, absent from older senders) vrrpAddrLen(1: 0, 4 or 16) vrrpAddr,
/// then (appended later still) sourceCount(1) and per source len(1: 4 or 16) addr.
/// Compatible additions append fields (a decoder ignores bytes after the ones it knows); an incompatible change bumps
/// the version, and a decoder refuses a version newer than its own with a message that says which side to upgrade.
/// </summary>
public static class FenceCodec
{
    public const byte Version = 1;
    private const int FixedBytes = 1 + 8 + 8 + 1 + 1 + 1 + 1 + 8 + 8;
    /// <summary>More instances than a router runs; a longer list is cut here, not refused.</summary>
    public const int MaxVrrpSources = 32;

    public static byte[] Encode(FenceState s)
    {
        var addr = s.Address.GetAddressBytes();
        var vrrp = s.VrrpAddress?.GetAddressBytes() ?? [];
        var sources = (s.VrrpSources ?? []).Take(MaxVrrpSources).Select(a => a.GetAddressBytes()).ToList();
        var buf = new byte[FixedBytes + addr.Length + 1 + vrrp.Length + 1 + sources.Sum(b => 1 + b.Length)];
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
        var list = rest[(17 + vrrp.Length)..];
        list[0] = (byte)sources.Count;
        var at = 1;
        foreach (var source in sources)
        {
            list[at] = (byte)source.Length;
            source.CopyTo(list[(at + 1)..]);
            at += 1 + source.Length;
        }
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
        List<IPAddress>? sources = null;
        if (rest.Length > 16)
        {
            var vrrpLen = rest[16];
            if (vrrpLen is not (0 or 4 or 16)) return Fail($"fence message VRRP address length {vrrpLen} (expected 0, 4 or 16)", out error);
            if (rest.Length < 17 + vrrpLen) return Fail($"fence message truncated ({data.Length} bytes)", out error);
            if (vrrpLen > 0) vrrp = new IPAddress(rest.Slice(17, vrrpLen));
            var list = rest[(17 + vrrpLen)..];
            // None and an empty list say the same: null, so a state without sources roundtrips equal.
            if (list.Length > 0 && list[0] > 0)
            {
                var count = Math.Min((int)list[0], MaxVrrpSources);
                sources = new List<IPAddress>(count);
                var at = 1;
                for (var i = 0; i < count; i++)
                {
                    if (list.Length < at + 1) return Fail($"fence message truncated ({data.Length} bytes)", out error);
                    var len = list[at];
                    if (len is not (4 or 16)) return Fail($"fence message VRRP source length {len} (expected 4 or 16)", out error);
                    if (list.Length < at + 1 + len) return Fail($"fence message truncated ({data.Length} bytes)", out error);
                    sources.Add(new IPAddress(list.Slice(at + 1, len)));
                    at += 1 + len;
                }
            }
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
            VrrpAddress: vrrp,
            VrrpSources: sources);
    }


    private static FenceState? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
