using FsCheck;
using FsCheck.Fluent;
using Router.Core.Config;
using Router.Integrations.Mqtt;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>
/// The broker, or anyone on the path to it (TLS is optional), decides every byte the MQTT client reads: the
/// reader and the packet decoders may only refuse with MqttProtocolException, or EndOfStreamException when the
/// stream ends, and must not allocate what a length field announces before the bytes arrive.
/// </summary>
public sealed class MqttPacketsFuzzTests(ITestOutputHelper output)
{
    /// <summary>The client's default limit (max_packet_size): the most a reader may allocate whatever the input.</summary>
    private const int MaxPacket = MqttConfig.DefaultMaxPacketSize;

    /// <summary>One packet at the limit, plus the reader's bookkeeping and a refusal's stack trace.</summary>
    private const long PacketAllowance = MaxPacket + 16 * 1024;

    private static readonly Gen<int> PayloadLength = Gen.Frequency(
        (6, Gen.Choose(0, 200)),
        // Around the remaining-length encoding's boundaries (127/128, 16383/16384 bytes).
        (1, Gen.Choose(100, 140)),
        (1, Gen.Choose(16_300, 16_420)));

    private static readonly Gen<(MqttMessage Message, ushort Id)> Publishes =
        from topic in Inputs.ValidText(60)
        from length in PayloadLength
        from payload in Gen.ArrayOf(Inputs.Byte, length)
        from qos in Gen.Elements(0, 1)
        from retain in Gen.Elements(true, false)
        from id in Gen.Choose(1, ushort.MaxValue)
        select (new MqttMessage(topic, payload, qos, retain), (ushort)(qos == 0 ? 0 : id));

    [Fact]
    public void APublishReadBackFromTheWireIsTheMessageSent()
    {
        FuzzRun.Check(output, "mqtt publish round trip", Publishes, sent =>
        {
            var wire = MqttPackets.Publish(sent.Message, sent.Id, dup: false);
            using var stream = new MemoryStream(wire);
            var packet = MqttPackets.ReadAsync(stream, MaxPacket, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(wire.Length, stream.Position);
            var (message, id) = MqttPackets.ParsePublish(packet);
            Assert.Equal((sent.Message.Topic, sent.Message.Qos, sent.Message.Retain, sent.Id), (message.Topic, message.Qos, message.Retain, id));
            Assert.Equal(sent.Message.Payload, message.Payload);
        }, scale: 0.25); // 16 KiB payloads: the slowest property per case
    }

    private static readonly Gen<byte[]> BrokerStream =
        from count in Gen.Choose(1, 3)
        from packets in Gen.ArrayOf(Gen.OneOf(
            Publishes.Select(p => MqttPackets.Publish(p.Message, p.Id, dup: false)),
            Gen.Choose(0, 5).Select(code => new byte[] { 0x20, 0x02, 0x00, (byte)code }),
            Gen.Choose(1, ushort.MaxValue).Select(id => new byte[] { 0x40, 0x02, (byte)(id >> 8), (byte)id }),
            Gen.Choose(1, ushort.MaxValue).Select(id => new byte[] { 0x90, 0x03, (byte)(id >> 8), (byte)id, 0x01 }),
            Gen.Constant(new byte[] { 0xD0, 0x00 })), count)
        select packets.SelectMany(p => p).ToArray();

    [Fact]
    public void AnyBytesFromTheBrokerAreReadAsPacketsOrRefusedWithoutAllocatingWhatTheyAnnounce()
    {
        FuzzRun.Check(output, "mqtt stream hostile", Inputs.Hostile(BrokerStream), bytes =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            while (true)
            {
                var before = stream.Position;
                var packet = Budget.Allocation((int)(bytes.Length - before), PacketAllowance, 8, () =>
                {
                    try
                    {
                        return (Packet?)MqttPackets.ReadAsync(stream, MaxPacket, CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (Exception e) when (e is MqttProtocolException or EndOfStreamException)
                    {
                        return null;
                    }
                });
                if (packet is not { } p) break;
                Decode(p);
            }
        });
    }

    [Fact]
    public void AnyPacketBodyIsDecodedOrRefusedWithAProtocolError()
    {
        var gen =
            from header in Inputs.Byte
            from body in Inputs.Hostile(BrokerStream.Select(b => b.Length > 2 ? b[2..] : b))
            select new Packet(header, body);
        // Four decoders run on each body, and two of them copy it (the payload, the return codes); each refusal
        // is an exception with its stack trace (the fixed part).
        FuzzRun.Check(output, "mqtt packet hostile", gen, p => Budget.Allocation(p.Body.Length, 16 * 1024, 16, () => Decode(p)));
    }

    /// <summary>Every decoder the client applies to what it reads, each allowed to refuse.</summary>
    private static int Decode(Packet p)
    {
        Budget.Refusal<MqttProtocolException, int>(() => MqttPackets.ConnAckCode(p));
        Budget.Refusal<MqttProtocolException, ushort>(() => MqttPackets.PacketId(p));
        Budget.Refusal<MqttProtocolException, (MqttMessage, ushort)>(() => MqttPackets.ParsePublish(p));
        Budget.Refusal<MqttProtocolException, byte[]>(() => MqttPackets.SubAckCodes(p));
        return MqttPackets.Describe(p).Length;
    }
}
