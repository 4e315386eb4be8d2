using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Router.Core.Vrrp;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>VRRP adverts come from anyone on the LAN: the codec must drop what it cannot read, never throw.</summary>
public sealed class VrrpCodecFuzzTests(ITestOutputHelper output)
{
    private sealed record Sent(VrrpAdvertisement Advert, IPAddress Source, IPAddress Destination, byte[] Wire);

    private static readonly Gen<Sent> Valid =
        from v3 in Gen.Elements(true, false)
        from ipv6 in v3 ? Gen.Elements(true, false) : Gen.Constant(false)
        from vrid in Inputs.Byte
        from priority in Inputs.Byte
        from interval in v3 ? Gen.Choose(1, VrrpCodec.MaxV3AdvertIntervalCs) : Gen.Choose(1, 255).Select(s => s * 100)
        from count in Gen.Frequency((9, Gen.Choose(1, 8)), (1, Gen.Choose(9, 255)))
        from addresses in Gen.ArrayOf(ipv6 ? Inputs.Ipv6 : Inputs.Ipv4, count)
        from password in Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Inputs.Byte, n))
        from pass in Gen.Elements(true, false)
        from source in ipv6 ? Inputs.Ipv6 : Inputs.Ipv4
        let destination = ipv6 ? VrrpCodec.MulticastV6 : VrrpCodec.MulticastV4
        let advert = v3
            ? new VrrpAdvertisement(VrrpVersion.V3, vrid, priority, (ushort)interval, addresses)
            : new VrrpAdvertisement(VrrpVersion.V2, vrid, priority, (ushort)interval, addresses,
                pass ? VrrpAuthType.Pass : VrrpAuthType.None, pass ? password : null)
        select new Sent(advert, source, destination, VrrpCodec.Encode(advert, source, destination));

    [Fact]
    public void AnEncodedAdvertDecodesToItselfAndEncodesBackToTheSameBytes()
    {
        FuzzRun.Check(output, "vrrp round trip", Valid, sent =>
        {
            Assert.True(VrrpCodec.TryDecode(sent.Wire, sent.Source, sent.Destination, VrrpCodec.RequiredTtl, out var got, out var reason), $"dropped: {reason}");
            Assert.Equal(sent.Advert.Version, got!.Version);
            Assert.Equal(sent.Advert.Vrid, got.Vrid);
            Assert.Equal(sent.Advert.Priority, got.Priority);
            Assert.Equal(sent.Advert.AdvertIntervalCs, got.AdvertIntervalCs);
            Assert.Equal(sent.Advert.Addresses, got.Addresses);
            Assert.Equal(sent.Wire, VrrpCodec.Encode(got, sent.Source, sent.Destination));
        });
    }

    [Fact]
    public void AnyBytesFromAnySenderAreDecodedOrDroppedWithAReason()
    {
        var gen =
            from bytes in Inputs.Hostile(Valid.Select(s => s.Wire))
            from source in Inputs.Address
            from destination in Gen.Frequency((3, Gen.Constant(source.AddressFamily == AddressFamily.InterNetwork ? VrrpCodec.MulticastV4 : VrrpCodec.MulticastV6)), (1, Inputs.Address))
            from ttl in Gen.Frequency((3, Gen.Constant(VrrpCodec.RequiredTtl)), (1, Gen.Choose(0, 256)))
            select (bytes, source, destination, ttl);
        FuzzRun.Check(output, "vrrp hostile", gen, input =>
        {
            var ok = Budget.Allocation(input.bytes.Length, 1024, 64, () =>
                VrrpCodec.TryDecode(input.bytes, input.source, input.destination, input.ttl, out _, out var reason) || reason != VrrpDropReason.None
                    ? true
                    : throw new InvalidOperationException("refused without a reason"));
            Assert.True(ok);
        });
    }

    [Fact]
    public void OneFlippedBitAnywhereInAnAdvertIsDropped()
    {
        // The Internet checksum catches every single-bit error: a damaged advert must never be taken for another.
        var gen =
            from sent in Valid
            from bit in Gen.Choose(0, sent.Wire.Length * 8 - 1)
            select (sent, bit);
        FuzzRun.Check(output, "vrrp bit flip", gen, input =>
        {
            var wire = (byte[])input.sent.Wire.Clone();
            wire[input.bit / 8] ^= (byte)(1 << (input.bit % 8));
            Assert.False(VrrpCodec.TryDecode(wire, input.sent.Source, input.sent.Destination, VrrpCodec.RequiredTtl, out _, out _));
        });
    }

    [Fact]
    public void AnyRawIPv4DatagramIsSplitWithinItsBoundsOrRefused()
    {
        var datagram =
            from payload in Valid.Where(s => s.Source.AddressFamily == AddressFamily.InterNetwork).Select(s => s.Wire)
            from options in Gen.Choose(0, 10)
            select Ipv4Datagram(payload, options);
        FuzzRun.Check(output, "vrrp ipv4 header", Inputs.Hostile(datagram), bytes =>
        {
            if (VrrpCodec.TryParseIpv4(bytes, out _, out _, out _, out _, out var offset, out var length))
            {
                Assert.InRange(offset, 20, bytes.Length);
                Assert.InRange(length, 0, bytes.Length - offset);
            }
        });
    }

    private static byte[] Ipv4Datagram(byte[] payload, int optionWords)
    {
        var header = 20 + optionWords * 4;
        var d = new byte[header + payload.Length];
        d[0] = (byte)(0x40 | (header / 4));
        d[2] = (byte)(d.Length >> 8);
        d[3] = (byte)d.Length;
        d[8] = 255;
        d[9] = VrrpCodec.ProtocolNumber;
        payload.CopyTo(d, header);
        return d;
    }
}
