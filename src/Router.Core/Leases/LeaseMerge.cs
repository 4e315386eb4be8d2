namespace Router.Core.Leases;

/// <summary>
/// The one merge rule every router applies to every version of a lease, whatever order they arrive in:
/// the higher HLC stamp wins; on equal stamps the lexically greater origin node wins. Both inputs decide
/// the same way on every router, so all of them converge to the same row.
/// </summary>
public static class LeaseMerge
{
    /// <summary>True when the incoming version should replace the current one (null = none stored).</summary>
    public static bool Wins(LeaseRecord incoming, LeaseRecord? current)
    {
        if (current is null) return true;
        var byStamp = incoming.Stamp.CompareTo(current.Stamp);
        if (byStamp != 0) return byStamp > 0;
        return string.CompareOrdinal(incoming.Origin, current.Origin) > 0;
    }

    public static LeaseRecord Pick(LeaseRecord a, LeaseRecord? b) => Wins(a, b) ? a : b!;
}
