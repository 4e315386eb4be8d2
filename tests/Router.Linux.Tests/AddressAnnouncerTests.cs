using System.Buffers.Binary;
using System.Net;
using Router.Core.Net;
using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class AddressAnnouncerTests : IDisposable
{
    // keepalived 2.2.7's gratuitous ARP (testdata README [5]) for VIP 192.168.77.1 from 02:00:00:00:77:02.
    private const string KeepalivedGarp =
        "ffffffffffff020000007702" + "0806" + "0001080006040001" + "020000007702c0a84d01" + "ffffffffffffc0a84d01";

    private readonly NetnsPair _net = new();

    [Fact]
    public void GratuitousArpMatchesKeepalivedFrameLayout()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var capture = _net.B.RunInside(() => new PacketCapture(linkB.Index));
        using var announcer = _net.A.RunInside(LinuxNetwork.OpenAnnouncer);

        announcer.Announce(linkA, IPAddress.Parse("10.77.0.100"));

        var frame = capture.WaitFor(f => f.Length >= 14 && f[12] == 0x08 && f[13] == 0x06, TimeSpan.FromSeconds(5));
        var expected = KeepalivedGarp.Replace("020000007702", Convert.ToHexStringLower(linkA.Mac)).Replace("c0a84d01", "0a4d0064");
        Assert.Equal(expected, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void UnsolicitedNeighborAdvertisementCarriesOverrideTargetAndMac()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        var vip = IPAddress.Parse("fd00:77::100");
        using var control = _net.A.RunInside(LinuxNetwork.OpenControl);
        control.AddAddress(linkA.Index, new IpPrefix(vip, 64));
        using var capture = _net.B.RunInside(() => new PacketCapture(linkB.Index));
        using var announcer = _net.A.RunInside(LinuxNetwork.OpenAnnouncer);

        announcer.Announce(linkA, vip);

        var frame = capture.WaitFor(f => f.Length >= 55 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 && f[54] == 136,
            TimeSpan.FromSeconds(5));
        Assert.Equal(Ns.Hex("333300000001"), frame[..6]);
        Assert.Equal(linkA.Mac, frame[6..12]);
        var ip = frame.AsSpan(14);
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
        Assert.Equal(255, ip[7]);                                        // hop limit
        Assert.Equal(vip, new IPAddress(ip.Slice(8, 16)));               // source = the VIP
        Assert.Equal(IPAddress.Parse("ff02::1"), new IPAddress(ip.Slice(24, 16)));
        var icmp = ip.Slice(40, 32);
        Assert.Equal(0, icmp[1]);                                        // code
        Assert.Equal(0x20, icmp[4]);                                     // Override only: not Router, not Solicited
        Assert.True(icmp.Slice(5, 3).SequenceEqual(new byte[3]));
        Assert.Equal(vip, new IPAddress(icmp.Slice(8, 16)));
        Assert.Equal(2, icmp[24]);                                       // target link-layer address option
        Assert.Equal(1, icmp[25]);
        Assert.Equal(linkA.Mac, icmp.Slice(26, 6).ToArray());
        Assert.Equal(0, Icmpv6ChecksumResidue(ip.Slice(8, 16), ip.Slice(24, 16), icmp));
    }

    /// <summary>One's-complement sum over pseudo-header and message; a correct checksum leaves 0.</summary>
    private static int Icmpv6ChecksumResidue(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        long sum = 0;
        void Add(ReadOnlySpan<byte> data)
        {
            for (var i = 0; i + 1 < data.Length; i += 2) sum += (data[i] << 8) | data[i + 1];
            if (data.Length % 2 == 1) sum += data[^1] << 8;
        }
        Add(source);
        Add(destination);
        sum += message.Length + 58;
        Add(message);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int)(~sum & 0xffff);
    }

    public void Dispose() => _net.Dispose();
}
