using System.Net;
using Router.Core.Vrrp;

namespace Router.Core.Tests.Vrrp;

public class CodecIpv4HeaderTests
{
    // The IPv4 header of capture [4] (v2, total length 40) followed by its 20-octet VRRP message.
    private static byte[] Datagram() => Convert.FromHexString(
        "45c000280001" + "0000ff70cce7c0a84d02e0000012" + CodecTestSupport.V2PassHex);

    [Fact]
    public void ParsesTheCapturedHeader()
    {
        Assert.True(VrrpCodec.TryParseIpv4(Datagram(), out var source, out var destination, out var ttl,
            out var protocol, out var offset, out var length));
        Assert.Equal(IPAddress.Parse("192.168.77.2"), source);
        Assert.Equal(IPAddress.Parse("224.0.0.18"), destination);
        Assert.Equal((255, 112, 20, 20), (ttl, protocol, offset, length));
    }

    [Fact]
    public void HeaderOptionsMoveThePayload()
    {
        var d = Datagram();
        // IHL 6 with a 4-octet option (router alert) inserted; total length grows by 4.
        byte[] withOption = [.. d[..20], 0x94, 0x04, 0x00, 0x00, .. d[20..]];
        withOption[0] = 0x46;
        withOption[3] = 44;
        Assert.True(VrrpCodec.TryParseIpv4(withOption, out _, out _, out _, out _, out var offset, out var length));
        Assert.Equal((24, 20), (offset, length));
        Assert.Equal(CodecTestSupport.V2PassHex, Convert.ToHexStringLower(withOption.AsSpan(offset, length)));
    }

    [Fact]
    public void TrailingLinkPaddingIsNotPayload()
    {
        byte[] padded = [.. Datagram(), 0, 0, 0, 0, 0, 0];
        Assert.True(VrrpCodec.TryParseIpv4(padded, out _, out _, out _, out _, out var offset, out var length));
        Assert.Equal((20, 20), (offset, length));
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var d = Datagram();
        byte[] With(int index, byte value) { var c = (byte[])d.Clone(); c[index] = value; return c; }
        return new()
        {
            { "empty", [] },
            { "19 octets", d[..19] },
            { "IPv6 version nibble", With(0, 0x65) },
            { "IHL 4", With(0, 0x44) },
            { "IHL beyond total length", With(0, 0x4F) },
            { "total length beyond buffer", With(3, 41) },
            { "total length shorter than header", With(3, 19) },
            { "truncated payload", d[..39] },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void RejectsMalformed(string because, byte[] datagram)
    {
        Assert.False(VrrpCodec.TryParseIpv4(datagram, out _, out _, out _, out _, out _, out _), because);
    }
}
