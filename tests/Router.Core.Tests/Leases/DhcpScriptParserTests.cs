using System.Net;
using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

public class DhcpScriptParserTests
{
    private static DhcpScriptCall Parse(string args, params (string Name, string Value)[] env) =>
        DhcpScriptParser.Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            env.ToDictionary(e => "DNSMASQ_" + e.Name, e => e.Value), T0);

    private static string ErrorOf(DhcpScriptCall c) => Assert.IsType<DhcpScriptMalformed>(c).Error;

    [Fact]
    public void AddFromUdhcpcAsObservedWithDnsmasq2Dot90()
    {
        var c = Parse("add 02:00:00:00:88:02 192.168.88.117 cli2",
            ("INTERFACE", "eth0"), ("LEASE_EXPIRES", "1795306710"), ("TIME_REMAINING", "120"),
            ("CLIENT_ID", "01:02:00:00:00:88:02"), ("SUPPLIED_HOSTNAME", "cli2"), ("TAGS", "eth0"),
            ("REQUESTED_OPTIONS", "1,3,6,12,15,28,42"), ("VENDOR_CLASS", "udhcp 1.35.0"), ("LOG_DHCP", "1"));
        var e = Assert.IsType<DhcpLeaseEvent>(c);
        Assert.Equal(new DhcpLeaseEvent(LeaseAction.Add, "02:00:00:00:88:02", IPAddress.Parse("192.168.88.117"), "cli2",
            "01:02:00:00:00:88:02", "eth0", 1795306710), e);
    }

    [Fact]
    public void OldWithoutHostnameAndDelWithDataMissing()
    {
        var old = Assert.IsType<DhcpLeaseEvent>(Parse("old 02:00:00:00:88:50 192.168.88.123",
            ("DATA_MISSING", "1"), ("OLD_HOSTNAME", "presethost"), ("LEASE_EXPIRES", "1795306710")));
        Assert.Equal(LeaseAction.Old, old.Action);
        Assert.Null(old.Hostname);
        var del = Assert.IsType<DhcpLeaseEvent>(Parse("del 02:00:00:00:88:50 192.168.88.123 cli1",
            ("DATA_MISSING", "1"), ("LEASE_EXPIRES", "1795306710")));
        Assert.Equal(LeaseAction.Del, del.Action);
        Assert.True(del.ToRecord(new HybridTimestamp(1, 0), "a").Deleted);
    }

    [Fact]
    public void MacAndClientIdAreNormalizedToLowerCasePairs()
    {
        var e = Assert.IsType<DhcpLeaseEvent>(Parse("add 2:AB:0:0:0:1 10.0.0.5", ("LEASE_EXPIRES", "0"), ("CLIENT_ID", "1:AB:ff")));
        Assert.Equal("02:ab:00:00:00:01", e.Mac);
        Assert.Equal("01:ab:ff", e.ClientId);
        Assert.Equal(0, e.ExpiresUnix); // infinite lease
        var ib = Assert.IsType<DhcpLeaseEvent>(Parse("add 20-00:11:22 10.0.0.6", ("LEASE_EXPIRES", "5")));
        Assert.Equal("20-00:11:22", ib.Mac);
    }

    [Fact]
    public void LeaseLengthBuildsReportAnExpiryRelativeToNow()
    {
        var e = Assert.IsType<DhcpLeaseEvent>(Parse("add 02:00:00:00:00:01 10.0.0.5", ("LEASE_LENGTH", "3600")));
        Assert.Equal(T0.ToUnixTimeSeconds() + 3600, e.ExpiresUnix);
    }

    [Fact]
    public void InitAndEventsWithoutALease()
    {
        Assert.IsType<DhcpScriptInit>(Parse("init"));
        Assert.IsType<DhcpScriptIgnored>(Parse("tftp 1024 192.168.1.5 /tftp/pxelinux.0"));
        Assert.IsType<DhcpScriptIgnored>(Parse("arp-add 02:00:00:00:00:01 192.168.1.5"));
        Assert.IsType<DhcpScriptIgnored>(Parse("add 00:01:00:01:aa 2001:db8::5 host", ("LEASE_EXPIRES", "5")));
    }

    [Theory]
    [InlineData("", "no action")]
    [InlineData("init extra", "init takes no arguments")]
    [InlineData("renew 02:00:00:00:00:01 10.0.0.1", "unknown action 'renew'")]
    [InlineData("add 02:00:00:00:00:01", "add needs MAC IP [HOSTNAME], got 1")]
    [InlineData("add 02:00:00:00:00:01 10.0.0.1 host extra", "got 4")]
    [InlineData("add 02:00:00:00:00:01 10.0.0.300", "'10.0.0.300' is not an IP address")]
    [InlineData("add zz:00:00:00:00:01 10.0.0.1", "'zz:00:00:00:00:01' is not a hardware address")]
    [InlineData("add 02::00:00:00:01 10.0.0.1", "is not a hardware address")]
    [InlineData("add 02:00:00:00:00:01 10.0.0.1 *", "hostname '*' is empty")]
    public void MalformedArgumentsAreRefusedWithWhatIsWrong(string args, string expected)
    {
        Assert.Contains(expected, ErrorOf(Parse(args, ("LEASE_EXPIRES", "100"))));
    }

    [Fact]
    public void AHostnameThatWouldBreakTheLeaseFileLineIsRefused()
    {
        var c = DhcpScriptParser.Parse(["add", "02:00:00:00:00:01", "10.0.0.1", "evil\n1 aa:bb:cc:dd:ee:ff 10.0.0.2"],
            new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = "100" }, T0);
        Assert.Contains("contains spaces or control characters", ErrorOf(c));
    }

    [Theory]
    [InlineData("LEASE_EXPIRES", "soon", "DNSMASQ_LEASE_EXPIRES 'soon' is not a Unix time")]
    [InlineData("LEASE_EXPIRES", "-5", "is not a Unix time")]
    [InlineData("LEASE_LENGTH", "1h", "DNSMASQ_LEASE_LENGTH '1h'")]
    [InlineData("CLIENT_ID", "01 02", "DNSMASQ_CLIENT_ID '01 02' is not colon-separated hex bytes")]
    [InlineData("INTERFACE", "br lan", "DNSMASQ_INTERFACE 'br lan'")]
    public void MalformedEnvironmentIsRefused(string name, string value, string expected)
    {
        var env = new List<(string, string)> { (name, value) };
        if (name != "LEASE_EXPIRES" && name != "LEASE_LENGTH") env.Add(("LEASE_EXPIRES", "100"));
        Assert.Contains(expected, ErrorOf(Parse("old 02:00:00:00:00:01 10.0.0.1", [.. env])));
    }

    [Fact]
    public void AddWithoutAnyExpiryIsRefusedButDelBecomesATombstoneFromNow()
    {
        Assert.Contains("neither DNSMASQ_LEASE_EXPIRES nor DNSMASQ_LEASE_LENGTH", ErrorOf(Parse("add 02:00:00:00:00:01 10.0.0.1")));
        var del = Assert.IsType<DhcpLeaseEvent>(Parse("del 02:00:00:00:00:01 10.0.0.1"));
        Assert.Equal(T0.ToUnixTimeSeconds(), del.ExpiresUnix);
    }
}
