using Router.Core.Leases;

namespace Router.Fuzz.Tests;

/// <summary>dnsmasq reads its lease file line by line, fields split at spaces: one lease must stay one line of five words.</summary>
public static class LeaseLines
{
    public static void AssertOneLine(LeaseRecord lease)
    {
        var line = DnsmasqLeaseFile.Line(lease);
        var fields = line.Split(' ');
        Assert.True(fields.Length == 5 && fields.All(f => f.Length > 0 && !f.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))),
            $"lease prints as '{line}', not one line of 5 words");
    }
}
