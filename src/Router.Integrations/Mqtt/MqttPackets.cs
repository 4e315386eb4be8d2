using System.Buffers.Binary;
using System.Text;

namespace Router.Integrations.Mqtt;

/// <summary>The protocol level byte of CONNECT: 4 is MQTT 3.1.1, 5 is MQTT 5.</summary>
internal enum MqttVersion : byte
{
    V311 = 4,
    V5 = 5,
}

/// <summary>MQTT control packet types (3.1.1 and 5 share them, spec 2.2.1 / 2.1.2) we send or expect.</summary>
internal enum PacketType : byte
{
    Connect = 1, ConnAck = 2, Publish = 3, PubAck = 4, Subscribe = 8, SubAck = 9,
    PingReq = 12, PingResp = 13, Disconnect = 14,
}

/// <summary>A received packet: its first byte (type and flags) and the variable header + payload.</summary>
internal readonly record struct Packet(byte Header, byte[] Body)
{
    public PacketType Type => (PacketType)(Header >> 4);
}

/// <summary>A PUBLISH taken apart.</summary>
public sealed record MqttMessage(string Topic, byte[] Payload, int Qos = 0, bool Retain = false)
{
    /// <summary>MQTT 5 Message Expiry Interval: the broker discards the message for subscribers that have not had it
    /// by then. Ignored when speaking 3.1.1, which has no such thing.</summary>
    public TimeSpan? Expiry { get; init; }

    public string Text => Encoding.UTF8.GetString(Payload);

    public static MqttMessage Of(string topic, string text, int qos = 0, bool retain = false) =>
        new(topic, Encoding.UTF8.GetBytes(text), qos, retain);
}

/// <summary>
/// Encoding and decoding of the few MQTT 3.1.1 and MQTT 5 packets a publishing client needs. Only what this client
/// sends is encoded and only what a broker sends to it is decoded; anything else is a protocol error. MQTT 5
/// properties a broker sends are skipped: nothing in them changes what this client does.
/// </summary>
internal static class MqttPackets
{
    /// <summary>MQTT 5 property identifiers (spec 2.2.2.2) this client sends.</summary>
    private const byte MessageExpiryInterval = 0x02, SessionExpiryInterval = 0x11, MaximumPacketSize = 0x27;

    /// <summary>
    /// MQTT 5's Maximum Packet Size counts the whole packet; our limit counts the remaining length, so the fixed
    /// header (one type byte and at most four length bytes) is added when announcing it.
    /// </summary>
    public static uint AnnouncedMaximum(int maxRemainingLength) => (uint)maxRemainingLength + 5;

    /// <summary>Spec 2.2.3: the remaining length is at most four 7-bit groups.</summary>
    public const int MaxRemainingLength = 268_435_455;

    public static byte[] Connect(string clientId, ushort keepaliveSeconds, string? username, string? password, MqttMessage? will,
        MqttVersion version = MqttVersion.V311, int maxPacketSize = 0)
    {
        var body = new Writer();
        body.String("MQTT");
        body.Byte((byte)version);
        // Clean session (3.1.1) / clean start (5): nothing is kept for us between connections.
        byte flags = 0x02;
        if (will is not null) flags |= (byte)(0x04 | (will.Qos << 3) | (will.Retain ? 0x20 : 0));
        if (password is not null) flags |= 0x40;
        if (username is not null) flags |= 0x80;
        body.Byte(flags);
        body.UInt16(keepaliveSeconds);
        if (version == MqttVersion.V5)
        {
            var properties = new Writer();
            // Session Expiry 0: the session ends with the connection, as with 3.1.1's clean session. The broker keeps
            // nothing of a dead router, and a command sent while we were away is not replayed on our return.
            properties.Byte(SessionExpiryInterval);
            properties.UInt32(0);
            if (maxPacketSize > 0)
            {
                properties.Byte(MaximumPacketSize);
                properties.UInt32(AnnouncedMaximum(maxPacketSize));
            }
            body.Properties(properties);
        }
        body.String(clientId);
        if (will is not null)
        {
            if (version == MqttVersion.V5) body.VarInt(0); // will properties: none
            body.String(will.Topic);
            body.Bytes16(will.Payload);
        }
        if (username is not null) body.String(username);
        if (password is not null) body.Bytes16(Encoding.UTF8.GetBytes(password));
        return Frame(0x10, body);
    }

    /// <param name="expirySeconds">MQTT 5 only: what is left of the message's expiry (the caller counts the time it held it).</param>
    public static byte[] Publish(MqttMessage m, ushort packetId, bool dup, MqttVersion version = MqttVersion.V311, uint? expirySeconds = null)
    {
        var body = new Writer();
        body.String(m.Topic);
        if (m.Qos > 0) body.UInt16(packetId);
        if (version == MqttVersion.V5)
        {
            var properties = new Writer();
            if (expirySeconds is { } e)
            {
                properties.Byte(MessageExpiryInterval);
                properties.UInt32(e);
            }
            body.Properties(properties);
        }
        body.Raw(m.Payload);
        var header = (byte)(0x30 | (dup ? 0x08 : 0) | (m.Qos << 1) | (m.Retain ? 0x01 : 0));
        return Frame(header, body);
    }

