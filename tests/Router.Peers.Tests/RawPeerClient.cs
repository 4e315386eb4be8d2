using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Router.Peers.Tests;

/// <summary>A host that speaks the handshake by hand (an attacker without the secret): connects from a chosen source
/// address, sends what the test says and reads every frame the router answers until it closes.</summary>
internal sealed class RawPeerClient : IDisposable
{
    private readonly Socket _socket;

    private RawPeerClient(Socket socket) => _socket = socket;

    public static RawPeerClient Connect(IPEndPoint target, IPAddress? from = null)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null) s.Bind(new IPEndPoint(from, 0));
        s.Connect(target);
        return new RawPeerClient(s);
    }

    public static byte[] Hello(string nodeId = "mallory", string path = "lan", ushort protocol = PeerProtocol.ProtocolVersion) =>
        PeerProtocol.RawFrame(PeerProtocol.Hello,
            new PeerHello(protocol, PeerProtocol.SchemaVersion, RandomNumberGenerator.GetBytes(PeerHello.NonceBytes), nodeId, "evil-1", path).Encode());

    public static byte[] GuessedProof() => PeerProtocol.RawFrame(PeerProtocol.Proof, RandomNumberGenerator.GetBytes(32));

    /// <summary>Sends; false when the router already closed the connection.</summary>
    public bool TrySend(byte[] bytes)
    {
        try
        {
            _socket.Send(bytes);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The next frame (type, body), or null when the router closed (or reset) the connection; bounded by a deadline.</summary>
    public (ushort Type, byte[] Body)? ReadFrame(TimeSpan? timeout = null)
    {
        _socket.ReceiveTimeout = (int)(timeout ?? PeerNode.Deadline).TotalMilliseconds;
        var head = new byte[6];
        if (!ReadExactly(head)) return null;
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(head) - 2];
        return ReadExactly(body) ? (BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(4)), body) : null;
    }

    /// <summary>Every frame until the router closes the connection.</summary>
    public List<(ushort Type, byte[] Body)> ReadAll()
    {
        var frames = new List<(ushort, byte[])>();
        while (ReadFrame() is { } f) frames.Add(f);
        return frames;
    }

    /// <summary>How many bytes arrive before the router closes; throws if it does not close within the timeout.</summary>
    public int BytesUntilClosed(TimeSpan timeout)
    {
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        var total = 0;
        var buf = new byte[4096];
        try
        {
            int n;
            while ((n = _socket.Receive(buf)) > 0) total += n;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset is a close too.
        }
        return total;
    }

    private bool ReadExactly(byte[] buffer)
    {
        var at = 0;
        try
        {
            while (at < buffer.Length)
            {
                var n = _socket.Receive(buffer, at, buffer.Length - at, SocketFlags.None);
                if (n == 0) return false;
                at += n;
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
