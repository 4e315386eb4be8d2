using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Router.Peers;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>
/// Whoever reaches the peer port can send anything before authenticating (hello, framing); after the handshake
/// every frame must be exactly what the peer sealed. Each reader may only refuse with PeerProtocolException.
/// </summary>
public sealed class PeerFramesFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<PeerHello> ValidHello =
        from protocol in Gen.Choose(0, PeerProtocol.ProtocolVersion)
        from schema in Gen.Choose(0, ushort.MaxValue)
        from nonce in Gen.ArrayOf(Inputs.Byte, PeerHello.NonceBytes)
        from node in Inputs.ValidText(80)
        from version in Inputs.ValidText(80)
        from path in Inputs.ValidText(80)
        select new PeerHello((ushort)protocol, (ushort)schema, nonce, node, version, path);

    [Fact]
    public void AHelloSurvivesEncodeAndDecode()
    {
        FuzzRun.Check(output, "peer hello round trip", ValidHello, hello =>
        {
            var (protocol, schema, got) = PeerHello.Decode(hello.Encode());
            Assert.Equal((hello.Protocol, hello.Schema), (protocol, schema));
            Assert.Equal(hello.Nonce, got!.Nonce);
            Assert.Equal((hello.NodeId, hello.SoftwareVersion, hello.Path), (got.NodeId, got.SoftwareVersion, got.Path));
        });
    }

    [Fact]
    public void AnyHelloBodyIsReadOrRefusedWithAProtocolError()
    {
        FuzzRun.Check(output, "peer hello hostile", Inputs.Hostile(ValidHello.Select(h => h.Encode())), body =>
            Budget.Allocation(body.Length, 16 * 1024, 16, () => Budget.Refusal<PeerProtocolException, object>(() => PeerHello.Decode(body))));
    }

    private sealed record Session(byte[] Key, byte Direction, (ushort Type, byte[] Payload)[] Frames);

    private static readonly Gen<Session> Sessions =
        from key in Gen.ArrayOf(Inputs.Byte, 32)
        from direction in Gen.Elements<byte>(0, 1)
        from count in Gen.Choose(1, 6)
        from frames in Gen.ArrayOf(
            from type in Gen.Choose(0, ushort.MaxValue)
            from payload in Inputs.Bytes
            select ((ushort)type, payload), count)
        select new Session(key, direction, frames);

    [Fact]
    public void SealedFramesOpenInOrderAndOnlyOnce()
    {
        FuzzRun.Check(output, "peer frame round trip", Sessions, s =>
        {
            using var sender = new FrameAuthenticator(s.Key, s.Direction);
            using var receiver = new FrameAuthenticator(s.Key, s.Direction);
            var sealedFrames = s.Frames.Select(f => sender.Seal(f.Type, f.Payload)).ToArray();
            for (var i = 0; i < sealedFrames.Length; i++)
            {
                var (type, body) = Split(sealedFrames[i]);
                Assert.Equal(s.Frames[i].Payload, receiver.Open(type, body).ToArray());
            }
            var (replayType, replayBody) = Split(sealedFrames[0]);
            Assert.Throws<PeerProtocolException>(() => receiver.Open(replayType, replayBody));
        });
    }

    [Fact]
    public void ASealedFrameChangedInAnyWayIsRefused()
    {
        var gen =
            from s in Sessions
            from index in Gen.Choose(0, s.Frames.Length - 1)
            from seed in Gen.Choose(0, int.MaxValue)
            select (s, index, seed);
        FuzzRun.Check(output, "peer frame tampered", gen, input =>
        {
            var (s, index, seed) = input;
            using var sender = new FrameAuthenticator(s.Key, s.Direction);
            using var receiver = new FrameAuthenticator(s.Key, s.Direction);
            var frames = s.Frames.Select(f => sender.Seal(f.Type, f.Payload)).ToArray();
            for (var i = 0; i < index; i++)
            {
                var (t, b) = Split(frames[i]);
                receiver.Open(t, b);
            }
            var original = Split(frames[index]);
            var tampered = Split(Tamper(frames[index], seed));
            if (tampered.Type == original.Type && tampered.Body.AsSpan().SequenceEqual(original.Body))
                return; // only the unauthenticated length prefix changed: the framing reader judges that
            Assert.Throws<PeerProtocolException>(() => receiver.Open(tampered.Type, tampered.Body));
        });
    }

    [Fact]
    public void AnyByteStreamOnThePeerPortYieldsBoundedFramesOrAProtocolError()
    {
        var frames =
            from count in Gen.Choose(1, 4)
            from bodies in Gen.ArrayOf(Inputs.Bytes.Select(b => b.Take(PeerProtocol.MaxHandshakeFrame - 2).ToArray()), count)
            select bodies.SelectMany(b => PeerProtocol.RawFrame(PeerProtocol.Hello, b)).ToArray();
        var gen =
            from bytes in Inputs.Hostile(frames)
            from max in Gen.Elements(PeerProtocol.MaxHandshakeFrame, 70_000)
            select (bytes, max);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        FuzzRun.Check(output, "peer framing over TCP", gen, input =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(endpoint);
            using var server = listener.AcceptSocket();
            client.Send(input.bytes);
            client.Shutdown(SocketShutdown.Send);
            using var stream = new NetworkStream(server, ownsSocket: false);
            var read = 0;
            while (true)
            {
                try
                {
                    var (_, body) = PeerProtocol.ReadFrameAsync(stream, input.max, deadline.Token).AsTask().GetAwaiter().GetResult();
                    Assert.InRange(body.Length, 0, input.max - 2);
                    read += PeerProtocol.LengthBytes + 2 + body.Length;
                    Assert.InRange(read, 0, input.bytes.Length);
                }
                catch (Exception e) when (e is PeerProtocolException or EndOfStreamException)
                {
                    break;
                }
            }
        }, scale: 0.1);
    }

    private static (ushort Type, byte[] Body) Split(byte[] frame) =>
        frame.Length < PeerProtocol.LengthBytes + 2
            ? ((ushort)0, [])
            : (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(PeerProtocol.LengthBytes)), frame[(PeerProtocol.LengthBytes + 2)..]);

    private static byte[] Tamper(byte[] frame, int seed)
    {
        var random = new Random(seed);
        var copy = (byte[])frame.Clone();
        switch (random.Next(3))
        {
            case 0:
                var bit = random.Next(copy.Length * 8);
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                return copy;
            case 1:
                return copy[..random.Next(copy.Length)];
            default:
                return [.. copy, (byte)random.Next(256)];
        }
    }
}
