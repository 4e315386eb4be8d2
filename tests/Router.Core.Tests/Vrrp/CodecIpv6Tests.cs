using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

public class CodecIpv6Tests
{
    private static readonly IPAddress Source = IPAddress.Parse("fe80::2%3");
    private static readonly IPAddress LinkLocalVip = IPAddress.Parse("fe80::1");
    private static readonly IPAddress GlobalVip = IPAddress.Parse("2001:db8:77::1");
    private static readonly VrrpAdvertisement Adv = new(VrrpVersion.V3, 7, 200, 150, [LinkLocalVip, GlobalVip]);

    [Fact]
    public void EncodesLayoutAndPseudoHeaderChecksum()
    {
        var message = VrrpCodec.Encode(Adv, Source, Group6);

        Assert.Equal(8 + 2 * 16, message.Length);
        Assert.Equal("3107c802" + "0096", Convert.ToHexStringLower(message.AsSpan(0, 6)));
        Assert.Equal(LinkLocalVip.GetAddressBytes(), message[8..24]);
        Assert.Equal(GlobalVip.GetAddressBytes(), message[24..40]);
        // RFC 5798 5.2.8 / RFC 8200 8.1: src, dst, 32-bit length, 3 zero octets, next header 112.
        Assert.Equal(0xFFFF, OnesComplementSum(PseudoHeader(Source, Group6, message.Length), message));
    }

    [Fact]
    public void RoundTrips()
    {
        var message = VrrpCodec.Encode(Adv, Source, Group6);

        Assert.True(VrrpCodec.TryDecode(message, Source, Group6, 255, out var decoded, out var reason));
        Assert.Equal(VrrpDropReason.None, reason);
        Assert.Equal(VrrpVersion.V3, decoded!.Version);
        Assert.Equal(7, decoded.Vrid);
        Assert.Equal(200, decoded.Priority);
        Assert.Equal(150, decoded.AdvertIntervalCs);
        Assert.Equal([LinkLocalVip, GlobalVip], decoded.Addresses);
        Assert.Null(decoded.AuthData);
        Assert.Equal(message, VrrpCodec.Encode(decoded, Source, Group6));
    }

    [Fact]
    public void ChecksumBindsTheSenderAndTheDestination()
    {
        var message = VrrpCodec.Encode(Adv, Source, Group6);

        Assert.False(VrrpCodec.TryDecode(message, IPAddress.Parse("fe80::3"), Group6, 255, out _, out var reason));
        Assert.Equal(VrrpDropReason.BadChecksum, reason);
        Assert.False(VrrpCodec.TryDecode(message, Source, IPAddress.Parse("fe80::9"), 255, out _, out reason));
        Assert.Equal(VrrpDropReason.BadChecksum, reason);
    }

    [Fact]
    public void UnicastV3Ipv4UsesTheRealDestinationInThePseudoHeader()
    {
        var peer = IPAddress.Parse("192.168.77.3");
        var adv = new VrrpAdvertisement(VrrpVersion.V3, 77, 150, 100, [Vip]);
        var message = VrrpCodec.Encode(adv, RouterA, peer);

        Assert.Equal(0xFFFF, OnesComplementSum(PseudoHeader(RouterA, peer, message.Length), message));
        Assert.True(VrrpCodec.TryDecode(message, RouterA, peer, 255, out _, out _));
        Assert.False(VrrpCodec.TryDecode(message, RouterA, Group4, 255, out _, out var reason));
        Assert.Equal(VrrpDropReason.BadChecksum, reason);
    }
}
