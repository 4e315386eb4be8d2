using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

/// <summary>Every structural drop reason from a crafted packet. Checksums are repaired after each mutation
/// (independently of the codec) so the packet fails for the reason under test only.</summary>
public class CodecDropReasonTests
{
    private static readonly IPAddress Ll6 = IPAddress.Parse("fe80::2");

    private static byte[] V3() => Convert.FromHexString(V3Adv1Hex);
    private static byte[] V2() => Convert.FromHexString(V2PassHex);

    private static byte[] V3With(Action<byte[]> mutate, IPAddress? source = null, IPAddress? destination = null)
    {
        var m = V3();
        mutate(m);
        return WithChecksum(m, source ?? RouterA, destination ?? Group4);
    }

    private static byte[] V2With(Action<byte[]> mutate)
    {
        var m = V2();
        mutate(m);
        return WithChecksum(m);
    }

    private static VrrpDropReason Reason(byte[] message, IPAddress? source = null, IPAddress? destination = null, int ttl = 255)
    {
        var ok = VrrpCodec.TryDecode(message, source ?? RouterA, destination ?? Group4, ttl, out var adv, out var reason);
        Assert.Equal(ok, reason == VrrpDropReason.None);
        Assert.Equal(ok, adv is not null);
        return reason;
    }

    [Fact]
    public void CapturedPacketsPass()
    {
        Assert.Equal(VrrpDropReason.None, Reason(V3()));
        Assert.Equal(VrrpDropReason.None, Reason(V2()));
    }

    [Fact]
    public void TooShort()
    {
        Assert.Equal(VrrpDropReason.TooShort, Reason([]));
        Assert.Equal(VrrpDropReason.TooShort, Reason(V3()[..7]));
        // Shortness is reported before a bad TTL.
        Assert.Equal(VrrpDropReason.TooShort, Reason(V3()[..7], ttl: 1));
    }