    public static byte[] PubAck(ushort packetId)
    {
        var body = new Writer();
        body.UInt16(packetId);
        return Frame(0x40, body);
    }

    public static byte[] Subscribe(ushort packetId, IEnumerable<(string Topic, int Qos)> filters, MqttVersion version = MqttVersion.V311)
    {
        var body = new Writer();
        body.UInt16(packetId);
        if (version == MqttVersion.V5) body.VarInt(0); // no properties; the options byte below is the QoS alone
        foreach (var (topic, qos) in filters)
        {
            body.String(topic);
            body.Byte((byte)qos);
        }
        return Frame(0x82, body); // spec 3.8.1: SUBSCRIBE flags are 0010
    }

    public static readonly byte[] PingReq = [0xC0, 0x00];
    public static readonly byte[] Disconnect = [0xE0, 0x00];

    /// <summary>
    /// CONNACK return code (3.1.1, spec 3.2.2.3) or reason code (5, spec 3.2.2.2): the second byte in both. Its
    /// properties (MQTT 5) are not read: a 3.1.1 broker refusing our MQTT 5 CONNECT answers with two bytes.
    /// </summary>
    public static int ConnAckCode(Packet p)
    {
        if (p.Type != PacketType.ConnAck || p.Body.Length < 2) throw new MqttProtocolException($"expected CONNACK, got {Describe(p)}");
        return p.Body[1];
    }

    /// <summary>The broker does not speak the version we asked for: 3.1.1's return code 1, MQTT 5's reason 0x84.</summary>
    public static bool IsUnsupportedVersion(int code) => code is 0x01 or 0x84;

    /// <summary>3.1.1 return codes are 1..5, MQTT 5 reason codes 0x80 and up: one table serves both.</summary>
    public static string ConnAckMeaning(int code) => code switch
    {
        0 => "accepted",
        1 or 0x84 => "refused: unacceptable protocol version",
        2 or 0x85 => "refused: client id rejected",
        3 or 0x88 => "refused: server unavailable",
        4 or 0x86 => "refused: bad user name or password",
        5 or 0x87 => "refused: not authorized",
        0x89 => "refused: server busy",
        0x8A => "refused: banned",
        0x95 => "refused: packet too large",
        0x97 => "refused: quota exceeded",
        0x9F => "refused: connection rate exceeded",
        _ => $"refused: reason code 0x{code:X2}",
    };

    /// <summary>Why an MQTT 5 broker sent DISCONNECT (spec 3.14.2.1), for the one line that says so.</summary>
    public static string DisconnectMeaning(Packet p) => (p.Body.Length == 0 ? 0 : p.Body[0]) switch
    {
        0 => "the broker disconnected us",
        0x8B => "the broker is shutting down",
        0x8D => "the broker disconnected us: keepalive timeout",
        0x8E => "the broker disconnected us: another client took over our client id",
        0x95 => "the broker disconnected us: packet too large",
        var code => $"the broker disconnected us: reason code 0x{code:X2}",
    };

    public static ushort PacketId(Packet p)
    {
        if (p.Body.Length < 2) throw new MqttProtocolException($"{p.Type} too short");
        return BinaryPrimitives.ReadUInt16BigEndian(p.Body);
    }

    /// <summary>The message and, for QoS 1, the packet id to acknowledge.</summary>
    public static (MqttMessage Message, ushort PacketId) ParsePublish(Packet p, MqttVersion version = MqttVersion.V311)
    {
        var qos = (p.Header >> 1) & 0x03;
        if (qos > 1) throw new MqttProtocolException($"PUBLISH with QoS {qos}: we subscribe with QoS 1 at most");
        var span = p.Body.AsSpan();
        if (span.Length < 2) throw new MqttProtocolException("PUBLISH too short");
        var topicLength = BinaryPrimitives.ReadUInt16BigEndian(span);
        var offset = 2 + topicLength + (qos > 0 ? 2 : 0);
        if (span.Length < offset) throw new MqttProtocolException("PUBLISH topic runs past the packet");
        var topic = Encoding.UTF8.GetString(span.Slice(2, topicLength));
        var id = qos > 0 ? BinaryPrimitives.ReadUInt16BigEndian(span[(2 + topicLength)..]) : (ushort)0;
        if (version == MqttVersion.V5) offset = SkipProperties(span, offset, "PUBLISH");
        return (new MqttMessage(topic, span[offset..].ToArray(), qos, (p.Header & 0x01) != 0), id);
    }

