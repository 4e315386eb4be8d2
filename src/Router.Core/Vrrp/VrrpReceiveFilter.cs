using System.Security.Cryptography;

namespace Router.Core.Vrrp;

/// <summary>Instance-level receive checks (after VrrpCodec.TryDecode): version, family, auth, v2 interval.</summary>
/// <remarks>
/// Not checked here: the VRID (the dispatcher maps it to an instance, UnknownVrid) and the VIP list.
/// A VIP list that differs from the configured one is accepted (RFC 5798 7.1 "MAY verify"); callers that
/// want to log it use <see cref="AddressesMatch"/>. Note keepalived 2.2.7 is stricter: it discards such
/// adverts unless skip_check_adv_addr is set and the sender is the current master.
/// </remarks>
public static class VrrpReceiveFilter
{
    /// <summary>None when the advertisement is acceptable for this instance.</summary>
    /// <remarks>Order as keepalived's vrrp_check_packet: version, then for v2 auth type, password, interval.</remarks>
    public static VrrpDropReason Check(VrrpAdvertisement adv, VrrpInstanceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(adv);
        ArgumentNullException.ThrowIfNull(settings);

        if (adv.Version != settings.Version)
            return VrrpDropReason.BadVersion;
        if (adv.Addresses.Count == 0)
            return VrrpDropReason.BadLength;
        foreach (var address in adv.Addresses)
        {
            if (address.AddressFamily != settings.Family)
                return VrrpDropReason.BadAddressFamily;
        }

        if (adv.Version != VrrpVersion.V2)
            return VrrpDropReason.None;

        if (adv.AuthType != settings.AuthType)
            return VrrpDropReason.AuthTypeMismatch;
        // RFC 3768 5.3.6: with auth type 0 the auth data is ignored on reception.
        if (adv.AuthType == VrrpAuthType.Pass && !PasswordMatches(adv.AuthData, settings.AuthData))
            return VrrpDropReason.AuthMismatch;
        // RFC 3768 7.1: MUST discard when the advert interval differs from the locally configured one.
        if (adv.AdvertIntervalCs != settings.AdvertInterval.Ticks / (TimeSpan.TicksPerMillisecond * 10))
            return VrrpDropReason.IntervalMismatch;
        return VrrpDropReason.None;
    }

    /// <summary>True when the advertised addresses are exactly the configured VIPs, in any order.</summary>
    public static bool AddressesMatch(VrrpAdvertisement adv, VrrpInstanceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(adv);
        ArgumentNullException.ThrowIfNull(settings);
        if (adv.Addresses.Count != settings.VirtualAddresses.Count)
            return false;
        var advertised = new HashSet<System.Net.IPAddress>(adv.Addresses);
        return advertised.Count == adv.Addresses.Count && settings.VirtualAddresses.All(advertised.Contains);
    }

    /// <summary>Compares the 8-octet NUL-padded fields in constant time (keepalived uses memcmp_constant_time).
    /// A missing configured password never matches.</summary>
    private static bool PasswordMatches(byte[]? received, byte[]? configured)
    {
        if (configured is null || received is null
            || received.Length > VrrpCodec.V2AuthDataLength || configured.Length > VrrpCodec.V2AuthDataLength)
            return false;
        Span<byte> a = stackalloc byte[VrrpCodec.V2AuthDataLength];
        Span<byte> b = stackalloc byte[VrrpCodec.V2AuthDataLength];
        a.Clear();
        b.Clear();
        received.CopyTo(a);
        configured.CopyTo(b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
