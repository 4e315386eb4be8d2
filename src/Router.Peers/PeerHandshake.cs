using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Router.Peers;

/// <summary>
/// Mutual authentication of a fresh TCP connection by the shared secret, without sending it:
/// initiator -> Hello(nonce I); responder -> Hello(nonce R); initiator -> Proof I; responder -> Proof R, then the first
/// authenticated frame (a heartbeat, "ready"). Proof X = HMAC(secret, label X | transcript), with distinct labels per
/// role so a proof cannot be reflected, and transcript = both hello bodies, so it is bound to both nonces and both
/// node ids (fresh nonces on both sides: no proof or session replays). The initiator proves first: a responder gives
/// HMAC material only to someone who has just shown the secret, so saying hello earns nothing to guess a key from.
/// The session key is HMAC(secret, "session" | transcript). Whoever finds a fault sends Reject(kind, reason) before
/// closing, so both routers can report it.
/// </summary>
internal static class PeerHandshake
{
    private static readonly byte[] InitiatorLabel = "routerha peer v2 initiator proof"u8.ToArray();
    private static readonly byte[] ResponderLabel = "routerha peer v2 responder proof"u8.ToArray();
    private static readonly byte[] SessionLabel = "routerha peer v2 session key"u8.ToArray();

    internal const byte DirectionFromInitiator = 0;
    internal const byte DirectionFromResponder = 1;

    /// <summary>A finished handshake: a session, or a refusal to report. I/O failures and timeouts throw.</summary>
    internal sealed record Outcome(PeerSession? Session, PeerRefused? Refusal);

