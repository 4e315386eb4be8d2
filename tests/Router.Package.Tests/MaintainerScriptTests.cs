using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The package's postinst / prerm (openwrt-feed/net/routerha/ipk) run by busybox sh in a musl root, with opkg's
/// PKG_UPGRADE as opkg sets it. /etc/init.d/routerha, dnsmasq and rpcd are stand-ins (the real ones need OpenWrt's
/// rc.common and procd) that record their verb and keep rc.common's boot links: enable makes S and K links from
/// START/STOP, disable removes them, enabled says whether the S link exists. /usr/sbin/dnsmasq answers --help.
/// </summary>
public sealed class MaintainerScriptTests : IDisposable
{
    private const string RenewalLine = "script-on-renewal";
    private readonly MuslRoot _root = MuslRoot.Create();

    public MaintainerScriptTests()
    {
        InitStandIn("routerha", 60, 10);
        InitStandIn("dnsmasq", 19, 10);
        InitStandIn("rpcd", 12, null);
        DnsmasqStandIn(knowsScriptOnRenewal: true);
        foreach (var name in (string[])["postinst", "prerm"])
            _root.WriteFile("/tmp/" + name, Feed.Text("ipk/" + name), "0755");
        // dnsmasq's package ships this conffile; the stock one is all comments.
        _root.WriteFile("/etc/dnsmasq.conf", "# Change the following lines if you want dnsmasq to serve SRV records.\n");
        Enable("dnsmasq");
        Enable("rpcd");
    }

    private void InitStandIn(string name, int start, int? stop)
    {
        var k = stop is { } s ? $"ln -sf ../init.d/{name} /etc/rc.d/K{s}{name}" : ":";
        _root.WriteFile($"/etc/init.d/{name}", $"""
            #!/bin/sh
            echo "{name} $1" >> /tmp/initd-calls
            case "$1" in
            enable) mkdir -p /etc/rc.d; ln -sf ../init.d/{name} /etc/rc.d/S{start}{name}; {k} ;;
            disable) rm -f /etc/rc.d/S??{name} /etc/rc.d/K??{name} ;;
            enabled) [ -e /etc/rc.d/S{start}{name} ] ;;
            esac

            """, "0755");
    }

    private void DnsmasqStandIn(bool knowsScriptOnRenewal) =>
        _root.WriteFile("/usr/sbin/dnsmasq", "#!/bin/sh\n[ \"$1\" = --help ] || exit 1\necho 'Usage: dnsmasq [options]'\n" +
            (knowsScriptOnRenewal ? "echo '    --script-on-renewal                 Call dhcp-script when lease expiry changes.'\n" : "") +
            "echo '-6, --dhcp-script=<path>                Shell script to run on DHCP lease creation and destruction.'\n", "0755");

    private void Enable(string name)
    {
        Assert.True(_root.Run($"/etc/init.d/{name}", "enable").Ok);
        File.Delete(_root.PathOf("/tmp/initd-calls"));
    }

    private string[] RunScript(string name, bool upgrade = false, Dictionary<string, string>? env = null)
    {
        File.Delete(_root.PathOf("/tmp/initd-calls"));
        env ??= [];
        env["PKG_UPGRADE"] = upgrade ? "1" : "0";
        var r = _root.Run("/tmp/" + name, [], env);
        Assert.True(r.Ok, $"{name} failed ({r.ExitCode}): {r.StdErr}");
        var calls = _root.PathOf("/tmp/initd-calls");
        return File.Exists(calls) ? File.ReadAllLines(calls) : [];
    }

    private string? BootLink(string prefix) =>
        new FileInfo(_root.PathOf($"/etc/rc.d/{prefix}routerha")).LinkTarget;

    private int RenewalLines(string conf = "/etc/dnsmasq.conf") =>
        File.ReadAllLines(_root.PathOf(conf)).Count(l => l == RenewalLine);

    [Fact]
    public void FreshInstallEnablesStartsRestartsDnsmasqAndReloadsRpcd()
    {
        Assert.Equal(["routerha enable", "routerha start", "dnsmasq enabled", "dnsmasq restart", "rpcd reload"], RunScript("postinst"));
        Assert.Equal("../init.d/routerha", BootLink("S60"));
        Assert.Equal("../init.d/routerha", BootLink("K10"));
        Assert.Equal(1, RenewalLines());
    }

    [Fact]
    public void UpgradeOfADisabledPackageKeepsItDisabledAndStartsNothing()
    {
        RunScript("postinst");
        RunScript("prerm", upgrade: false);
        Assert.Null(BootLink("S60"));
        RunScript("postinst");
        Assert.True(_root.Run("/etc/init.d/routerha", "disable").Ok);

        var calls = RunScript("postinst", upgrade: true);
        Assert.DoesNotContain("routerha enable", calls);
        Assert.DoesNotContain("routerha start", calls);
        Assert.Null(BootLink("S60"));
        Assert.Null(BootLink("K10"));
    }

