using System.Net;
using Router.Core.Fencing;

namespace Router.Core.Tests.Fencing;

public class FenceCodecTests
{
    private static readonly FenceState Sample = new(0x0102030405060708, 42, FenceRole.Master, 150, IPAddress.Parse("192.168.1.1"),
        TunnelStatus.Stopping, 0x1112131415161718, 7);

    [Fact]
    public void EncodesToTheDocumentedLayout()
    {
        Assert.Equal(
            "01" + "0102030405060708" + "000000000000002A" + "01" + "96" + "03" + "04" + "C0A80101" + "1112131415161718" + "0000000000000007" + "00" + "00",
            Convert.ToHexString(FenceCodec.Encode(Sample)));
        Assert.EndsWith("0000000000000007" + "04" + "C0A80102" + "00",
            Convert.ToHexString(FenceCodec.Encode(Sample with { VrrpAddress = IPAddress.Parse("192.168.1.2") })));
    }

    [Theory]
    [InlineData("192.168.1.1", null)]
    [InlineData("fd00:1::1", "fe80::2")]
    [InlineData("10.9.0.1", "192.168.1.2")]
    public void Roundtrips(string address, string? vrrpAddress)
    {
        var s = Sample with { Address = IPAddress.Parse(address), VrrpAddress = vrrpAddress is null ? null : IPAddress.Parse(vrrpAddress) };
        Assert.Equal(s, FenceCodec.Decode(FenceCodec.Encode(s), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void ANewerVersionIsRefusedWithAClearReason()
    {
        var bytes = FenceCodec.Encode(Sample);
        bytes[0] = 2;
        Assert.Null(FenceCodec.Decode(bytes, out var error));
        Assert.Equal("fence message version 2 is newer than this routerha's (1): upgrade this router", error);
    }

    [Fact]
    public void FieldsAppendedByACompatibleLaterBuildAreIgnored()
    {
        var bytes = FenceCodec.Encode(Sample).Concat(new byte[] { 9, 9, 9 }).ToArray();
        Assert.Equal(Sample, FenceCodec.Decode(bytes, out _));
    }

    [Fact]
    public void AStateFromABuildWithoutTheVrrpAddressDecodesWithoutIt()
    {
        var bytes = FenceCodec.Encode(Sample with { VrrpAddress = IPAddress.Parse("192.168.1.2") });
        var old = bytes.AsSpan(0, bytes.Length - 6); // what a sender from before the appended fields writes
        Assert.Equal(Sample, FenceCodec.Decode(old, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void EveryTruncationAndBadFieldIsRefusedNotThrown()
    {
        var bytes = FenceCodec.Encode(Sample with
        {
            VrrpAddress = IPAddress.Parse("192.168.1.2"),
            VrrpSources = [IPAddress.Parse("192.168.1.2"), IPAddress.Parse("fe80::2")],
        });
        var oldLength = bytes.Length - 1 - 5 - 17 - 5;
        var beforeSources = bytes.Length - 1 - 5 - 17;
        for (var n = 0; n < bytes.Length; n++)
        {
            if (n == oldLength || n == beforeSources) continue; // a complete state from an older sender

            Assert.Null(FenceCodec.Decode(bytes.AsSpan(0, n), out var error));
            Assert.NotNull(error);
        }
        var badRole = (byte[])bytes.Clone();
        badRole[17] = 9;
        Assert.Null(FenceCodec.Decode(badRole, out var e1));
        Assert.Contains("role 9", e1);
        var badTunnel = (byte[])bytes.Clone();
        badTunnel[19] = 4;
        Assert.Null(FenceCodec.Decode(badTunnel, out var e2));
        Assert.Contains("tunnel status 4", e2);
        var badLength = (byte[])bytes.Clone();
        badLength[20] = 5;
        Assert.Null(FenceCodec.Decode(badLength, out var e3));
        Assert.Contains("address length 5", e3);
        var badVrrpLength = (byte[])bytes.Clone();
        badVrrpLength[oldLength] = 7;
        Assert.Null(FenceCodec.Decode(badVrrpLength, out var e4));
        Assert.Contains("VRRP address length 7", e4);
        var badSourceLength = (byte[])bytes.Clone();
        badSourceLength[beforeSources + 1] = 6;
        Assert.Null(FenceCodec.Decode(badSourceLength, out var e5));
        Assert.Contains("VRRP source length 6", e5);
    }

    [Fact]
    public void TheAdvertSourcesOfEveryInstanceRoundtripAndAnOlderSenderHasNone()
    {
        var sources = new[] { IPAddress.Parse("192.168.1.2"), IPAddress.Parse("fe80::2") };
        var bytes = FenceCodec.Encode(Sample with { VrrpAddress = sources[0], VrrpSources = sources });
        var decoded = FenceCodec.Decode(bytes, out var error);
        Assert.Null(error);
        Assert.Equal(sources, decoded!.VrrpSources);
        Assert.Equal(sources[0], decoded.VrrpAddress);
        Assert.Null(FenceCodec.Decode(bytes.AsSpan(0, bytes.Length - 23), out _)!.VrrpSources);
        Assert.Null(FenceCodec.Decode(FenceCodec.Encode(Sample with { VrrpSources = [] }), out _)!.VrrpSources);
    }
}
