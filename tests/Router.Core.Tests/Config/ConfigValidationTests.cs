using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>One test per mistake an admin can make: the error names the right line and says what is wrong.</summary>
public class ConfigValidationTests
{
    /// <summary>A valid instance on lines 1-4; extra lines from line 5 on.</summary>
    private static string Lan(params string[] extra) =>
        string.Join("\n", ["config instance 'lan'", "\toption interface 'br-lan'", "\toption vrid '51'", "\tlist vip '192.168.1.254/24'", .. extra]) + "\n";

    /// <summary>An instance at line 1 with exactly the given option lines (lines 2..).</summary>
    private static string Instance(params string[] lines) =>
        string.Join("\n", ["config instance 'lan'", .. lines]) + "\n";

    [Fact]
    public void TheValidBaseLoads()
    {
        LoadOk(Lan());
    }

    [Fact]
    public void SyntaxErrorsStopBeforeValidationAndNameTheLine()
    {
        SingleError(Lan("\toption priority '100"), 5, "unterminated ' quote");
    }

    [Fact]
    public void UnknownSectionTypeSuggestsTheNearOne()
    {
        var e = SingleError(Lan("config instnace 'x'"), 5, "unknown section type 'instnace'");
        Assert.Contains("did you mean 'instance'?", e.Message);
    }

    [Fact]
    public void UnknownOptionSuggestsTheNearOne()
    {
        var e = SingleError(Lan("\toption prority '120'"), 5, "unknown option 'prority' in instance 'lan' (did you mean 'priority'?)");
        Assert.Equal("/etc/config/routerha:5: unknown option 'prority' in instance 'lan' (did you mean 'priority'?)", e.ToString());
    }

    [Fact]
    public void UnknownOptionFarFromAnyNameGetsNoSuggestion()
    {
        var e = SingleError(Lan("\toption colour 'blue'"), 5, "unknown option 'colour' in instance 'lan'");
        Assert.DoesNotContain("did you mean", e.Message);
    }

    [Fact]
    public void UnknownOptionInGlobalIsReported()
    {
        SingleError("config global\n\toption loglevel 'debug'\n" + Lan(), 2, "unknown option 'loglevel' in the global section (did you mean 'log_level'?)");
    }

    [Fact]
    public void OptionGivenTwice()
    {
        SingleError(Lan("\toption priority 100", "\toption priority 120"), 6, "option 'priority' given twice in instance 'lan' (first at line 5)");
    }

    [Fact]
    public void ListWrittenAsOption()
    {
        SingleError(Lan("\toption vip '192.168.1.253'"), 5, "'vip' is a list: write list vip");
    }

    [Fact]
    public void SingleValueWrittenAsList()
    {
        SingleError(Lan("\tlist priority '100'"), 5, "'priority' takes a single value: write option priority");
    }

    [Fact]
    public void MissingInterface()
    {
        SingleError(Instance("\toption vrid 1", "\tlist vip '10.0.0.1'"), 1, "instance 'lan': missing required option 'interface'");
    }

    [Theory]
    [InlineData("br-lan-with-a-long-name", "longer than 15 characters")]
    [InlineData("eth0:1", "must not contain '/', ':' or spaces")]
    [InlineData("", "it is empty")]
    public void BadInterfaceName(string name, string message)
    {
        var e = SingleError(Instance($"\toption interface '{name}'", "\toption vrid 1", "\tlist vip '10.0.0.1'"), 2, message);
        Assert.Contains($"interface '{name}' is not a valid device name", e.Message);
    }

    [Fact]
    public void AnInterfaceNameWithANulIsRefused()
    {
        // The kernel would read "br-lan" and stop at the NUL, while status and logs showed the whole name.
        SingleError(Instance("\toption interface 'br-lan\0x'", "\toption vrid 1", "\tlist vip '10.0.0.1'"), 2,
            "control character U+0000 at column 26");
    }

