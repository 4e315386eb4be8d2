using System.Net;

namespace Router.Core.Vrrp;

/// <summary>
/// The RFC timer formulas and the master election order, shared by the state machine and its callers.
/// Results are exact to the 100 ns tick (truncated), like keepalived's microsecond arithmetic: for priority
/// 100 at 1 s the master-down interval is 3.609375 s, at 10 ms it is 36.0937 ms (the RFC's whole-centisecond
/// reading would give 3.60 s / 30 ms, which neither keepalived nor this implementation uses).
/// </summary>
public static class VrrpTiming
{
    /// <summary>v3 (RFC 5798): ((256 - priority) * Master_Adver_Interval) / 256.
    /// v2 (RFC 3768): (256 - priority) / 256 seconds, independent of the advert interval.</summary>
    public static TimeSpan SkewTime(VrrpVersion version, byte priority, TimeSpan masterAdvertInterval)
    {
        var basis = version == VrrpVersion.V2 ? TimeSpan.FromSeconds(1) : masterAdvertInterval;
        return TimeSpan.FromTicks((256 - priority) * basis.Ticks / 256);
    }

    /// <summary>3 * Master_Adver_Interval + Skew_Time (v2: the configured Advertisement_Interval).</summary>
    public static TimeSpan MasterDownInterval(VrrpVersion version, byte priority, TimeSpan masterAdvertInterval)
        => 3 * masterAdvertInterval + SkewTime(version, priority, masterAdvertInterval);

    /// <summary>RFC 5798 6.4.3: an advert beats a master with <paramref name="ourPriority"/> when its priority
    /// is higher, or equal and its sender's primary address is greater (unsigned, network byte order).</summary>
    public static bool AdvertWins(byte theirPriority, IPAddress theirAddress, byte ourPriority, IPAddress ourAddress)
        => theirPriority > ourPriority
           || theirPriority == ourPriority && CompareAddresses(theirAddress, ourAddress) > 0;

    /// <summary>Orders addresses as unsigned big-endian numbers (shorter, i.e. IPv4, sorts first).</summary>
    public static int CompareAddresses(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out var nx);
        b.TryWriteBytes(y, out var ny);
        if (nx != ny)
            return nx.CompareTo(ny);
        return x[..nx].SequenceCompareTo(y[..ny]);
    }
}
