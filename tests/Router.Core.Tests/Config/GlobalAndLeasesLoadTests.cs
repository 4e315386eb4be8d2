using Router.Core.Config;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

/// <summary>
/// The lenient load the CLI verbs use (status finding the socket, dhcp-script and leases finding the store):
/// only the global and leases sections count, read by the same code and with the same messages as the full load.
/// </summary>
public class GlobalAndLeasesLoadTests
{
    private static (GlobalAndLeases Result, List<ConfigError> Errors) LoadLenient(string text)
    {
        var errors = new List<ConfigError>();
        var result = ConfigLoader.LoadGlobalAndLeasesText(ConfigPath, text, errors);
        return (result, errors);
    }

    private static GlobalAndLeases LoadLenientOk(string text)
    {
        var (result, errors) = LoadLenient(text);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return result;
    }

    /// <summary>What the full load (check-config) reports for the text: the lenient load must say the same.</summary>
    private static List<string> FullLoadErrors(string text)
    {
        var (config, errors) = Load(text);
        Assert.Null(config);
        return errors.Select(e => e.ToString()).ToList();
    }

    private const string BrokenElsewhere = """
        config global 'main'
        	option control_socket '/tmp/rha/ctl.sock'
        	option node_name 'router-b'

        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '300'
        	option prority '120'
        	option auth_pass 'open
        	list vip '192.168.1.254/24'

        config action 'dhcp'
        	option kind 'no_such_kind'

        config peer 'b'
        	option port 'x'

        config tracker 'wan'

        config leases
        	option db_path '/tmp/routerha/leases.db'
        	option lease_file '/tmp/dhcp.leases'

        """;

    [Fact]
    public void BrokenInstanceAndOtherSectionsDoNotHideGlobalAndLeases()
    {
        Assert.NotEmpty(FullLoadErrors(BrokenElsewhere));
        var c = LoadLenientOk(BrokenElsewhere);
        Assert.Equal("/tmp/rha/ctl.sock", c.Global.ControlSocket);
        Assert.Equal("router-b", c.Global.NodeName);
        Assert.Equal(new LeasesConfig { DbPath = "/tmp/routerha/leases.db", LeaseFile = "/tmp/dhcp.leases", Line = 20 }, c.Leases);
    }

    [Fact]
    public void BrokenInstanceIsNotReportedEvenWhenTheLeasesSectionIsWrong()
    {
        var (c, errors) = LoadLenient(BrokenElsewhere.Replace("'/tmp/routerha/leases.db'", "'leases.db'", StringComparison.Ordinal));
        var e = Assert.Single(errors);
        Assert.Equal("/etc/config/routerha:21: db_path 'leases.db' must be an absolute path (starting with /)", e.ToString());
        Assert.Equal(LeasesConfig.DefaultDbPath, c.Leases!.DbPath);
        Assert.Equal("/tmp/rha/ctl.sock", c.Global.ControlSocket);
    }

    [Theory]
    [InlineData("\toption db_path 'leases.db'", "db_path 'leases.db' must be an absolute path")]
    [InlineData("\toption dbpath '/tmp/leases.db'", "unknown option 'dbpath' in the leases section (did you mean 'db_path'?)")]
    [InlineData("\toption enabled 'maybe'", "enabled 'maybe' is not a boolean")]
    [InlineData("\toption lease_file 'dhcp.leases'", "lease_file 'dhcp.leases' must be an absolute path")]
    public void InvalidOptionInLeasesIsReportedWithFileAndLineAsCheckConfigDoes(string badLine, string message)
    {
        var text = "config instance 'lan'\n\toption interface 'br-lan'\n\toption vrid '51'\n\tlist vip '192.168.1.254/24'\n"
                   + "config leases\n" + badLine + "\n";
        var (c, errors) = LoadLenient(text);
        var e = Assert.Single(errors);
        Assert.Equal((ConfigPath, 6), (e.Path, e.Line));
        Assert.Contains(message, e.Message);
        Assert.Equal(FullLoadErrors(text), [e.ToString()]);
        // The option is at its default, as with any bad value, so the verb can still go on.
        Assert.Equal(LeasesConfig.DefaultDbPath, c.Leases!.DbPath);
    }

