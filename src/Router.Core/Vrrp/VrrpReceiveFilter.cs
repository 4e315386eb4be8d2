namespace Router.Core.Vrrp;

/// <summary>Instance-level receive checks (after VrrpCodec.TryDecode): version, family, auth, v2 interval.</summary>
public static class VrrpReceiveFilter
{
    /// <summary>None when the advertisement is acceptable for this instance.</summary>
    public static VrrpDropReason Check(VrrpAdvertisement adv, VrrpInstanceSettings settings)
        => throw new NotImplementedException();
}