    public static async Task<Outcome> InitiateAsync(Socket socket, PeerChannelOptions o, PeerPath path, Action<PeerSession> adopt, CancellationToken ct)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        var remote = socket.RemoteEndPoint;
        var mine = NewHello(o, path);
        var myBody = mine.Encode();
        await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Hello, myBody), ct).ConfigureAwait(false);

        var (type, body) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, ct).ConfigureAwait(false);
        if (type == PeerProtocol.Reject) return RefusedByPeer(path, remote, null, body);
        if (type != PeerProtocol.Hello) return await Refuse(stream, path, remote, null, PeerRefusal.Malformed, $"expected the peer's hello, got frame type {type}", ct);
        var (protocol, schema, theirs) = PeerHello.Decode(body);
        if (Mismatch(o, protocol, schema) is { } version) return await Refuse(stream, path, remote, theirs?.NodeId, version.Kind, version.Reason, ct);
        if (theirs!.NodeId == o.NodeId) return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.SameNodeId, $"the peer uses our node id '{o.NodeId}': node ids must differ", ct);

        var transcript = Concat(myBody, body);
        await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Proof, Prove(o.Secret, InitiatorLabel, transcript)), ct).ConfigureAwait(false);
        (type, body) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, ct).ConfigureAwait(false);
        if (type == PeerProtocol.Reject) return RefusedByPeer(path, remote, theirs.NodeId, body);
        if (type != PeerProtocol.Proof) return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.Malformed, $"expected the peer's proof, got frame type {type}", ct);
        if (!Verify(o.Secret, ResponderLabel, transcript, body))
            return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.WrongKey, WrongKey(theirs.NodeId, remote), ct);

        var session = NewSession(socket, stream, o, path, theirs, remote, outbound: true, transcript);
        (type, body) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.LengthBytes + o.MaxPayloadBytes + 64, ct).ConfigureAwait(false);
        if (type == PeerProtocol.Reject)
        {
            session.Dispose();
            return RefusedByPeer(path, remote, theirs.NodeId, body);
        }
        session.AcceptReady(type, body);
        adopt(session);
        return new Outcome(session, null);
    }

    /// <summary>Answers a connection whose source the channel already checked. <paramref name="firstFrame"/> bounds the
    /// wait for the hello (an idle connection must not hold a slot); <paramref name="ct"/> the whole handshake.</summary>
    public static async Task<Outcome> RespondAsync(Socket socket, PeerChannelOptions o, PeerPath path, Action<PeerSession> adopt,
        CancellationToken firstFrame, CancellationToken ct)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        var remote = socket.RemoteEndPoint;
        var (type, body) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, firstFrame).ConfigureAwait(false);
        if (type != PeerProtocol.Hello) return await Refuse(stream, path, remote, null, PeerRefusal.Malformed, $"expected a hello, got frame type {type}", ct);
        var (protocol, schema, theirs) = PeerHello.Decode(body);
        if (Mismatch(o, protocol, schema) is { } version) return await Refuse(stream, path, remote, theirs?.NodeId, version.Kind, version.Reason, ct);
        if (theirs!.Path != path.Name)
            return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.WrongPath,
                $"the peer dialled path '{theirs.Path}' but reached our listener for path '{path.Name}'", ct);
        if (theirs.NodeId == o.NodeId) return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.SameNodeId, $"the peer uses our node id '{o.NodeId}': node ids must differ", ct);

        var mine = NewHello(o, path);
        var myBody = mine.Encode();
        var transcript = Concat(body, myBody);
        await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Hello, myBody), ct).ConfigureAwait(false);

        (type, body) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, ct).ConfigureAwait(false);
        if (type == PeerProtocol.Reject) return RefusedByPeer(path, remote, theirs.NodeId, body);
        if (type != PeerProtocol.Proof) return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.Malformed, $"expected the peer's proof, got frame type {type}", ct);
        // No proof of ours goes to someone who could not prove theirs.
        if (!Verify(o.Secret, InitiatorLabel, transcript, body))
            return await Refuse(stream, path, remote, theirs.NodeId, PeerRefusal.WrongKey, WrongKey(theirs.NodeId, remote), ct);
        await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Proof, Prove(o.Secret, ResponderLabel, transcript)), ct).ConfigureAwait(false);

        var session = NewSession(socket, stream, o, path, theirs, remote, outbound: false, transcript);
        // Adopted before "ready" goes out: by the time the initiator counts this connection as up, we do too,
        // so the duplicate rule sees the same connections on both sides.
        adopt(session);
        return new Outcome(session, null);
    }

    private static PeerHello NewHello(PeerChannelOptions o, PeerPath path) =>
        new(PeerProtocol.ProtocolVersion, o.SchemaVersion, RandomNumberGenerator.GetBytes(PeerHello.NonceBytes), o.NodeId, o.SoftwareVersion, path.Name);

    /// <summary>Both routers must speak the same protocol (the proof order changed in 2: an older peer could never finish);
    /// a newer message schema is refused by the older side, which names the router to upgrade.</summary>
    private static (PeerRefusal Kind, string Reason)? Mismatch(PeerChannelOptions o, ushort protocol, ushort schema)
    {
        var ours = $"protocol {PeerProtocol.ProtocolVersion} schema {o.SchemaVersion}, routerha {o.SoftwareVersion}";
        if (protocol > PeerProtocol.ProtocolVersion || (protocol == PeerProtocol.ProtocolVersion && schema > o.SchemaVersion))
            return (PeerRefusal.NewerSchema, $"the peer speaks protocol {protocol} schema {schema}, newer than ours ({ours}): upgrade this router");
        if (protocol < PeerProtocol.ProtocolVersion)
            return (PeerRefusal.OlderProtocol, $"the peer speaks protocol {protocol}, older than ours ({ours}): upgrade the peer");
        return null;
    }

    private static string WrongKey(string nodeId, EndPoint? remote) =>
        $"peer '{nodeId}' at {remote} failed authentication: its secret differs from ours";

    private static PeerSession NewSession(Socket socket, NetworkStream stream, PeerChannelOptions o, PeerPath path, PeerHello theirs,
        EndPoint? remote, bool outbound, byte[] transcript)
    {
        var key = HMACSHA256.HashData(o.Secret.Key, Concat(SessionLabel, transcript));
        var (send, receive) = outbound
            ? (DirectionFromInitiator, DirectionFromResponder)
            : (DirectionFromResponder, DirectionFromInitiator);
        var session = new PeerSession(socket, stream, o, path.Name, theirs.NodeId, theirs.SoftwareVersion, (IPEndPoint)remote!, outbound,
            new FrameAuthenticator(key, send), new FrameAuthenticator(key, receive));
        CryptographicOperations.ZeroMemory(key);
        return session;
    }

    private static byte[] Prove(PeerSecret secret, byte[] label, byte[] transcript) => HMACSHA256.HashData(secret.Key, Concat(label, transcript));

    private static bool Verify(PeerSecret secret, byte[] label, byte[] transcript, byte[] proof) =>
        CryptographicOperations.FixedTimeEquals(Prove(secret, label, transcript), proof);

    private static async Task<Outcome> Refuse(NetworkStream stream, PeerPath path, EndPoint? remote, string? nodeId, PeerRefusal kind, string reason, CancellationToken ct)
    {
        var body = Concat([(byte)kind], Encoding.UTF8.GetBytes(reason));
        try { await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Reject, body), ct).ConfigureAwait(false); }
        catch (IOException) { /* the refusal is reported here either way */ }
        return new Outcome(null, new PeerRefused(path.Name, remote, nodeId, kind, ByPeer: false, reason));
    }

    private static Outcome RefusedByPeer(PeerPath path, EndPoint? remote, string? nodeId, byte[] body)
    {
        var kind = body.Length > 0 && Enum.IsDefined((PeerRefusal)body[0]) ? (PeerRefusal)body[0] : PeerRefusal.Malformed;
        var reason = body.Length > 1 ? Encoding.UTF8.GetString(body.AsSpan(1)) : "no reason given";
        return new Outcome(null, new PeerRefused(path.Name, remote, nodeId, kind, ByPeer: true, $"refused by the peer: {reason}"));
    }

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r, 0);
        b.CopyTo(r, a.Length);
        return r;
    }
}
