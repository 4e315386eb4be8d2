using Router.Core.Leases;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// /etc/hotplug.d/dhcp/50-routerha (openwrt-feed/net/routerha/files/routerha.hotplug), sourced in a subshell by busybox sh inside a musl root as
/// OpenWrt's hotplug-call does, with the environment dnsmasq's dhcp-script.sh exports. /usr/sbin/routerha is
/// a stand-in there that records its arguments and DNSMASQ_* variables (the dhcp-script verb is issue 4's).
/// </summary>
public sealed class HotplugTests : IDisposable
{
    private readonly MuslRoot _root = MuslRoot.Create();

    public HotplugTests()
    {
        _root.WriteFile("/etc/hotplug.d/dhcp/50-routerha", Feed.Text("files/routerha.hotplug"));
        _root.WriteFile("/usr/sbin/routerha",
            "#!/bin/sh\n{ printf 'argv'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo; env | grep '^DNSMASQ_' | sort; } >> /tmp/calls\n",
            "0755");
    }

    private const string Spool = "/var/run/routerha.dhcp-events";

    private string[] Event(Dictionary<string, string> env, bool proc = false)
    {
        var r = _root.Run("/bin/sh", ["-c", "( . /etc/hotplug.d/dhcp/50-routerha )"], env, proc);
        Assert.True(r.Ok, $"hotplug script failed ({r.ExitCode}): {r.StdErr}");
        var calls = _root.PathOf("/tmp/calls");
        return File.Exists(calls) ? File.ReadAllLines(calls) : [];
    }

    [Fact]
    public void AddPassesActionMacIpHostnameAndTheDnsmasqEnvironment()
    {
        var calls = Event(new()
        {
            ["ACTION"] = "add", ["MACADDR"] = "02:00:00:00:88:50", ["IPADDR"] = "192.168.1.123", ["HOSTNAME"] = "laptop",
            ["DNSMASQ_LEASE_EXPIRES"] = "1795306710", ["DNSMASQ_INTERFACE"] = "br-lan", ["DNSMASQ_CLIENT_ID"] = "01:02:00:00:00:88:50",
        });
        Assert.Equal(
        [
            "argv [dhcp-script] [add] [02:00:00:00:88:50] [192.168.1.123] [laptop]",
            "DNSMASQ_CLIENT_ID=01:02:00:00:00:88:50",
            "DNSMASQ_INTERFACE=br-lan",
            "DNSMASQ_LEASE_EXPIRES=1795306710",
        ], calls);
    }

    [Theory]
    [InlineData("remove", "del")]
    [InlineData("update", "old")]
    public void HotplugActionsMapBackToDnsmasqVerbs(string action, string verb)
    {
        var calls = Event(new() { ["ACTION"] = action, ["MACADDR"] = "02:00:00:00:00:01", ["IPADDR"] = "192.168.1.2", ["HOSTNAME"] = "pc" });
        Assert.Equal($"argv [dhcp-script] [{verb}] [02:00:00:00:00:01] [192.168.1.2] [pc]", calls[0]);
    }

    [Fact]
    public void NoHostnameArgumentWhenDnsmasqKnowsNone()
    {
        var calls = Event(new() { ["ACTION"] = "add", ["MACADDR"] = "02:00:00:00:00:02", ["IPADDR"] = "192.168.1.3", ["HOSTNAME"] = "" });
        Assert.Equal("argv [dhcp-script] [add] [02:00:00:00:00:02] [192.168.1.3]", calls[0]);
    }

    [Fact]
    public void OtherActionsAreIgnored()
    {
        Assert.Empty(Event(new() { ["ACTION"] = "tftp", ["MACADDR"] = "x", ["IPADDR"] = "y" }));
    }

    [Fact]
    public void NothingHappensWhenRouterhaIsNotInstalled()
    {
        File.Delete(_root.PathOf("/usr/sbin/routerha"));
        Assert.Empty(Event(new() { ["ACTION"] = "add", ["MACADDR"] = "02:00:00:00:00:03", ["IPADDR"] = "192.168.1.4" }));
    }

    private static readonly Dictionary<string, string> Laptop = new()
    {
        ["ACTION"] = "update", ["MACADDR"] = "02:00:00:00:88:51", ["IPADDR"] = "192.168.1.124", ["HOSTNAME"] = "laptop",
        ["DNSMASQ_LEASE_EXPIRES"] = "1795306711", ["DNSMASQ_INTERFACE"] = "br-lan",
    };

    [Fact]
    public void WhileTheDaemonsSpoolExistsAnEventIsAFileTheDaemonReadsAndNoRouterhaProcessStarts()
    {
        Directory.CreateDirectory(_root.PathOf(Spool));
        Assert.Empty(Event(Laptop, proc: true));
        var file = Assert.Single(Directory.GetFiles(_root.PathOf(Spool)));
        Assert.False(Path.GetFileName(file).StartsWith('.'), $"{file} left under its dot name");
        // What the daemon makes of it: the same call the verb would have sent.
        var (parsed, error) = HotplugLeaseEvent.Parse(File.ReadAllBytes(file), ownHostname: "router-a");
        Assert.Null(error);
        Assert.Equal(["old", "02:00:00:00:88:51", "192.168.1.124", "laptop"], parsed!.Args);
        Assert.Equal("1795306711", parsed.Env["DNSMASQ_LEASE_EXPIRES"]);
        Assert.Equal("br-lan", parsed.Env["DNSMASQ_INTERFACE"]);
        Assert.DoesNotContain("PATH", parsed.Env.Keys);
    }

    [Fact]
    public void AnEventWhoseEnvironmentCannotBeReadIsStoredByRouterhaAndLeavesNothingInTheSpool()
    {
        // No /proc in this root: the handler cannot copy its environment, so the verb stores the event.
        Directory.CreateDirectory(_root.PathOf(Spool));
        var calls = Event(Laptop);
        Assert.Equal("argv [dhcp-script] [old] [02:00:00:00:88:51] [192.168.1.124] [laptop]", calls[0]);
        Assert.Empty(Directory.GetFiles(_root.PathOf(Spool)));
    }

    public void Dispose() => _root.Dispose();
}
