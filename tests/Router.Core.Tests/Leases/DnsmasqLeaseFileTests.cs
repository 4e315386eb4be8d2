using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

public class DnsmasqLeaseFileTests
{
    private static readonly long Now = T0.ToUnixTimeSeconds();

    [Fact]
    public void RendersDnsmasqLeaseLinesWithStarsForUnknownFieldsSoonestExpiryFirst()
    {
        var leases = new[]
        {
            Lease("02:00:00:00:88:50", "192.168.88.123", new(1, 0), "a", host: "presethost", expires: Now + 710) with { ClientId = "01:02:00:00:00:88:50" },
            Lease("02:00:00:00:88:51", "192.168.88.124", new(1, 0), "a", expires: Now + 10),
        };
        Assert.Equal(
            $"{Now + 10} 02:00:00:00:88:51 192.168.88.124 * *\n" +
            $"{Now + 710} 02:00:00:00:88:50 192.168.88.123 presethost 01:02:00:00:00:88:50\n",
            DnsmasqLeaseFile.Render(leases, Now));
    }

    [Fact]
    public void LeavesOutTombstonesAndExpiredLeasesAndKeepsInfiniteOnesLast()
    {
        var leases = new[]
        {
            Lease("02:00:00:00:00:01", "10.0.0.1", new(1, 0), "a", deleted: true),
            Lease("02:00:00:00:00:02", "10.0.0.2", new(1, 0), "a", expires: Now),
            Lease("02:00:00:00:00:03", "10.0.0.3", new(1, 0), "a") with { ExpiresUnix = 0 },
            Lease("02:00:00:00:00:04", "10.0.0.4", new(1, 0), "a", expires: Now + 1),
        };
        Assert.Equal(
            $"{Now + 1} 02:00:00:00:00:04 10.0.0.4 * *\n0 02:00:00:00:00:03 10.0.0.3 * *\n",
            DnsmasqLeaseFile.Render(leases, Now));
    }

    [Fact]
    public void OneAddressHeldByTwoClientsAfterASplitBrainIsServedOnceToTheMergeWinner()
    {
        var leases = new[]
        {
            Lease("02:00:00:00:00:0a", "10.0.0.9", new(5, 0), "a", host: "loser"),
            Lease("02:00:00:00:00:0b", "10.0.0.9", new(5, 1), "b", host: "winner"),
        };
        var text = DnsmasqLeaseFile.Render(leases, Now);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("02:00:00:00:00:0b 10.0.0.9 winner", text);
    }

    [Fact]
    public void EmptyStoreRendersNothingSoDnsmasqStartsEmpty()
    {
        Assert.Equal("", DnsmasqLeaseFile.Render([], Now));
    }
}
