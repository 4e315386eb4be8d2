using System.Text;
using Router.Core.Leases;

namespace Router.Core.Tests.Leases;

/// <summary>The hotplug handler's environment (as /proc/PID/environ holds it) back into a dhcp-script call.</summary>
public sealed class HotplugLeaseEventTests
{
    private static (HotplugLeaseEvent? Event, string? Error) Parse(string environ, string? own = "router-a") =>
        HotplugLeaseEvent.Parse(Encoding.UTF8.GetBytes(environ), own);

    [Theory]
    [InlineData("add", "add")]
    [InlineData("remove", "del")]
    [InlineData("update", "old")]
    public void HotplugActionsBecomeDnsmasqVerbsWithTheDnsmasqVariablesAlone(string action, string verb)
    {
        var (e, error) = Parse($"PATH=/bin\0ACTION={action}\0MACADDR=02:00:00:00:00:71\0IPADDR=192.168.1.71\0HOSTNAME=pc\0" +
            "DNSMASQ_LEASE_EXPIRES=1795306710\0DNSMASQ_TAGS=lan known\0USER=root\0");
        Assert.Null(error);
        Assert.Equal([verb, "02:00:00:00:00:71", "192.168.1.71", "pc"], e!.Args);
        Assert.Equal(new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = "1795306710", ["DNSMASQ_TAGS"] = "lan known" }, e.Env);
    }

    [Theory]
    [InlineData("HOSTNAME=\0")]
    [InlineData("")]
    [InlineData("HOSTNAME=Router-A\0")]
    public void NoHostnameArgumentWhenDnsmasqKnowsNoneOrItIsTheRoutersOwnName(string hostname)
    {
        var (e, _) = Parse($"ACTION=add\0MACADDR=02:00:00:00:00:72\0IPADDR=192.168.1.72\0{hostname}");
        Assert.Equal(["add", "02:00:00:00:00:72", "192.168.1.72"], e!.Args);
    }

    [Fact]
    public void ActionsWithoutALeaseAreIgnoredQuietly()
    {
        Assert.Equal((null, null), Parse("ACTION=tftp\0MACADDR=x\0IPADDR=y\0"));
    }

    [Theory]
    [InlineData("MACADDR=02:00:00:00:00:73\0IPADDR=192.168.1.73\0", "no ACTION in the event")]
    [InlineData("ACTION=add\0IPADDR=192.168.1.73\0", "add without MACADDR or IPADDR")]
    [InlineData("ACTION=update\0MACADDR=02:00:00:00:00:73\0IPADDR=\0", "old without MACADDR or IPADDR")]
    public void AnIncompleteEventIsRefusedWithTheReason(string environ, string error)
    {
        Assert.Equal((null, error), Parse(environ));
    }

    [Fact]
    public void AnOversizedFileIsNotReadAsAnEvent()
    {
        var (e, error) = HotplugLeaseEvent.Parse(new byte[HotplugLeaseEvent.MaxBytes + 1], null);
        Assert.Null(e);
        Assert.Equal($"event of {HotplugLeaseEvent.MaxBytes + 1} bytes (at most {HotplugLeaseEvent.MaxBytes})", error);
    }
}
