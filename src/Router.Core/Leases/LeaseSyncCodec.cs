using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Router.Core.Leases;

/// <summary>
/// Wire form of the lease replication messages, big-endian, each starting with a version byte:
/// <code>
/// Request: version session(8) storeId(str8, 0xFF = none) afterSeq(8)
/// Page:    version session(8) storeId(str8) fromSeq(8) toSeq(8) flags(1: bit 0 more) count(2) row*
/// Ack:     version session(8) storeId(str8) toSeq(8)
/// row:     mac(str8) addrLen(1: 4 or 16) addr expires(8) hostname(str16) clientId(str16) interface(str8) hlc(8) origin(str8) flags(1: bit 0 deleted)
/// </code>
/// Strings are UTF-8 with a length prefix; the all-ones length means null. A decoder refuses a newer version
/// with a message naming the side to upgrade, and checks every value that dnsmasq's lease file will see again.
/// </summary>
public static class LeaseSyncCodec
{
    public const byte Version = 1;
    private const byte Null8 = 0xFF;
    private const ushort Null16 = 0xFFFF;
    /// <summary>The shortest row: one-character MAC and origin, IPv4, null strings.</summary>
    private const int MinRowBytes = 2 + 1 + 4 + 8 + 2 + 2 + 1 + 8 + 2 + 1;

    public static byte[] Encode(LeaseSyncMessage message)
    {
        var w = new Writer();
        w.U8(Version);
        w.U64(message.Session);
        switch (message)
        {
            case LeaseSyncRequest r:
                w.Str8(r.StoreId);
                w.I64(r.AfterSeq);
                break;
            case LeaseSyncPage p:
                w.Str8(p.StoreId);
                w.I64(p.FromSeq);
                w.I64(p.ToSeq);
                w.U8(p.More ? (byte)1 : (byte)0);
                w.U16(checked((ushort)p.Rows.Count));
                foreach (var row in p.Rows) WriteRow(w, row);
                break;
            case LeaseSyncAck a:
                w.Str8(a.StoreId);
                w.I64(a.ToSeq);
                break;
            default:
                throw new ArgumentException($"unknown lease message {message.GetType().Name}", nameof(message));
        }
        return w.ToArray();
    }

    public static ushort TypeOf(LeaseSyncMessage message) => message switch
    {
        LeaseSyncRequest => LeaseMessageTypes.Request,
        LeaseSyncPage => LeaseMessageTypes.Page,
        LeaseSyncAck => LeaseMessageTypes.Ack,
        _ => throw new ArgumentException($"unknown lease message {message.GetType().Name}", nameof(message)),
    };

    /// <summary>Null and a reason when the bytes are not a lease message this build understands.</summary>
    public static LeaseSyncMessage? Decode(ushort type, ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        if (data.Length < 1) return Fail("empty lease message", out error);
        if (data[0] > Version)
            return Fail($"lease message version {data[0]} is newer than this routerha's ({Version}): upgrade this router; nothing was applied", out error);
        if (data[0] == 0) return Fail("lease message version 0 is invalid", out error);
        var r = new Reader(data[1..]);
        try
        {
            var session = r.U64();
            LeaseSyncMessage message = type switch
            {
                LeaseMessageTypes.Request => new LeaseSyncRequest(session, r.Str8(), r.I64()),
                LeaseMessageTypes.Page => ReadPage(ref r, session),
                LeaseMessageTypes.Ack => new LeaseSyncAck(session, r.Str8() ?? throw new FormatException("ack without a store id"), r.I64()),
                _ => throw new FormatException($"unknown lease message type 0x{type:x4}"),
            };
            // Fields appended by a later compatible version are ignored: bytes after the known ones are allowed.
            return message;
        }
        catch (FormatException e)
        {
            return Fail($"malformed lease message 0x{type:x4}: {e.Message}", out error);
        }
    }

    private static LeaseSyncPage ReadPage(ref Reader r, ulong session)
    {
        var storeId = r.Str8() ?? throw new FormatException("page without a store id");
        var from = r.I64();
        var to = r.I64();
        if (to < from) throw new FormatException($"page ends ({to}) before it starts ({from})");
        var more = (r.U8() & 1) != 0;
        var count = r.U16();
        // The count is the sender's word: reserve no more rows than the bytes left can hold.
        var rows = new List<LeaseRecord>(Math.Min(count, r.Remaining / MinRowBytes));
        for (var i = 0; i < count; i++) rows.Add(ReadRow(ref r));
        return new LeaseSyncPage(session, storeId, from, to, more, rows);
    }

