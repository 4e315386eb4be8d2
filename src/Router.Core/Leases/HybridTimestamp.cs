namespace Router.Core.Leases;

/// <summary>
/// A hybrid logical clock stamp (Kulkarni et al.): wall-clock milliseconds plus a counter that orders
/// events within one millisecond or while the wall clock lags behind a stamp already seen. Packed in one
/// 64-bit value (48 bits of Unix milliseconds, 16 bits of counter) so SQLite compares and indexes it as
/// an integer and "what changed since stamp X" is a range query.
/// </summary>
public readonly record struct HybridTimestamp(long WallMs, int Counter) : IComparable<HybridTimestamp>
{
    public const int CounterBits = 16;
    public const int MaxCounter = (1 << CounterBits) - 1;

    public static HybridTimestamp Zero => default;

    public long Packed => (WallMs << CounterBits) | (uint)Counter;

    public static HybridTimestamp FromPacked(long packed) =>
        new(packed >> CounterBits, (int)(packed & MaxCounter));

    public int CompareTo(HybridTimestamp other) => Packed.CompareTo(other.Packed);

    public static bool operator <(HybridTimestamp a, HybridTimestamp b) => a.Packed < b.Packed;
    public static bool operator >(HybridTimestamp a, HybridTimestamp b) => a.Packed > b.Packed;
    public static bool operator <=(HybridTimestamp a, HybridTimestamp b) => a.Packed <= b.Packed;
    public static bool operator >=(HybridTimestamp a, HybridTimestamp b) => a.Packed >= b.Packed;

    public override string ToString() =>
        $"{DateTimeOffset.FromUnixTimeMilliseconds(WallMs):yyyy-MM-ddTHH:mm:ss.fffZ}#{Counter}";
}