    [Fact]
    public void MissingVrid()
    {
        SingleError(Instance("\toption interface 'br-lan'", "\tlist vip '10.0.0.1'"), 1, "instance 'lan': missing required option 'vrid'");
    }

    [Theory]
    [InlineData("300", "vrid 300 out of range 1..255")]
    [InlineData("0", "vrid 0 out of range 1..255")]
    [InlineData("99999999999", "vrid 99999999999 out of range 1..255")]
    [InlineData("abc", "vrid 'abc' is not a whole number (1..255)")]
    [InlineData("-1", "vrid '-1' is not a whole number")]
    public void VridOutOfRange(string value, string message)
    {
        SingleError(Instance("\toption interface 'br-lan'", $"\toption vrid '{value}'", "\tlist vip '10.0.0.1'"), 3, message);
    }

    [Fact]
    public void BadVersion()
    {
        SingleError(Lan("\toption version '4'"), 5, "version '4' must be 2 or 3");
    }

    [Theory]
    [InlineData("0", "priority 0 out of range 1..255")]
    [InlineData("256", "priority 256 out of range 1..255")]
    [InlineData("high", "priority 'high' is not a whole number")]
    public void BadPriority(string value, string message)
    {
        SingleError(Lan($"\toption priority '{value}'"), 5, message);
    }

    [Theory]
    [InlineData("41", "advert_interval 41 out of range 0.01..40.95 seconds")]
    [InlineData("0", "advert_interval 0 out of range 0.01..40.95 seconds")]
    [InlineData("0.005", "advert_interval 0.005 out of range")]
    [InlineData("0.015", "advert_interval 0.015 is not a multiple of 0.01 seconds")]
    [InlineData("1,5", "advert_interval '1,5' is not a number of seconds")]
    [InlineData("1s", "advert_interval '1s' is not a number of seconds")]
    public void BadV3AdvertInterval(string value, string message)
    {
        SingleError(Lan($"\toption advert_interval '{value}'"), 5, message);
    }

    [Fact]
    public void FractionalIntervalWithVersion2()
    {
        SingleError(Lan("\toption version 2", "\toption advert_interval '1.5'"), 6, "advert_interval 1.5: version 2 only supports whole seconds");
    }

    [Fact]
    public void Version2IntervalOutOfRange()
    {
        SingleError(Lan("\toption version 2", "\toption advert_interval '256'"), 6, "advert_interval 256 out of range 1..255 seconds (version 2)");
    }

    [Theory]
    [InlineData("preempt", "maybe", "preempt 'maybe' is not a boolean")]
    [InlineData("accept", "2", "accept '2' is not a boolean")]
    [InlineData("accept", "0", "accept '0' (RFC 5798 strict Accept_Mode) is not supported")]
    [InlineData("preempt_delay", "1001", "preempt_delay 1001 out of range 0..1000 seconds")]
    [InlineData("garp_repeat", "0", "garp_repeat 0 out of range 1..100")]
    [InlineData("garp_repeat", "101", "garp_repeat 101 out of range 1..100")]
    [InlineData("garp_interval", "-1", "garp_interval '-1' is not a number of seconds")]
    [InlineData("garp_master_delay", "x", "garp_master_delay 'x' is not a number of seconds")]
    [InlineData("garp_refresh", "86401", "garp_refresh 86401 out of range 0..86400 seconds")]
    [InlineData("notify_master", "notify.sh", "notify_master 'notify.sh' must be an absolute path")]
    [InlineData("notify_stop", "~/stop.sh", "notify_stop '~/stop.sh' must be an absolute path")]
    public void BadInstanceValues(string option, string value, string message)
    {
        SingleError(Lan($"\toption {option} '{value}'"), 5, message);
    }

    [Fact]
    public void NoVip()
    {
        SingleError(Instance("\toption interface 'br-lan'", "\toption vrid 1"), 1, "instance 'lan' has no 'list vip'");
    }

