using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

/// <summary>Advertisements the wire cannot carry are refused instead of being silently truncated.</summary>
public class CodecEncodeValidationTests
{
    public static TheoryData<string, VrrpAdvertisement, string, string> Unencodable => new()
    {
        { "v2 over IPv6", new(VrrpVersion.V2, 1, 100, 100, [IPAddress.Parse("fe80::1")]), "fe80::2", "ff02::12" },
        { "no address", new(VrrpVersion.V3, 1, 100, 100, []), "192.168.77.2", "224.0.0.18" },
        { "256 addresses", new(VrrpVersion.V3, 1, 100, 100, Enumerable.Repeat(IPAddress.Parse("10.0.0.1"), 256).ToArray()), "192.168.77.2", "224.0.0.18" },
        { "IPv6 VIP from IPv4 source", new(VrrpVersion.V3, 1, 100, 100, [IPAddress.Parse("2001:db8::1")]), "192.168.77.2", "224.0.0.18" },
        { "source and destination families differ", new(VrrpVersion.V3, 1, 100, 100, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "ff02::12" },
        { "v3 interval 0", new(VrrpVersion.V3, 1, 100, 0, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
        { "v3 interval over 12 bits", new(VrrpVersion.V3, 1, 100, 4096, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
        { "v2 fractional seconds", new(VrrpVersion.V2, 1, 100, 150, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
        { "v2 interval 0", new(VrrpVersion.V2, 1, 100, 0, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
        { "v2 interval 256 s", new(VrrpVersion.V2, 1, 100, 25600, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
        { "v2 password of 9 octets", new(VrrpVersion.V2, 1, 100, 100, [IPAddress.Parse("10.0.0.1")], VrrpAuthType.Pass, "secret123"u8.ToArray()), "192.168.77.2", "224.0.0.18" },
        { "v2 password missing", new(VrrpVersion.V2, 1, 100, 100, [IPAddress.Parse("10.0.0.1")], VrrpAuthType.Pass), "192.168.77.2", "224.0.0.18" },
        { "unknown version", new((VrrpVersion)4, 1, 100, 100, [IPAddress.Parse("10.0.0.1")]), "192.168.77.2", "224.0.0.18" },
    };

    [Theory]
    [MemberData(nameof(Unencodable))]
    public void Refuses(string because, VrrpAdvertisement adv, string source, string destination)
    {
        var thrown = Record.Exception(() => VrrpCodec.Encode(adv, IPAddress.Parse(source), IPAddress.Parse(destination)));
        Assert.True(thrown is ArgumentException, $"{because}: expected ArgumentException, got {thrown?.GetType().Name ?? "no exception"}");
    }

    [Fact]
    public void V2AhIsNotSupported()
    {
        var adv = new VrrpAdvertisement(VrrpVersion.V2, 1, 100, 100, [Vip], VrrpAuthType.Ah, new byte[8]);
        Assert.Throws<NotSupportedException>(() => VrrpCodec.Encode(adv, RouterA, Group4));
    }

    [Fact]
    public void LimitsThemselvesEncode()
    {
        var v3 = VrrpCodec.Encode(new VrrpAdvertisement(VrrpVersion.V3, 255, 255, 4095, [Vip]), RouterA, Group4);
        Assert.Equal("31ffff010fff", Convert.ToHexStringLower(v3.AsSpan(0, 6)));
        var v2 = VrrpCodec.Encode(new VrrpAdvertisement(VrrpVersion.V2, 1, 1, 25500, [Vip]), RouterA, Group4);
        Assert.Equal("2101010100ff", Convert.ToHexStringLower(v2.AsSpan(0, 6)));
    }
}
