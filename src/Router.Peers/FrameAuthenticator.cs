using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Router.Peers;

/// <summary>
/// Seals and checks the frames of one direction of one session. The MAC is HMAC-SHA256 under the session key
/// (derived from the secret and both hello nonces, so it is new for every connection) over
/// direction(1) | sequence(8) | type(2) | payload. The direction byte stops a frame being reflected back to its
/// sender; the sequence, which must be exactly the next one, stops replay, reordering and dropping within the
/// session; fresh nonces stop replay across sessions.
/// </summary>
internal sealed class FrameAuthenticator : IDisposable
{
    private readonly IncrementalHash _mac;
    private readonly byte _direction;
    private ulong _next;

    public FrameAuthenticator(ReadOnlySpan<byte> sessionKey, byte direction)
    {
        _mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, sessionKey);
        _direction = direction;
    }

    /// <summary>Builds the next complete frame (length prefix included) of this direction.</summary>
    public byte[] Seal(ushort type, ReadOnlySpan<byte> payload)
    {
        var length = 2 + PeerProtocol.SequenceBytes + payload.Length + PeerProtocol.MacBytes;
        var frame = new byte[PeerProtocol.LengthBytes + length];
        var span = frame.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], type);
        BinaryPrimitives.WriteUInt64BigEndian(span[6..], _next++);
        payload.CopyTo(span[14..]);
        Compute(span.Slice(4, 2 + PeerProtocol.SequenceBytes + payload.Length), span[^PeerProtocol.MacBytes..]);
        return frame;
    }

    /// <summary>Checks a received frame (type and the body after it) and returns its payload; throws naming the fault.</summary>
    public ReadOnlyMemory<byte> Open(ushort type, byte[] body)
    {
        if (body.Length < PeerProtocol.SequenceBytes + PeerProtocol.MacBytes)
            throw new PeerProtocolException($"frame of {body.Length} bytes is too short to be authenticated");
        var signed = new byte[2 + body.Length - PeerProtocol.MacBytes];
        BinaryPrimitives.WriteUInt16BigEndian(signed, type);
        body.AsSpan(0, body.Length - PeerProtocol.MacBytes).CopyTo(signed.AsSpan(2));
        Span<byte> expected = stackalloc byte[PeerProtocol.MacBytes];
        Compute(signed, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, body.AsSpan(body.Length - PeerProtocol.MacBytes)))
            throw new PeerProtocolException($"frame of type {type} failed authentication (modified, reflected, or not from this session)");
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(body);
        if (sequence != _next)
            throw new PeerProtocolException($"frame sequence {sequence}, expected {_next} (replayed or reordered)");
        _next++;
        return body.AsMemory(PeerProtocol.SequenceBytes, body.Length - PeerProtocol.SequenceBytes - PeerProtocol.MacBytes);
    }

    private void Compute(ReadOnlySpan<byte> signed, Span<byte> mac)
    {
        _mac.AppendData([_direction]);
        _mac.AppendData(signed);
        _mac.GetHashAndReset(mac);
    }

    public void Dispose() => _mac.Dispose();
}
