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
    /// <summary>A valid advert for this instance from a sender that is not a trusted source (a LAN host posing as a
    /// master): counted and reported by the owner, never passed to the instance, so it decides nothing.</summary>
    UnknownSource,
}

/// <summary>The verdict on one received packet.</summary>
/// <param name="Advertisement">The decoded advert whenever decoding succeeded (also for filter drops, so
/// they can be logged with what was received); null when it did not.</param>
/// <param name="DropReason">None unless Verdict is Dropped.</param>
/// <remarks>Advertisement is also set for UnknownSource and OtherInstance.</remarks>
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
/// Order: VrrpCodec.TryDecode (structure, TTL), VRID, own packet, VrrpReceiveFilter.Check, trusted source. The VRID
/// comes before the own-packet check because every raw socket on a link sees every VRID: a sibling's own adverts
/// must be "another instance's", not our OwnPacket. The source comes last, so UnknownSource counts exactly the
/// adverts that would otherwise have acted.
/// The TTL / hop limit must be 255 in unicast mode too (RFC 5798 5.1.1.3, 7.1): only a host on the link can send
/// such a packet. keepalived (2.2.7 and later) sends IPv4 unicast adverts with TTL 255 by default; its IPv6 unicast
/// adverts carry the kernel's default hop limit unless `unicast_ttl 255` is set.
/// </remarks>
public static class VrrpReceiveClassifier
{
    /// <param name="packet">As the socket delivered it.</param>
    /// <param name="settings">The instance whose socket received it.</param>
    /// <param name="ownAddress">The instance's socket source address (its adverts loop back); null when unknown.</param>
    /// <param name="siblingOwnsVrid">Whether another local instance on the same interface and family runs this VRID.</param>
    /// <param name="trustedSources">The senders this instance may follow (<see cref="VrrpTrustedSources.For"/>); null:
    /// anyone (RFC behaviour).</param>
    public static VrrpReceiveResult Classify(ReceivedVrrp packet, VrrpInstanceSettings settings,
        IPAddress? ownAddress, Func<byte, bool> siblingOwnsVrid, IReadOnlyList<IPAddress>? trustedSources = null)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(siblingOwnsVrid);

        if (!VrrpCodec.TryDecode(packet.Message, packet.Source, packet.Destination, packet.Ttl, out var adv, out var reason))
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
        if (!VrrpTrustedSources.Allows(trustedSources, packet.Source))
            return new VrrpReceiveResult(VrrpReceiveVerdict.UnknownSource, adv, VrrpDropReason.None, false);
        return new VrrpReceiveResult(VrrpReceiveVerdict.Accepted, adv, VrrpDropReason.None,
            !VrrpReceiveFilter.AddressesMatch(adv, settings));
    }

    private static VrrpReceiveResult Drop(VrrpAdvertisement? adv, VrrpDropReason reason)
        => new(VrrpReceiveVerdict.Dropped, adv, reason, false);
}