    [Theory]
    [InlineData("192.168.1.300", "vip '192.168.1.300' is not an address")]
    [InlineData("192.168.1.1/33", "vip '192.168.1.1/33' is not an address")]
    [InlineData("224.0.0.18", "vip '224.0.0.18' is not a usable unicast address")]
    [InlineData("192.168.1.254", "vip 192.168.1.254 is listed twice")]
    public void BadVip(string value, string message)
    {
        SingleError(Lan($"\tlist vip '{value}'"), 5, message);
    }

    [Fact]
    public void MixedFamiliesInVips()
    {
        SingleError(Lan("\tlist vip 'fd00::254'"), 5, "vip 'fd00::254' is IPv6 but the first vip '192.168.1.254/24' (line 4) is IPv4");
    }

    [Fact]
    public void Version2WithIpv6Vips()
    {
        SingleError(Instance("\toption interface 'br-lan'", "\toption vrid 1", "\toption version '2'", "\tlist vip 'fd00::1'"), 4,
            "version 2 supports IPv4 only, but the vips are IPv6");
    }

    [Fact]
    public void UnicastAddressesOfTheOtherFamily()
    {
        SingleError(Lan("\toption unicast_src 'fd00::2'"), 5, "unicast_src 'fd00::2' is IPv6 but the vips are IPv4");
        SingleError(Lan("\tlist unicast_peer 'fd00::1'"), 5, "unicast_peer 'fd00::1' is IPv6 but the vips are IPv4");
    }

    [Theory]
    [InlineData("\toption unicast_src 'router-a'", 5, "unicast_src 'router-a' is not an IP address")]
    [InlineData("\tlist unicast_peer '192.168.1.2/24'", 5, "unicast_peer '192.168.1.2/24' is not an IP address")]
    public void BadUnicastAddresses(string line, int at, string message)
    {
        SingleError(Lan(line), at, message);
    }

    [Fact]
    public void UnicastPeerTwiceOrEqualToSource()
    {
        SingleError(Lan("\tlist unicast_peer '192.168.1.2'", "\tlist unicast_peer '192.168.1.2'"), 6, "unicast_peer 192.168.1.2 is listed twice");
        SingleError(Lan("\toption unicast_src '192.168.1.2'", "\tlist unicast_peer '192.168.1.2'"), 6, "is this router's own unicast_src");
    }

    [Fact]
    public void AuthTypeAhIsNotSupported()
    {
        SingleError(Lan("\toption version 2", "\toption auth_type 'ah'"), 6, "auth_type 'ah' is not supported");
    }

    [Fact]
    public void UnknownAuthType()
    {
        SingleError(Lan("\toption version 2", "\toption auth_type 'md5'"), 6, "auth_type 'md5' must be none or pass");
    }

    [Fact]
    public void AuthPassWithVersion3()
    {
        SingleError(Lan("\toption auth_pass 'secret'"), 5, "auth_pass requires version 2: VRRPv3 has no authentication");
    }

    [Fact]
    public void AuthTypePassWithVersion3()
    {
        SingleError(Lan("\toption auth_type 'pass'"), 5, "auth_type requires version 2");
    }

    [Fact]
    public void AuthTypePassWithoutPassword()
    {
        SingleError(Lan("\toption version 2", "\toption auth_type 'pass'"), 6, "auth_type 'pass' needs option auth_pass");
    }

    [Fact]
    public void AuthPassWithAuthTypeNone()
    {
        SingleError(Lan("\toption version 2", "\toption auth_type 'none'", "\toption auth_pass 'x'"), 7, "auth_pass is set but auth_type is 'none'");
    }

    [Theory]
    [InlineData("123456789", "auth_pass must be 1..8 characters (got 9)")]
    [InlineData("", "auth_pass must be 1..8 characters (got 0)")]
    public void AuthPassLength(string value, string message)
    {
        SingleError(Lan("\toption version 2", $"\toption auth_pass '{value}'"), 6, message);
    }

