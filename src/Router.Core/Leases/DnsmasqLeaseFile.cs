using System.Globalization;
using System.Text;

namespace Router.Core.Leases;

/// <summary>
/// dnsmasq's lease database format, one DHCPv4 lease per line:
/// EXPIRY MAC IP HOSTNAME CLIENT-ID, with "*" for an unknown hostname or client-id.
/// This is what "init" prints for --leasefile-ro and what a lease file written for dnsmasq holds.
/// </summary>
public static class DnsmasqLeaseFile
{
    /// <summary>
    /// The active leases (live, not expired at nowUnix), soonest expiry first. One line per address: when
    /// two routers handed one address to two clients (split brain), the version that wins the merge rule
    /// is served, so dnsmasq never loads two owners for one address.
    /// </summary>
    public static string Render(IEnumerable<LeaseRecord> leases, long nowUnix)
    {
        var sb = new StringBuilder();
        foreach (var l in leases.Where(l => l.IsActiveAt(nowUnix))
                     .GroupBy(l => l.Key.Address)
                     .Select(g => g.Aggregate((best, next) => LeaseMerge.Pick(next, best)))
                     .OrderBy(l => l.ExpiresUnix == 0 ? long.MaxValue : l.ExpiresUnix)
                     .ThenBy(l => l.Key.Address.ToString(), StringComparer.Ordinal))
            sb.Append(Line(l)).Append('\n');
        return sb.ToString();
    }

    public static string Line(LeaseRecord l) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{l.ExpiresUnix} {l.Key.Mac} {l.Key.Address} {l.Hostname ?? "*"} {l.ClientId ?? "*"}");
}
