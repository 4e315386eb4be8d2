using System.Net;
using System.Text;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

/// <summary>Packets keepalived 2.2.7 put on the wire (tests/testdata/vrrp) decode field by field and re-encode byte for byte.</summary>
public class CodecCaptureTests
{
    private sealed record Captured(byte[] Message, IPAddress Source, IPAddress Destination, int Ttl);

    private static List<Captured> VrrpPackets(string file)
    {
        var packets = new List<Captured>();
        foreach (var frame in CodecPcapReader.ReadFrames(Path.Combine(CaptureDirectory, file)))
        {
            if (CodecPcapReader.Ipv4Datagram(frame) is not { } datagram)
                continue;
            Assert.True(VrrpCodec.TryParseIpv4(datagram, out var source, out var destination, out var ttl,
                out var protocol, out var offset, out var length));
            Assert.Equal(20, offset);
            Assert.Equal(datagram.Length - 20, length);
            Assert.Equal(VrrpCodec.ProtocolNumber, protocol);
            Assert.Equal(RouterA, source);
            Assert.Equal(Group4, destination);
            Assert.Equal(255, ttl);
            packets.Add(new Captured(datagram.AsSpan(offset, length).ToArray(), source, destination, ttl));
        }
        return packets;
    }

    private static VrrpAdvertisement Decode(Captured packet)
    {
        Assert.True(VrrpCodec.TryDecode(packet.Message, packet.Source, packet.Destination, packet.Ttl,
            out var adv, out var reason), $"dropped: {reason}");
        Assert.Equal(VrrpDropReason.None, reason);
        return adv!;
    }

    [Theory]
    [InlineData("vrrp3_adv1.pcap", 100, V3Adv1Hex)]
    [InlineData("vrrp3_adv001.pcap", 1, V3Adv001Hex)]
    public void V3AdvertsDecodeAndReencodeExactly(string file, int intervalCs, string expectedHex)
    {
        var packets = VrrpPackets(file);
        Assert.Equal(4, packets.Count);
        foreach (var packet in packets)
        {
            Assert.Equal(expectedHex, Convert.ToHexStringLower(packet.Message));
            var adv = Decode(packet);
            Assert.Equal(VrrpVersion.V3, adv.Version);
            Assert.Equal(77, adv.Vrid);
            Assert.Equal(150, adv.Priority);
            Assert.Equal(intervalCs, adv.AdvertIntervalCs);
            Assert.Equal([Vip], adv.Addresses);
            Assert.Equal(VrrpAuthType.None, adv.AuthType);
            Assert.Null(adv.AuthData);
            Assert.Equal(packet.Message, VrrpCodec.Encode(adv, packet.Source, packet.Destination));
        }
    }

    [Fact]
    public void PriorityZeroOnShutdownDecodesAndReencodesExactly()
    {
        // The capture holds two normal adverts, the gratuitous ARPs (skipped: not IPv4) and the priority-0 advert.
        var packets = VrrpPackets("vrrp3_garp_prio0.pcap");
        Assert.Equal([150, 150, 0], packets.Select(p => (int)Decode(p).Priority));
        var last = packets[^1];
        Assert.Equal(V3Prio0Hex, Convert.ToHexStringLower(last.Message));
        var adv = Decode(last);
        Assert.Equal(new VrrpAdvertisement(VrrpVersion.V3, 77, 0, 100, adv.Addresses), adv);
        Assert.Equal([Vip], adv.Addresses);
        Assert.Equal(last.Message, VrrpCodec.Encode(adv, last.Source, last.Destination));
    }

    [Fact]
    public void V2PasswordAdvertDecodesAndReencodesExactly()
    {
        var packets = VrrpPackets("vrrp2_pass.pcap");
        Assert.Equal(4, packets.Count);
        foreach (var packet in packets)
        {
            Assert.Equal(V2PassHex, Convert.ToHexStringLower(packet.Message));
            var adv = Decode(packet);
            Assert.Equal(VrrpVersion.V2, adv.Version);
            Assert.Equal(77, adv.Vrid);
            Assert.Equal(150, adv.Priority);
            Assert.Equal(100, adv.AdvertIntervalCs);
            Assert.Equal([Vip], adv.Addresses);
            Assert.Equal(VrrpAuthType.Pass, adv.AuthType);
            Assert.Equal("secret12", Encoding.ASCII.GetString(adv.AuthData!));
            Assert.Equal(packet.Message, VrrpCodec.Encode(adv, packet.Source, packet.Destination));
        }
    }

    [Fact]
    public void V2ChecksumCoversTheMessageOnlyAndV3AddsThePseudoHeader()
    {
        var v2 = Convert.FromHexString(V2PassHex);
        Assert.Equal(0xFFFF, OnesComplementSum(v2));
        Assert.Equal(v2, VrrpCodec.Encode(Decode(new Captured(v2, RouterA, Group4, 255)), IPAddress.Parse("10.9.9.9"), Group4));

        var v3 = Convert.FromHexString(V3Adv1Hex);
        Assert.Equal(0xFFFF, OnesComplementSum(PseudoHeader(RouterA, Group4, v3.Length), v3));
        Assert.NotEqual(0xFFFF, OnesComplementSum(v3));
    }

    [Fact]
    public void V2WithoutAuthenticationSendsEightZeroOctets()
    {
        var adv = new VrrpAdvertisement(VrrpVersion.V2, 77, 150, 100, [Vip]);
        var message = VrrpCodec.Encode(adv, RouterA, Group4);
        Assert.Equal("214d96010001", Convert.ToHexStringLower(message.AsSpan(0, 6)));
        Assert.Equal(20, message.Length);
        Assert.Equal(new byte[8], message[12..]);
        Assert.Equal(0xFFFF, OnesComplementSum(message));

        Assert.True(VrrpCodec.TryDecode(message, RouterA, Group4, 255, out var decoded, out _));
        Assert.Equal(VrrpAuthType.None, decoded!.AuthType);
        Assert.Equal(new byte[8], decoded.AuthData);
    }

    [Fact]
    public void ShortPasswordIsNulPadded()
    {
        var adv = new VrrpAdvertisement(VrrpVersion.V2, 1, 100, 300, [Vip], VrrpAuthType.Pass, "abc"u8.ToArray());
        var message = VrrpCodec.Encode(adv, RouterA, Group4);
        Assert.Equal("0103", Convert.ToHexStringLower(message.AsSpan(4, 2)));
        Assert.Equal("6162630000000000", Convert.ToHexStringLower(message.AsSpan(12)));
    }
}