    [Fact]
    public void InstanceWithoutName()
    {
        SingleError("config instance\n\toption interface 'br-lan'\n\toption vrid 1\n\tlist vip '10.0.0.1'\n", 1, "'config instance' needs a name");
    }

    [Fact]
    public void DuplicateInstanceName()
    {
        var text = Lan() + "config instance 'lan'\n\toption interface 'eth1'\n\toption vrid 2\n\tlist vip '10.0.0.1'\n";
        SingleError(text, 5, "duplicate instance name 'lan' (first at line 1)");
    }

    [Fact]
    public void DuplicateVridOnTheSameInterfaceAndFamily()
    {
        var text = Lan() + "config instance 'guest'\n\toption interface 'br-lan'\n\toption vrid '51'\n\tlist vip '192.168.1.250'\n";
        SingleError(text, 7, "vrid 51 on br-lan (IPv4) is already used by instance 'lan' (line 1)");
    }

    [Fact]
    public void VipOutsideTheInterfaceSubnets()
    {
        var lookup = Devices(("br-lan", ["192.168.2.1/24", "fd00::1/64"]));
        SingleError(Lan(), 4, "vip 192.168.1.254 is outside the subnets of br-lan (192.168.2.1/24)", lookup);
    }

    [Fact]
    public void VipOnAnInterfaceWithoutAnAddressOfItsFamily()
    {
        var lookup = Devices(("br-lan", ["fd00::1/64"]));
        SingleError(Lan(), 4, "vip 192.168.1.254 is outside every subnet of br-lan: it has no IPv4 address", lookup);
    }

    [Fact]
    public void SubnetCheckIsSkippedWhenTheDeviceIsAbsent()
    {
        // The lookup knows other devices only: br-lan does not exist on this machine.
        LoadOk(Lan(), Devices(("eth0", ["10.0.0.1/8"])));
    }

    [Fact]
    public void NoInstanceAtAll()
    {
        SingleError("config global\n\toption log_level 'info'\n", 1, "no 'config instance' section: nothing to do");
        SingleError("", 1, "no 'config instance' section: nothing to do");
    }

    [Theory]
    [InlineData("enabled", "2", "enabled '2' is not a boolean")]
    [InlineData("node_name", "router a", "node_name must not be empty or contain spaces")]
    [InlineData("control_socket", "routerha.sock", "control_socket 'routerha.sock' must be an absolute path")]
    [InlineData("startup_delay", "3601", "startup_delay 3601 out of range 0..3600 seconds")]
    [InlineData("log_level", "warn", "log_level 'warn' must be one of: debug, info, warning, error (did you mean 'warning'?)")]
    [InlineData("syslog", "maybe", "syslog 'maybe' is not a boolean")]
    [InlineData("syslog_facility", "local8", "syslog_facility 'local8' must be one of: daemon, user, local0")]
    [InlineData("notify_timeout", "0.05", "notify_timeout 0.05 out of range 0.1..3600 seconds")]
    public void BadGlobalValues(string option, string value, string message)
    {
        SingleError($"config global\n\toption {option} '{value}'\n" + Lan(), 2, message);
    }

    [Fact]
    public void ControlSocketLongerThanAUnixSocketPath()
    {
        SingleError($"config global\n\toption control_socket '/{new string('s', 107)}'\n" + Lan(), 2, "control_socket path is 108 bytes long");
    }

    [Fact]
    public void TwoGlobalSections()
    {
        SingleError("config global\nconfig global 'again'\n" + Lan(), 2, "more than one 'config global' section (first at line 1)");
    }

    private const string TwoInstances = "config instance 'a'\n\toption interface 'br-lan'\n\toption vrid 1\n\tlist vip '10.0.0.1'\n"
        + "config instance 'b'\n\toption interface 'br-lan'\n\toption vrid 2\n\tlist vip '10.0.0.2'\n"; // lines 1-8

