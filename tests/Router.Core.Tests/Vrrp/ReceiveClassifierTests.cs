using System.Net;
using Router.Core.Ports;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

public class ReceiveClassifierTests
{
    private static readonly IPAddress RouterB = IPAddress.Parse("192.168.77.3");
    private static readonly byte[] Secret12 = "secret12"u8.ToArray();

    private static readonly VrrpInstanceSettings V3Settings = new()
    {
        Name = "lan",
        Vrid = 77,
        VirtualAddresses = [Vip],
    };

    private static readonly VrrpInstanceSettings V2Settings = V3Settings with
    {
        Version = VrrpVersion.V2,
        AuthType = VrrpAuthType.Pass,
        AuthData = Secret12,
    };

    private static readonly Func<byte, bool> NoSiblings = _ => false;

    private static ReceivedVrrp Packet(VrrpAdvertisement adv, IPAddress? source = null, int ttl = 255)
    {
        var from = source ?? RouterB;
        return new ReceivedVrrp(VrrpCodec.Encode(adv, from, Group4), from, Group4, ttl, 2);
    }

    private static VrrpAdvertisement V3(byte vrid = 77, byte priority = 150, params IPAddress[] addresses)
        => new(VrrpVersion.V3, vrid, priority, 100, addresses.Length == 0 ? [Vip] : addresses);

    private static VrrpAdvertisement V2(byte[] password, ushort intervalCs = 100)
        => new(VrrpVersion.V2, 77, 150, intervalCs, [Vip], VrrpAuthType.Pass, password);

    private static VrrpReceiveResult Classify(ReceivedVrrp packet, VrrpInstanceSettings? settings = null,
        IPAddress? own = null, Func<byte, bool>? sibling = null, IReadOnlyList<IPAddress>? trusted = null)
        => VrrpReceiveClassifier.Classify(packet, settings ?? V3Settings, own ?? RouterA, sibling ?? NoSiblings, trusted);

    private static void AssertDropped(VrrpDropReason reason, VrrpReceiveResult result)
    {
        Assert.Equal(VrrpReceiveVerdict.Dropped, result.Verdict);
        Assert.Equal(reason, result.DropReason);
        Assert.False(result.IsAccepted);
    }

    [Fact]
    public void AMatchingAdvertIsAccepted()
    {
        var result = Classify(Packet(V3()));
        Assert.True(result.IsAccepted);
        Assert.Equal(VrrpReceiveVerdict.Accepted, result.Verdict);
        Assert.Equal(VrrpDropReason.None, result.DropReason);
        Assert.Equal(150, result.Advertisement.Priority);
        Assert.False(result.AddressesDiffer);
    }

    [Fact]
    public void KeepalivedCaptureIsAccepted()
    {
        var packet = new ReceivedVrrp(Convert.FromHexString(V3Adv1Hex), RouterA, Group4, 255, 2);
        Assert.True(Classify(packet, own: RouterB).IsAccepted);
    }

    [Fact]
    public void BadTtlIsDroppedInMulticastMode()
    {
        var result = Classify(Packet(V3(), ttl: 254));
        AssertDropped(VrrpDropReason.BadTtl, result);
        Assert.Null(result.Advertisement);
    }

    [Fact]
    public void UnicastModeKeepsTheTtlCheck()
    {
        var unicast = V3Settings with { UnicastPeers = [RouterB] };
        // A packet that crossed a router cannot come from a peer on the link (RFC 5798 7.1).
        AssertDropped(VrrpDropReason.BadTtl, Classify(Packet(V3(), ttl: 63), unicast, trusted: unicast.UnicastPeers));
        Assert.True(Classify(Packet(V3()), unicast, trusted: unicast.UnicastPeers).IsAccepted);
    }

    [Fact]
    public void AnAdvertFromASenderOutsideTheTrustedSourcesIsSetApartWithWhatItSaid()
    {
        var attacker = IPAddress.Parse("192.168.77.66");
        var result = Classify(Packet(V3(priority: 255), source: attacker), trusted: [RouterB]);
        Assert.Equal(VrrpReceiveVerdict.UnknownSource, result.Verdict);
        Assert.False(result.IsAccepted);
        Assert.Equal(VrrpDropReason.None, result.DropReason);
        Assert.Equal(255, result.Advertisement!.Priority);

        // The peer itself is accepted; with no trusted list (no peer channel, multicast) anyone is.
        Assert.True(Classify(Packet(V3(priority: 255)), trusted: [RouterB]).IsAccepted);
        Assert.True(Classify(Packet(V3(priority: 255), source: attacker)).IsAccepted);
    }

