using System.Runtime.InteropServices;
using System.Text;

namespace Router.Linux.Netlink;

/// <summary>One netlink message: header fields and the payload after the 16-byte header (host byte order).</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, byte[] Payload)
{
    /// <summary>Splits a datagram into messages; stops at a truncated or malformed one.</summary>
    public static List<NetlinkMessage> Split(ReadOnlySpan<byte> datagram)
    {
        var list = new List<NetlinkMessage>();
        while (datagram.Length >= RtNetlink.HeaderSize)
        {
            var length = (int)MemoryMarshal.Read<uint>(datagram);
            if (length < RtNetlink.HeaderSize || length > datagram.Length) break;
            list.Add(new NetlinkMessage(
                MemoryMarshal.Read<ushort>(datagram[4..]),
                MemoryMarshal.Read<ushort>(datagram[6..]),
                MemoryMarshal.Read<uint>(datagram[8..]),
                datagram[RtNetlink.HeaderSize..length].ToArray()));
            datagram = datagram[Math.Min(RtNetlink.Align(length), datagram.Length)..];
        }
        return list;
    }

    /// <summary>Walks the rtattr list that follows a fixed-size family header.</summary>
    public static Dictionary<ushort, byte[]> Attributes(ReadOnlySpan<byte> payload, int fixedHeaderSize)
    {
        var attrs = new Dictionary<ushort, byte[]>();
        if (payload.Length < fixedHeaderSize) return attrs;
        var rest = payload[fixedHeaderSize..];
        while (rest.Length >= 4)
        {
            var length = MemoryMarshal.Read<ushort>(rest);
            var type = (ushort)(MemoryMarshal.Read<ushort>(rest[2..]) & 0x3fff); // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if (length < 4 || length > rest.Length) break;
            attrs[type] = rest[4..length].ToArray();
            rest = rest[Math.Min(RtNetlink.Align(length), rest.Length)..];
        }
        return attrs;
    }

    public static string CString(byte[] value)
    {
        var end = Array.IndexOf(value, (byte)0);
        return Encoding.UTF8.GetString(value, 0, end < 0 ? value.Length : end);
    }

    public static uint U32(byte[] value) => value.Length >= 4 ? MemoryMarshal.Read<uint>(value) : 0;

    /// <summary>The negative errno carried by NLMSG_ERROR / NLMSG_DONE (0 = ack).</summary>
    public int ErrorCode => Payload.Length >= 4 ? MemoryMarshal.Read<int>(Payload) : 0;
}

/// <summary>Builds one request: header, fixed family struct, then attributes.</summary>
internal sealed class NetlinkRequest
{
    private readonly List<byte> _bytes = new(64);

    public NetlinkRequest(ushort type, ushort flags, ReadOnlySpan<byte> familyHeader)
    {
        Span<byte> header = stackalloc byte[RtNetlink.HeaderSize];
        header.Clear();
        MemoryMarshal.Write(header[4..], in type);
        MemoryMarshal.Write(header[6..], in flags);
        _bytes.AddRange(header);
        _bytes.AddRange(familyHeader);
        Pad();
    }

    public NetlinkRequest Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[4];
        var length = (ushort)(4 + value.Length);
        MemoryMarshal.Write(header, in length);
        MemoryMarshal.Write(header[2..], in type);
        _bytes.AddRange(header);
        _bytes.AddRange(value);
        Pad();
        return this;
    }

    public NetlinkRequest Attribute(ushort type, uint value)
        => Attribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in value)));

    public NetlinkRequest Attribute(ushort type, string value)
        => Attribute(type, Encoding.UTF8.GetBytes(value + "\0"));

    /// <summary>The finished message with length and sequence filled in.</summary>
    public byte[] Build(uint sequence)
    {
        var message = _bytes.ToArray();
        MemoryMarshal.Write(message, (uint)message.Length);
        MemoryMarshal.Write(message.AsSpan(8), in sequence);
        return message;
    }

    private void Pad()
    {
        while (_bytes.Count % 4 != 0) _bytes.Add(0);
    }
}