    [Theory]
    [InlineData(254)]
    [InlineData(64)]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(256)]
    public void BadTtl(int ttl)
    {
        Assert.Equal(VrrpDropReason.BadTtl, Reason(V3(), ttl: ttl));
        Assert.Equal(VrrpDropReason.BadTtl, Reason(V2(), ttl: ttl));
    }

    [Theory]
    [InlineData(0x01)]
    [InlineData(0x11)]
    [InlineData(0x41)]
    [InlineData(0xF1)]
    public void BadVersion(byte firstOctet)
    {
        Assert.Equal(VrrpDropReason.BadVersion, Reason(V3With(m => m[0] = firstOctet)));
    }

    [Fact]
    public void BadAddressFamily()
    {
        // VRRPv2 is IPv4-only.
        var v2AsIpv6 = WithChecksum([.. V2()[..8], .. IPAddress.Parse("fe80::1").GetAddressBytes(), .. new byte[8]]);
        Assert.Equal(VrrpDropReason.BadAddressFamily, Reason(v2AsIpv6, Ll6, Group6));
        // Source and destination of different families cannot form a pseudo-header.
        Assert.Equal(VrrpDropReason.BadAddressFamily, Reason(V3(), RouterA, Group6));
        Assert.Equal(VrrpDropReason.BadAddressFamily, Reason(V3(), Ll6, Group4));
    }

    [Fact]
    public void NullAddressesAreADropNotAnException()
    {
        Assert.False(VrrpCodec.TryDecode(V3(), null!, Group4, 255, out _, out var reason));
        Assert.Equal(VrrpDropReason.BadAddressFamily, reason);
        Assert.False(VrrpCodec.TryDecode(V3(), RouterA, null!, 255, out _, out reason));
        Assert.Equal(VrrpDropReason.BadAddressFamily, reason);
    }

    [Theory]
    [InlineData(0x30)]
    [InlineData(0x32)]
    [InlineData(0x3F)]
    public void BadType(byte firstOctet)
    {
        Assert.Equal(VrrpDropReason.BadType, Reason(V3With(m => m[0] = firstOctet)));
        Assert.Equal(VrrpDropReason.BadType, Reason(V2With(m => m[0] = (byte)(0x20 | firstOctet & 0x0F))));
    }

    [Fact]
    public void BadInterval()
    {
        Assert.Equal(VrrpDropReason.BadInterval, Reason(V3With(m => m[4] = m[5] = 0)));
        // Only the reserved bits set: the 12-bit interval is still 0.
        Assert.Equal(VrrpDropReason.BadInterval, Reason(V3With(m => { m[4] = 0xF0; m[5] = 0; })));
        Assert.Equal(VrrpDropReason.BadInterval, Reason(V2With(m => m[5] = 0)));
    }

    [Fact]
    public void ReservedBitsAreIgnoredOnReceive()
    {
        var message = V3With(m => m[4] = 0xA0);
        Assert.True(VrrpCodec.TryDecode(message, RouterA, Group4, 255, out var adv, out _));
        Assert.Equal(100, adv!.AdvertIntervalCs);
    }

    [Fact]
    public void BadLength()
    {
        Assert.Equal(VrrpDropReason.BadLength, Reason(V3With(m => m[3] = 0)));
        Assert.Equal(VrrpDropReason.BadLength, Reason(V3With(m => m[3] = 2)));
        Assert.Equal(VrrpDropReason.BadLength, Reason(V2With(m => m[3] = 0)));
        // keepalived rejects trailing bytes ("packet too long"), and so do we.
        Assert.Equal(VrrpDropReason.BadLength, Reason(WithChecksum([.. V3(), 0, 0], RouterA, Group4)));
        Assert.Equal(VrrpDropReason.BadLength, Reason(WithChecksum([.. V3(), 0, 0, 0, 0], RouterA, Group4)));
        // v2 without its 8 auth octets.
        Assert.Equal(VrrpDropReason.BadLength, Reason(WithChecksum(V2()[..12])));
        // A v3 IPv4 message read as IPv6 is 12 octets where 24 are expected.
        Assert.Equal(VrrpDropReason.BadLength, Reason(V3(), Ll6, Group6));
    }

    [Fact]
    public void BadChecksum()
    {
        Assert.Equal(VrrpDropReason.BadChecksum, Reason(V3With(_ => { }, source: IPAddress.Parse("192.168.77.3"))));
        var v3 = V3();
        v3[7] ^= 1;
        Assert.Equal(VrrpDropReason.BadChecksum, Reason(v3));
        var v2 = V2();
        v2[^1] ^= 0x80;
        Assert.Equal(VrrpDropReason.BadChecksum, Reason(v2));
        // A v2 message checksummed like v3 (with pseudo-header) is wrong, and a v3 message without it too.
        Assert.Equal(VrrpDropReason.BadChecksum, Reason(WithChecksum(V2(), RouterA, Group4)));
        Assert.Equal(VrrpDropReason.BadChecksum, Reason(WithChecksum(V3())));
    }

    [Fact]
    public void ChecksFollowTheDocumentedOrder()
    {
        // Each packet is wrong in two ways; the earlier check wins.
        Assert.Equal(VrrpDropReason.BadTtl, Reason(V3With(m => m[0] = 0x41), ttl: 64));
        Assert.Equal(VrrpDropReason.BadVersion, Reason(V3With(m => m[0] = 0x42)));
        Assert.Equal(VrrpDropReason.BadType, Reason(V3With(m => { m[0] = 0x32; m[5] = 0; })));
        Assert.Equal(VrrpDropReason.BadInterval, Reason(V3With(m => { m[5] = 0; m[3] = 9; })));
        var badLengthAndChecksum = V3();
        badLengthAndChecksum[3] = 3;
        Assert.Equal(VrrpDropReason.BadLength, Reason(badLengthAndChecksum));
    }
}
