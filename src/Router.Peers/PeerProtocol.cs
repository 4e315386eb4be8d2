using System.Buffers.Binary;
using System.Net.Sockets;

namespace Router.Peers;

/// <summary>
/// Wire constants and raw framing. Every frame is u32 length (of what follows) | u16 type | body, big-endian.
/// Handshake frames (Hello, Proof, Reject) carry no MAC; every later frame is
/// u32 length | u16 type | u64 sequence | payload | HMAC-SHA256(32) (see <see cref="FrameAuthenticator"/>).
/// </summary>
public static class PeerProtocol
{
    /// <summary>Framing and handshake format. 2: the initiator proves the secret first (1 had the responder prove first).</summary>
    public const ushort ProtocolVersion = 2;
    /// <summary>The set of message types and their payloads; a router refuses a peer announcing a newer one.</summary>
    public const ushort SchemaVersion = 1;
    /// <summary>Owner message types start here; lower types belong to the channel.</summary>
    public const ushort FirstMessageType = 0x0100;

    internal const ushort Hello = 1;
    internal const ushort Proof = 2;
    internal const ushort Reject = 3;
    internal const ushort Heartbeat = 16;
    internal const ushort Goodbye = 17;

    internal const byte GoodbyeStopping = 1;
    internal const byte GoodbyeSuperseded = 2;

    internal const int LengthBytes = 4;
    internal const int SequenceBytes = 8;
    internal const int MacBytes = 32;
    /// <summary>Handshake frames are small; a bigger one is not a routerha peer.</summary>
    internal const int MaxHandshakeFrame = 1024;

    /// <summary>Reads one frame; returns its type and the bytes after the type. Throws on EOF or an oversized length.</summary>
    internal static async ValueTask<(ushort Type, byte[] Body)> ReadFrameAsync(NetworkStream stream, int maxLength, CancellationToken ct)
    {
        var head = new byte[LengthBytes + 2];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (length < 2 || length > maxLength)
            throw new PeerProtocolException($"frame length {length} outside 2..{maxLength}");
        var body = new byte[length - 2];
        await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        return (BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(LengthBytes)), body);
    }

    internal static byte[] RawFrame(ushort type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[LengthBytes + 2 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(2 + body.Length));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(LengthBytes), type);
        body.CopyTo(frame.AsSpan(LengthBytes + 2));
        return frame;
    }
}

/// <summary>The peer broke the protocol; the message says how (never contains key material).</summary>
public sealed class PeerProtocolException(string message) : Exception(message);
