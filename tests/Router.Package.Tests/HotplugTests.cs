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

    private string[] Event(Dictionary<string, string> env)
    {
        var r = _root.Run("/bin/sh", ["-c", "( . /etc/hotplug.d/dhcp/50-routerha )"], env);
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

    public void Dispose() => _root.Dispose();
}