    private static void WriteRow(Writer w, LeaseRecord row)
    {
        w.Str8(row.Key.Mac);
        var addr = row.Key.Address.GetAddressBytes();
        w.U8((byte)addr.Length);
        w.Bytes(addr);
        w.I64(row.ExpiresUnix);
        w.Str16(row.Hostname);
        w.Str16(row.ClientId);
        w.Str8(row.Interface);
        w.I64(row.Stamp.Packed);
        w.Str8(row.Origin);
        w.U8(row.Deleted ? (byte)1 : (byte)0);
    }

    private static LeaseRecord ReadRow(ref Reader r)
    {
        var rawMac = r.Str8() ?? throw new FormatException("lease without a MAC");
        var mac = DhcpScriptParser.NormalizeHardwareAddress(rawMac);
        if (mac != rawMac) throw new FormatException($"'{rawMac}' is not a normalized hardware address");
        var len = r.U8();
        if (len is not (4 or 16)) throw new FormatException($"address length {len}");
        var address = new IPAddress(r.Bytes(len));
        var expires = r.I64();
        if (expires < 0) throw new FormatException($"expiry {expires}");
        var hostname = Token(r.Str16(), "hostname");
        var clientId = Token(r.Str16(), "client id");
        var iface = Token(r.Str8(), "interface");
        var stamp = r.I64();
        var origin = Token(r.Str8(), "origin") ?? throw new FormatException("lease without an origin");
        var deleted = (r.U8() & 1) != 0;
        return new LeaseRecord(new LeaseKey(mac, address), expires, hostname, clientId, iface,
            HybridTimestamp.FromPacked(stamp), origin, deleted);
    }

    /// <summary>A value printed into dnsmasq's lease file must be one word: no space, no control character.</summary>
    private static string? Token(string? s, string what)
    {
        if (s is null) return null;
        if (s.Length == 0 || s == "*" || s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new FormatException($"{what} '{s}' is empty or contains spaces or control characters");
        return s;
    }

    private static LeaseSyncMessage? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _s = new();

        public void U8(byte v) => _s.WriteByte(v);

        public void U16(ushort v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
            _s.Write(b);
        }

        public void U64(ulong v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, v);
            _s.Write(b);
        }

        public void I64(long v) => U64(unchecked((ulong)v));

        public void Bytes(ReadOnlySpan<byte> b) => _s.Write(b);

        public void Str8(string? s)
        {
            if (s is null) { U8(Null8); return; }
            var b = Encoding.UTF8.GetBytes(s);
            if (b.Length >= Null8) throw new ArgumentException($"'{s[..16]}...' is longer than {Null8 - 1} bytes");
            U8((byte)b.Length);
            Bytes(b);
        }

        public void Str16(string? s)
        {
            if (s is null) { U16(Null16); return; }
            var b = Encoding.UTF8.GetBytes(s);
            if (b.Length >= Null16) throw new ArgumentException($"a string of {b.Length} bytes is too long");
            U16((ushort)b.Length);
            Bytes(b);
        }

        public byte[] ToArray() => _s.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly int Remaining => _rest.Length;

        private ReadOnlySpan<byte> Take(int n)
        {
            if (_rest.Length < n) throw new FormatException("truncated");
            var b = _rest[..n];
            _rest = _rest[n..];
            return b;
        }

        public byte U8() => Take(1)[0];
        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));
        public long I64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
        public byte[] Bytes(int n) => Take(n).ToArray();

        public string? Str8()
        {
            var len = U8();
            return len == Null8 ? null : Utf8(Take(len));
        }

        public string? Str16()
        {
            var len = U16();
            return len == Null16 ? null : Utf8(Take(len));
        }

        private static string Utf8(ReadOnlySpan<byte> b)
        {
            try { return new UTF8Encoding(false, true).GetString(b); }
            catch (DecoderFallbackException) { throw new FormatException("invalid UTF-8"); }
        }
    }
}