    [Theory]
    [InlineData("\toption control_socket 'routerha.sock'", "control_socket 'routerha.sock' must be an absolute path")]
    [InlineData("\toption control_socket '/var/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock'",
        "a unix socket path allows at most 107")]
    [InlineData("\toption node_name 'router b'", "node_name must not be empty or contain spaces")]
    [InlineData("\toption contol_socket '/tmp/x.sock'", "unknown option 'contol_socket' in the global section (did you mean 'control_socket'?)")]
    public void InvalidOptionInGlobalIsReportedAndTheDefaultUsed(string badLine, string message)
    {
        var text = "config global\n" + badLine + "\nconfig instance 'lan'\n\toption vrid 'x'\n";
        var (c, errors) = LoadLenient(text);
        var e = Assert.Single(errors);
        Assert.Equal(2, e.Line);
        Assert.Contains(message, e.Message);
        Assert.Equal(new GlobalConfig(), c.Global);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    [InlineData("config instance 'lan'\n\toption vrid 'not a number'\n")]
    [InlineData("config mqtt\n\toption host\n")]
    public void DefaultsWhenTheSectionsAreAbsent(string text)
    {
        var c = LoadLenientOk(text);
        Assert.Equal(GlobalAndLeases.Defaults, c);
        Assert.Equal("/var/run/routerha.sock", c.Global.ControlSocket);
        Assert.Null(c.Global.NodeName);
        Assert.Null(c.Leases);
    }

    [Fact]
    public void BareLeasesSectionKeepsLeasesOnFlashAndEnabledZeroKeepsNone()
    {
        Assert.Equal(LeasesConfig.DefaultDbPath, LoadLenientOk("config leases\n").Leases!.DbPath);
        Assert.Null(LoadLenientOk("config leases\n\toption enabled 'off'\n\toption db_path '/tmp/l.db'\n").Leases);
    }

    [Fact]
    public void SyntaxErrorInTheseSectionsIsReportedAndElsewhereIgnored()
    {
        var text = """
            config global
            	option control_socket '/tmp/a.sock
            	option node_name 'a'
            config instance 'lan'
            	option vrid "51
            config leases
            	option db_path '/tmp/l.db' \
            """;
        var (c, errors) = LoadLenient(text);
        Assert.Equal([2, 7], errors.Select(e => e.Line));
        Assert.Contains("unterminated ' quote", errors[0].Message);
        Assert.Contains("line continuation is not supported", errors[1].Message);
        Assert.Equal(("/var/run/routerha.sock", "a"), (c.Global.ControlSocket, c.Global.NodeName));
        Assert.Equal(LeasesConfig.DefaultDbPath, c.Leases!.DbPath);
    }

    [Fact]
    public void HeaderCutShortBySyntaxErrorDoesNotLendItsOptionsToTheSectionBefore()
    {
        var text = "config leases\n\toption db_path '/tmp/l.db'\nconfig global 'main\n\toption enabled '0'\n";
        var (c, errors) = LoadLenient(text);
        // The broken header counts to the section before it; its option is dropped with it, not read as the leases' enabled.
        Assert.Equal([3], errors.Select(e => e.Line));
        Assert.Equal("/tmp/l.db", c.Leases!.DbPath);
        Assert.True(c.Global.Enabled);
    }

    [Fact]
    public void RepeatedSectionIsReportedAndTheFirstCounts()
    {
        var (c, errors) = LoadLenient("config global\n\toption node_name 'a'\nconfig global\n\toption node_name 'b'\n");
        var e = Assert.Single(errors);
        Assert.Equal("/etc/config/routerha:3: more than one 'config global' section (first at line 1)", e.ToString());
        Assert.Equal("a", c.Global.NodeName);
    }

    [Fact]
    public void AgreesWithTheFullLoadOnAValidFile()
    {
        var text = """
            config global 'main'
            	option enabled 'no'
            	option node_name 'router-b'
            	option control_socket '/tmp/rha.sock'
            	option startup_delay '2.5'
            	option log_level 'debug'
            	option syslog 'off'
            	option syslog_facility 'local3'
            	option notify_timeout '0.5'

            config instance 'lan'
            	option interface 'br-lan'
            	option vrid '51'
            	list vip '192.168.1.254/24'

            config leases 'store'
            	option db_path '/tmp/routerha/leases.db'
            	option lease_file '/tmp/dhcp.leases'
            """;
        var full = LoadOk(text);
        Assert.Equal(new GlobalAndLeases(full.Global, full.Leases), LoadLenientOk(text));
    }
}