    [Fact]
    public void UpgradeOfAnEnabledPackageStartsItWithoutEnablingAgainAndLeavesDnsmasqRunning()
    {
        RunScript("postinst");
        Assert.Equal(["routerha enabled", "routerha start", "rpcd reload"], RunScript("postinst", upgrade: true));
        Assert.Equal(1, RenewalLines());
    }

    [Fact]
    public void ScriptOnRenewalGoesIntoEveryDnsmasqConfFileOnceAndDnsmasqRestartsWhenItWasAdded()
    {
        _root.WriteFile("/etc/dnsmasq.guest.conf", "");
        RunScript("postinst");
        Assert.Equal(1, RenewalLines());
        Assert.Equal(1, RenewalLines("/etc/dnsmasq.guest.conf"));
        // An upgrade over a package that predates the line adds it and restarts dnsmasq so it reads it.
        File.WriteAllText(_root.PathOf("/etc/dnsmasq.conf"), "");
        Assert.Contains("dnsmasq restart", RunScript("postinst", upgrade: true));
        Assert.Equal(1, RenewalLines());
        Assert.Equal(1, RenewalLines("/etc/dnsmasq.guest.conf"));
    }

    [Fact]
    public void ADnsmasqWithoutScriptOnRenewalIsNotGivenTheOptionItWouldRefuseToStartWith()
    {
        DnsmasqStandIn(knowsScriptOnRenewal: false);
        RunScript("postinst");
        Assert.Equal(0, RenewalLines());
    }

    [Fact]
    public void ADisabledDnsmasqIsNotStartedByTheRestart()
    {
        Assert.True(_root.Run("/etc/init.d/dnsmasq", "disable").Ok);
        var calls = RunScript("postinst");
        Assert.Contains("dnsmasq enabled", calls);
        Assert.DoesNotContain("dnsmasq restart", calls);
    }

    [Fact]
    public void WithoutDnsmasqAndRpcdThePostinstStillSucceeds()
    {
        foreach (var f in (string[])["/etc/init.d/dnsmasq", "/etc/init.d/rpcd", "/usr/sbin/dnsmasq"]) File.Delete(_root.PathOf(f));
        Assert.Equal(["routerha enable", "routerha start"], RunScript("postinst"));
    }

    [Fact]
    public void RemoveStopsFirstSoAMasterHandsOverThenDisablesAndTakesTheDnsmasqLineBack()
    {
        RunScript("postinst");
        Assert.Equal(["routerha stop", "routerha disable"], RunScript("prerm"));
        Assert.Null(BootLink("S60"));
        Assert.Null(BootLink("K10"));
        Assert.Equal("# Change the following lines if you want dnsmasq to serve SRV records.\n", File.ReadAllText(_root.PathOf("/etc/dnsmasq.conf")));
    }

    [Fact]
    public void PrermOfAnUpgradeOnlyStopsAndKeepsTheBootLinks()
    {
        RunScript("postinst");
        Assert.Equal(["routerha stop"], RunScript("prerm", upgrade: true));
        Assert.Equal("../init.d/routerha", BootLink("S60"));
        Assert.Equal(1, RenewalLines());
    }

    [Fact]
    public void ImageBuildOnlyLinksTheBootScriptAndRunsNothing()
    {
        Directory.CreateDirectory(_root.PathOf("/image/etc/init.d"));
        Assert.Empty(RunScript("postinst", env: new() { ["IPKG_INSTROOT"] = "/image" }));
        // The links carry the init script's START and STOP, as `/etc/init.d/routerha enable` would name them.
        var init = Feed.Text("files/routerha.init").Split('\n');
        var start = init.Single(l => l.StartsWith("START=", StringComparison.Ordinal))[6..];
        var stop = init.Single(l => l.StartsWith("STOP=", StringComparison.Ordinal))[5..];
        Assert.Equal("../init.d/routerha", new FileInfo(_root.PathOf($"/image/etc/rc.d/S{start}routerha")).LinkTarget);
        Assert.Equal("../init.d/routerha", new FileInfo(_root.PathOf($"/image/etc/rc.d/K{stop}routerha")).LinkTarget);
        // The boot guard runs before netifd (START 15 < network's 20).
        Assert.Equal("../init.d/routerha-boot", new FileInfo(_root.PathOf("/image/etc/rc.d/S15routerha-boot")).LinkTarget);
        Assert.Contains(RenewalLine, File.ReadAllLines(_root.PathOf("/image/etc/dnsmasq.conf")));
        Assert.Empty(RunScript("prerm", env: new() { ["IPKG_INSTROOT"] = "/image" }));
    }

    public void Dispose() => _root.Dispose();
}
