using System.Buffers.Binary;
using System.Text;

namespace Router.Peers;

/// <summary>
/// The first frame from each side: magic "RHAP" | protocol u16 | schema u16 | nonce(32) | node id | software version |
/// path name (each string: u8 length + UTF-8). The magic and the two versions stay at the front in every future
/// protocol, so any version can read them and refuse clearly.
/// </summary>
internal sealed record PeerHello(ushort Protocol, ushort Schema, byte[] Nonce, string NodeId, string SoftwareVersion, string Path)
{
    public const int NonceBytes = 32;
    private static ReadOnlySpan<byte> Magic => "RHAP"u8;

    public byte[] Encode()
    {
        var strings = new[] { NodeId, SoftwareVersion, Path }.Select(Encoding.UTF8.GetBytes).ToArray();
        if (strings.Any(s => s.Length > byte.MaxValue)) throw new ArgumentException("hello strings are at most 255 bytes");
        var buf = new byte[4 + 2 + 2 + NonceBytes + strings.Sum(s => 1 + s.Length)];
        var span = buf.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], Protocol);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], Schema);
        Nonce.CopyTo(span[8..]);
        var at = 8 + NonceBytes;
        foreach (var s in strings)
        {
            span[at++] = (byte)s.Length;
            s.CopyTo(span[at..]);
            at += s.Length;
        }
        return buf;
    }

    /// <summary>Reads a hello; the versions are returned even when the rest is in a newer layout we cannot parse
    /// (Rest null then), so the refusal can say which versions the peer speaks.</summary>
    public static (ushort Protocol, ushort Schema, PeerHello? Hello) Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < 8 || !body[..4].SequenceEqual(Magic))
            throw new PeerProtocolException("not a routerha peer hello");
        var protocol = BinaryPrimitives.ReadUInt16BigEndian(body[4..]);
        var schema = BinaryPrimitives.ReadUInt16BigEndian(body[6..]);
        if (protocol > PeerProtocol.ProtocolVersion) return (protocol, schema, null);
        if (body.Length < 8 + NonceBytes) throw new PeerProtocolException("peer hello truncated");
        var nonce = body.Slice(8, NonceBytes).ToArray();
        var at = 8 + NonceBytes;
        var strings = new string[3];
        for (var i = 0; i < strings.Length; i++)
        {
            if (at >= body.Length || at + 1 + body[at] > body.Length) throw new PeerProtocolException("peer hello truncated");
            strings[i] = Encoding.UTF8.GetString(body.Slice(at + 1, body[at]));
            at += 1 + body[at];
        }
        return (protocol, schema, new PeerHello(protocol, schema, nonce, strings[0], strings[1], strings[2]));
    }
}
