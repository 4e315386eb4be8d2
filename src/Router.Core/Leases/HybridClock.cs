namespace Router.Core.Leases;

/// <summary>
/// Issues hybrid logical clock stamps. The physical time is passed in (Core has no clock). Stamps only
/// move forward: after observing a remote or stored stamp, every later local stamp is greater, so a
/// router whose wall clock is behind its peer's (no RTC after a reboot, NTP not yet synced) still orders
/// its own later writes after the ones it has seen.
/// </summary>
public sealed class HybridClock
{
    private HybridTimestamp _last;

    public HybridClock(HybridTimestamp start = default) => _last = start;

    public HybridTimestamp Last => _last;

    /// <summary>A stamp for a local event at physical time now.</summary>
    public HybridTimestamp Next(DateTimeOffset now)
    {
        var wall = now.ToUnixTimeMilliseconds();
        _last = wall > _last.WallMs ? new HybridTimestamp(wall, 0) : Advance(_last);
        return _last;
    }

    /// <summary>Merges a stamp seen elsewhere (peer message, stored row) so later local stamps exceed it.</summary>
    public void Observe(HybridTimestamp seen)
    {
        if (seen > _last) _last = seen;
    }

    private static HybridTimestamp Advance(HybridTimestamp t) =>
        t.Counter < HybridTimestamp.MaxCounter ? t with { Counter = t.Counter + 1 } : new HybridTimestamp(t.WallMs + 1, 0);
}