    [Fact]
    public void SyncGroupWithOneInstance()
    {
        SingleError(TwoInstances + "config sync_group 'g'\n\tlist instance 'a'\n", 9, "sync_group 'g' needs at least two instances");
    }

    [Fact]
    public void SyncGroupNamingAMissingInstance()
    {
        SingleError(TwoInstances + "config sync_group 'g'\n\tlist instance 'a'\n\tlist instance 'b'\n\tlist instance 'bb'\n", 12,
            "sync_group 'g': no instance named 'bb' (did you mean 'b'?)");
    }

    [Fact]
    public void SyncGroupListingAnInstanceTwice()
    {
        SingleError(TwoInstances + "config sync_group 'g'\n\tlist instance 'a'\n\tlist instance 'b'\n\tlist instance 'a'\n", 12,
            "instance 'a' is listed twice in sync_group 'g'");
    }

    [Fact]
    public void InstanceInTwoSyncGroups()
    {
        var text = TwoInstances
            + "config instance 'c'\n\toption interface 'br-lan'\n\toption vrid 3\n\tlist vip '10.0.0.3'\n" // 9-12
            + "config sync_group 'g1'\n\tlist instance 'a'\n\tlist instance 'b'\n"                       // 13-15
            + "config sync_group 'g2'\n\tlist instance 'c'\n\tlist instance 'b'\n";                      // 16-18
        SingleError(text, 18, "instance 'b' is already in sync_group 'g1' (line 15)");
    }

    [Fact]
    public void DuplicateSyncGroupNameAndMissingName()
    {
        var (_, errors) = Load(TwoInstances + "config sync_group 'g'\n\tlist instance 'a'\n\tlist instance 'b'\nconfig sync_group 'g'\n");
        Assert.Contains(errors, e => e.Line == 12 && e.Message == "duplicate sync_group name 'g' (first at line 9)");
        SingleError(TwoInstances + "config sync_group\n\tlist instance 'a'\n\tlist instance 'b'\n", 9, "'config sync_group' needs a name");
    }

    [Fact]
    public void SyncGroupNotifyMustBeAbsolute()
    {
        SingleError(TwoInstances + "config sync_group 'g'\n\tlist instance 'a'\n\tlist instance 'b'\n\toption notify 'x.sh'\n", 12,
            "notify 'x.sh' must be an absolute path");
    }

    [Fact]
    public void AllErrorsAreCollectedInOnePassInFileOrder()
    {
        var text = """
            config global
            	option log_level 'loud'
            config instance 'lan'
            	option interface 'br-lan'
            	option vrid '300'
            	option prority '120'
            	option version '3'
            	option auth_pass 'secret'
            	list vip '192.168.1.254/24'
            	list vip 'fd00::1'
            config instance 'lan'
            	option interface 'br-lan'
            	option vrid '2'
            	option advert_interval '99'
            config sync_group 'g'
            	list instance 'wan'
            config bogus
            """;
        var (config, errors) = Load(text);
        Assert.Null(config);
        (int Line, string Text)[] expected =
        [
            (2, "log_level 'loud' must be one of"),
            (5, "vrid 300 out of range 1..255"),
            (6, "unknown option 'prority' in instance 'lan' (did you mean 'priority'?)"),
            (8, "auth_pass requires version 2"),
            (10, "vip 'fd00::1' is IPv6"),
            (11, "duplicate instance name 'lan' (first at line 3)"),
            (11, "has no 'list vip'"),
            (14, "advert_interval 99 out of range"),
            (15, "needs at least two instances"),
            (16, "no instance named 'wan'"),
            (17, "unknown section type 'bogus'"),
        ];
        Assert.Equal(expected.Length, errors.Count);
        foreach (var (e, want) in errors.Zip(expected))
        {
            Assert.Equal(want.Line, e.Line);
            Assert.Contains(want.Text, e.Message);
        }
    }
}
