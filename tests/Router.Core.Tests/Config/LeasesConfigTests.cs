using Router.Core.Config;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

public class LeasesConfigTests
{
    private const string Lan = """
        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '51'
        	list vip '192.168.1.254/24'

        """;

    [Fact]
    public void WithoutALeasesSectionNoLeasesAreKept()
    {
        Assert.Null(LoadOk(Lan).Leases);
    }

    [Fact]
    public void ABareSectionKeepsLeasesOnFlashByDefault()
    {
        var c = LoadOk(Lan + "config leases\n");
        Assert.Equal("/etc/routerha/leases.db", c.Leases!.DbPath);
    }

    [Fact]
    public void DbPathAndEnabledAreRead()
    {
        Assert.Equal("/tmp/routerha/leases.db", LoadOk(Lan + "config leases\n\toption db_path '/tmp/routerha/leases.db'\n").Leases!.DbPath);
        Assert.Null(LoadOk(Lan + "config leases\n\toption enabled '0'\n").Leases);
        Assert.Equal("/tmp/dhcp.leases", LoadOk(Lan + "config leases\n\toption lease_file '/tmp/dhcp.leases'\n").Leases!.LeaseFile);
        Assert.Null(LoadOk(Lan + "config leases\n").Leases!.LeaseFile);
    }

    [Fact]
    public void MistakesAreReportedWithTheirLine()
    {
        SingleError(Lan + "config leases\n\toption db_path 'leases.db'\n", 6, "db_path 'leases.db' must be an absolute path");
        SingleError(Lan + "config leases\n\toption db 'x'\n", 6, "unknown option 'db'");
        SingleError(Lan + "config leases\n\toption lease_file 'dhcp.leases'\n", 6, "lease_file 'dhcp.leases' must be an absolute path");
        SingleError(Lan + "config leases\nconfig leases\n", 6, "more than one 'config leases' section (first at line 5)");
    }
}