    [Fact]
    public void AnUntrustedSenderIsJudgedOnlyAfterThePacketItselfIsValid()
    {
        var attacker = IPAddress.Parse("192.168.77.66");
        // A malformed or foreign packet keeps its own drop reason: UnknownSource counts only adverts that would have acted.
        AssertDropped(VrrpDropReason.BadTtl, Classify(Packet(V3(), source: attacker, ttl: 64), trusted: [RouterB]));
        AssertDropped(VrrpDropReason.UnknownVrid, Classify(Packet(V3(vrid: 9), source: attacker), trusted: [RouterB]));
        AssertDropped(VrrpDropReason.BadVersion, Classify(Packet(V2(Secret12), source: attacker), trusted: [RouterB]));
    }

    [Fact]
    public void OwnAdvertIsDroppedAsOwnPacket()
    {
        AssertDropped(VrrpDropReason.OwnPacket, Classify(Packet(V3(), source: RouterA), own: RouterA));
        Assert.True(VrrpReceiveClassifier.Classify(Packet(V3(), source: RouterA), V3Settings, null, NoSiblings).IsAccepted);
    }

    [Fact]
    public void ForeignVridOwnedByASiblingIsNotCounted()
    {
        var result = Classify(Packet(V3(vrid: 78)), sibling: vrid => vrid == 78);
        Assert.Equal(VrrpReceiveVerdict.OtherInstance, result.Verdict);
        Assert.Equal(VrrpDropReason.None, result.DropReason);
        Assert.False(result.IsAccepted);

        // The sibling's own adverts come from our address too: still the sibling's, not our OwnPacket.
        Assert.Equal(VrrpReceiveVerdict.OtherInstance,
            Classify(Packet(V3(vrid: 78), source: RouterA), sibling: vrid => vrid == 78).Verdict);
    }

    [Fact]
    public void ForeignVridNobodyOwnsIsUnknownVrid()
    {
        var asked = new List<byte>();
        var result = Classify(Packet(V3(vrid: 12)), sibling: vrid => { asked.Add(vrid); return vrid == 78; });
        AssertDropped(VrrpDropReason.UnknownVrid, result);
        Assert.Equal([(byte)12], asked);
    }

    [Fact]
    public void StructuralReasonsComeFromTheCodec()
    {
        var corrupt = Packet(V3());
        corrupt.Message[2] ^= 0x01;
        AssertDropped(VrrpDropReason.BadChecksum, Classify(corrupt));

        var tooLong = Packet(V3()) with { Message = [.. Packet(V3()).Message, 0] };
        AssertDropped(VrrpDropReason.BadLength, Classify(tooLong));
    }

    [Fact]
    public void FilterReasonsComeFromTheReceiveFilter()
    {
        AssertDropped(VrrpDropReason.BadVersion, Classify(Packet(V2(Secret12)), V3Settings));
        AssertDropped(VrrpDropReason.AuthMismatch, Classify(Packet(V2("secret13"u8.ToArray())), V2Settings));
        var interval = Classify(Packet(V2(Secret12, intervalCs: 300)), V2Settings);
        AssertDropped(VrrpDropReason.IntervalMismatch, interval);
        // Decoded, so the owner can say what was received.
        Assert.Equal(300, interval.Advertisement!.AdvertIntervalCs);
        Assert.True(Classify(Packet(V2(Secret12)), V2Settings).IsAccepted);
    }

    [Fact]
    public void DifferentVipListIsAcceptedAndFlagged()
    {
        var other = IPAddress.Parse("192.168.77.9");
        var result = Classify(Packet(V3(addresses: other)));
        Assert.True(result.IsAccepted);
        Assert.True(result.AddressesDiffer);
        // Order does not matter.
        var same = Classify(Packet(V3(addresses: [other, Vip])), V3Settings with { VirtualAddresses = [Vip, other] });
        Assert.True(same.IsAccepted);
        Assert.False(same.AddressesDiffer);
    }

    [Fact]
    public void PriorityZeroIsAcceptedForTheMachineToHandle()
    {
        var result = Classify(Packet(V3(priority: 0)));
        Assert.True(result.IsAccepted);
        Assert.Equal(0, result.Advertisement.Priority);
    }
}
