using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

public class CodecRobustnessTests
{
    private static readonly IPAddress Ll6 = IPAddress.Parse("fe80::2");

    private static readonly (byte[] Message, IPAddress Source, IPAddress Destination)[] Valid =
    [
        (Convert.FromHexString(V3Adv1Hex), RouterA, Group4),
        (Convert.FromHexString(V3Prio0Hex), RouterA, Group4),
        (Convert.FromHexString(V2PassHex), RouterA, Group4),
        (VrrpCodec.Encode(new VrrpAdvertisement(VrrpVersion.V3, 9, 120, 25,
            [IPAddress.Parse("fe80::1"), IPAddress.Parse("2001:db8::1"), IPAddress.Parse("2001:db8::2")]), Ll6, Group6), Ll6, Group6),
    ];

    [Fact]
    public void EverySingleBitFlipInAValidPacketIsRejected()
    {
        var flips = 0;
        foreach (var (message, source, destination) in Valid)
        {
            Assert.True(VrrpCodec.TryDecode(message, source, destination, 255, out _, out _));
            for (var bit = 0; bit < message.Length * 8; bit++)
            {
                var flipped = (byte[])message.Clone();
                flipped[bit / 8] ^= (byte)(0x80 >> bit % 8);
                Assert.False(VrrpCodec.TryDecode(flipped, source, destination, 255, out var adv, out var reason),
                    $"bit {bit} of {Convert.ToHexStringLower(message)} accepted");
                Assert.NotEqual(VrrpDropReason.None, reason);
                Assert.Null(adv);
                flips++;
            }
        }
        Assert.Equal((12 + 12 + 20 + 56) * 8, flips);
    }

    [Fact]
    public void EverySingleBitFlipInTheV3PseudoHeaderIsRejected()
    {
        var message = Convert.FromHexString(V3Adv1Hex);
        var source = RouterA.GetAddressBytes();
        for (var bit = 0; bit < 32; bit++)
        {
            var flipped = (byte[])source.Clone();
            flipped[bit / 8] ^= (byte)(0x80 >> bit % 8);
            Assert.False(VrrpCodec.TryDecode(message, new IPAddress(flipped), Group4, 255, out _, out var reason));
            Assert.Equal(VrrpDropReason.BadChecksum, reason);
        }
    }

    /// <summary>200k random and mutated packets: TryDecode never throws, and whatever it accepts is
    /// exactly what the bytes say (re-encoding reproduces them).</summary>
    [Fact]
    public void ArbitraryInputNeverThrowsAndAcceptedInputDecodesConsistently()
    {
        var random = new Random(5798);
        IPAddress[] sources = [RouterA, Ll6, IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback];
        IPAddress[] destinations = [Group4, Group6, IPAddress.Parse("10.0.0.2")];
        var accepted = 0;
        var reasons = new HashSet<VrrpDropReason>();

        for (var i = 0; i < 200_000; i++)
        {
            byte[] message;
            IPAddress source, destination;
            if (i % 2 == 0)
            {
                message = new byte[random.Next(0, 80)];
                random.NextBytes(message);
                if (message.Length > 0 && random.Next(2) == 0)
                    message[0] = (byte)(random.Next(2, 4) << 4 | 1); // get past the version/type checks more often
                source = sources[random.Next(sources.Length)];
                destination = destinations[random.Next(destinations.Length)];
            }
            else
            {
                var (valid, s, d) = Valid[random.Next(Valid.Length)];
                message = Mutate(valid, random);
                (source, destination) = (s, d);
            }
            var ttl = random.Next(8) == 0 ? random.Next(-1, 300) : 255;

            if (!VrrpCodec.TryDecode(message, source, destination, ttl, out var adv, out var reason))
            {
                Assert.NotEqual(VrrpDropReason.None, reason);
                Assert.Null(adv);
                reasons.Add(reason);
                continue;
            }
            accepted++;
            AssertDecodedConsistently(message, source, destination, adv!);
        }

        Assert.True(accepted > 0);
        Assert.Equal(8, reasons.Count); // every structural reason was reached by the random input
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var m = new List<byte>(valid);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(4))
            {
                case 0 when m.Count > 0: m[random.Next(m.Count)] = (byte)random.Next(256); break;
                case 1 when m.Count > 0: m.RemoveAt(random.Next(m.Count)); break;
                case 2: m.Insert(random.Next(m.Count + 1), (byte)random.Next(256)); break;
                default: if (m.Count > 0) m[random.Next(m.Count)] ^= (byte)(1 << random.Next(8)); break;
            }
        }
        return [.. m];
    }

    private static void AssertDecodedConsistently(byte[] message, IPAddress source, IPAddress destination, VrrpAdvertisement adv)
    {
        Assert.Equal(message[0] >> 4, (int)adv.Version);
        Assert.Equal(message[1], adv.Vrid);
        Assert.Equal(message[2], adv.Priority);
        Assert.Equal(message[3], adv.Addresses.Count);
        Assert.All(adv.Addresses, a => Assert.Equal(source.AddressFamily, a.AddressFamily));
        Assert.True(adv.AdvertIntervalCs > 0);

        // Fields the encoder normalises (v3 reserved bits, v2 auth data under auth type 0, v2 AH) are the
        // only way re-encoding may differ from what was accepted.
        var normalised = adv.Version == VrrpVersion.V3
            ? (message[4] & 0xF0) != 0
            : adv.AuthType != VrrpAuthType.Pass;
        if (!normalised)
            Assert.Equal(message, VrrpCodec.Encode(adv, source, destination));
    }
}
