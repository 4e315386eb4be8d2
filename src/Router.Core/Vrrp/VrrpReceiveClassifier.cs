using System.Diagnostics.CodeAnalysis;
using System.Net;
using Router.Core.Ports;

namespace Router.Core.Vrrp;

/// <summary>What to do with a packet received on an instance's socket.</summary>
public enum VrrpReceiveVerdict
{
    /// <summary>Pass the advertisement to VrrpInstance.OnAdvertisement.</summary>
    Accepted,
    /// <summary>Count it under DropReason for this instance.</summary>
    Dropped,
    /// <summary>A sibling instance on the same interface and family owns the VRID; it sees the packet on its
    /// own socket, so this one neither processes nor counts it.</summary>
    OtherInstance,
}

/// <summary>The verdict on one received packet.</summary>
/// <param name="Advertisement">The decoded advert whenever decoding succeeded (also for filter drops, so
/// they can be logged with what was received); null when it did not.</param>
/// <param name="DropReason">None unless Verdict is Dropped.</param>
/// <param name="AddressesDiffer">Accepted only: the advert's VIP list is not exactly ours (in any order).</param>
public readonly record struct VrrpReceiveResult(
    VrrpReceiveVerdict Verdict,
    VrrpAdvertisement? Advertisement,
    VrrpDropReason DropReason,
    bool AddressesDiffer)
{
    [MemberNotNullWhen(true, nameof(Advertisement))]
    public bool IsAccepted => Verdict == VrrpReceiveVerdict.Accepted;
}

/// <summary>Decides, without side effects, whether a received packet is an advert for an instance.</summary>
/// <remarks>
/// Order: VrrpCodec.TryDecode (structure, TTL), VRID, own packet, VrrpReceiveFilter.Check. The VRID comes
/// before the own-packet check because every raw socket on a link sees every VRID: a sibling's own adverts
/// must be "another instance's", not our OwnPacket.
/// </remarks>
public static class VrrpReceiveClassifier
{
    /// <param name="packet">As the socket delivered it.</param>
    /// <param name="settings">The instance whose socket received it.</param>
    /// <param name="multicast">False in unicast mode: adverts may then cross a routed hop, so, like keepalived,
    /// the TTL-255 rule (RFC 5798 5.1.1.3) applies to multicast only.</param>
    /// <param name="ownAddress">The instance's socket source address (its adverts loop back); null when unknown.</param>
    /// <param name="siblingOwnsVrid">Whether another local instance on the same interface and family runs this VRID.</param>
    public static VrrpReceiveResult Classify(ReceivedVrrp packet, VrrpInstanceSettings settings, bool multicast,
        IPAddress? ownAddress, Func<byte, bool> siblingOwnsVrid)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(siblingOwnsVrid);

        var ttl = multicast ? packet.Ttl : VrrpCodec.RequiredTtl;
        if (!VrrpCodec.TryDecode(packet.Message, packet.Source, packet.Destination, ttl, out var adv, out var reason))
            return Drop(null, reason);
        if (adv!.Vrid != settings.Vrid)
            return siblingOwnsVrid(adv.Vrid)
                ? new VrrpReceiveResult(VrrpReceiveVerdict.OtherInstance, adv, VrrpDropReason.None, false)
                : Drop(adv, VrrpDropReason.UnknownVrid);
        if (ownAddress is not null && packet.Source.Equals(ownAddress))
            return Drop(adv, VrrpDropReason.OwnPacket);
        var verdict = VrrpReceiveFilter.Check(adv, settings);
        if (verdict != VrrpDropReason.None)
            return Drop(adv, verdict);
        return new VrrpReceiveResult(VrrpReceiveVerdict.Accepted, adv, VrrpDropReason.None,
            !VrrpReceiveFilter.AddressesMatch(adv, settings));
    }

    private static VrrpReceiveResult Drop(VrrpAdvertisement? adv, VrrpDropReason reason)
        => new(VrrpReceiveVerdict.Dropped, adv, reason, false);
}