    /// <summary>SUBACK return codes, one per filter: 0x00/0x01 granted QoS, 0x80 failure.</summary>
    public static byte[] SubAckCodes(Packet p, MqttVersion version = MqttVersion.V311)
    {
        var start = version == MqttVersion.V5 ? SkipProperties(p.Body, 2, "SUBACK") : 2;
        return p.Body.Length <= start ? throw new MqttProtocolException("SUBACK too short") : p.Body[start..];
    }

    /// <summary>A granted QoS is 0..2; 0x80 (3.1.1) and every MQTT 5 reason from 0x80 up is a refusal.</summary>
    public static bool IsRefusal(byte subAckCode) => subAckCode >= 0x80;

    /// <summary>The offset after the property block that starts at <paramref name="offset"/> (length, then properties).</summary>
    private static int SkipProperties(ReadOnlySpan<byte> span, int offset, string packet)
    {
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 21 || offset >= span.Length) throw new MqttProtocolException($"{packet} properties malformed");
            var b = span[offset++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (length > span.Length - offset) throw new MqttProtocolException($"{packet} properties run past the packet");
        return offset + length;
    }

    public static string Describe(Packet p) => Enum.IsDefined(p.Type) ? p.Type.ToString().ToUpperInvariant() : $"packet type {(int)p.Type}";

    /// <summary>
    /// Reads one whole packet; throws EndOfStreamException when the broker closed the connection. A packet whose
    /// remaining length exceeds <paramref name="maxLength"/> is refused from its length field alone, before its
    /// body is allocated or read: a broker (or anyone on path) must not make us hold what it merely announces.
    /// </summary>
    public static async Task<Packet> ReadAsync(Stream s, int maxLength, CancellationToken ct)
    {
        var one = new byte[1];
        await s.ReadExactlyAsync(one, ct).ConfigureAwait(false);
        var header = one[0];
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 21) throw new MqttProtocolException("remaining length longer than four bytes");
            await s.ReadExactlyAsync(one, ct).ConfigureAwait(false);
            length |= (one[0] & 0x7F) << shift;
            if ((one[0] & 0x80) == 0) break;
        }
        if (length > maxLength) throw new MqttPacketTooLargeException(header, length, maxLength);
        var body = new byte[length];
        await s.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        return new Packet(header, body);
    }

    private static byte[] Frame(byte header, Writer body)
    {
        var length = body.Length;
        if (length > MaxRemainingLength) throw new ArgumentException($"MQTT packet of {length} bytes is too large");
        var prefix = new List<byte>(5) { header };
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            prefix.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        } while (length > 0);
        var frame = new byte[prefix.Count + body.Length];
        prefix.CopyTo(frame);
        body.CopyTo(frame.AsSpan(prefix.Count));
        return frame;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _ms = new();
        public int Length => (int)_ms.Length;
        public void Byte(byte b) => _ms.WriteByte(b);

        public void UInt16(ushort v)
        {
            _ms.WriteByte((byte)(v >> 8));
            _ms.WriteByte((byte)v);
        }

        public void UInt32(uint v)
        {
            UInt16((ushort)(v >> 16));
            UInt16((ushort)v);
        }

        /// <summary>Variable byte integer (spec 1.5.5 of MQTT 5), as used for property lengths.</summary>
        public void VarInt(int v)
        {
            do
            {
                var digit = (byte)(v % 128);
                v /= 128;
                _ms.WriteByte(v > 0 ? (byte)(digit | 0x80) : digit);
            } while (v > 0);
        }

        public void Properties(Writer properties)
        {
            VarInt(properties.Length);
            _ms.Write(properties._ms.GetBuffer(), 0, properties.Length);
        }

        public void String(string s) => Bytes16(Encoding.UTF8.GetBytes(s));

        public void Bytes16(byte[] b)
        {
            if (b.Length > ushort.MaxValue) throw new ArgumentException("MQTT string longer than 65535 bytes");
            UInt16((ushort)b.Length);
            _ms.Write(b);
        }

        public void Raw(byte[] b) => _ms.Write(b);
        public void CopyTo(Span<byte> target) => _ms.GetBuffer().AsSpan(0, Length).CopyTo(target);
    }
}

/// <summary>The broker sent something this client does not accept; the connection is dropped and redone.</summary>
public class MqttProtocolException(string message) : IOException(message);

/// <summary>The broker announced a packet over the client's limit; nothing of its body was read.</summary>
public sealed class MqttPacketTooLargeException(byte header, int length, int limit)
    : MqttProtocolException($"the broker announced a {Describe(header)} of {length} bytes, over max_packet_size {limit}: connection closed")
{
    public int Length { get; } = length;

    private static string Describe(byte header) => MqttPackets.Describe(new Packet(header, []));
}
