using System.Net;
using System.Net.Sockets;
using Router.Core.Net;
using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class NetworkControlTests : IDisposable
{
    private readonly NetnsPair _net = new();

    [Fact]
    public void GetInterfaceReportsWhatIpShows()
    {
        _net.A.Ip("link", "set", IfA, "mtu", "1400");
        var link = Ns.Link(_net.A, IfA);
        var shown = _net.A.Ip("-o", "link", "show", IfA); // "7: va@if6: <...> mtu 1400 ... link/ether 5a:..."
        Assert.StartsWith($"{link.Index}: {IfA}@", shown);
        Assert.Contains("link/ether " + string.Join(':', link.Mac.Select(b => b.ToString("x2"))), shown);
        Assert.Equal(1400, link.Mtu);
        Assert.True(link.AdminUp);
        Assert.True(link.OperUp);

        _net.B.Ip("link", "set", IfB, "down"); // carrier gone on A's side, A still admin up
        var noCarrier = Ns.Link(_net.A, IfA);
        Assert.True(noCarrier.AdminUp);
        Assert.False(noCarrier.OperUp);

        Assert.Null(_net.A.RunInside(() => { using var c = LinuxNetwork.OpenControl(); return c.GetInterface("nosuch0"); }));
    }

    [Fact]
    public void Ipv4AddAndRemoveAreIdempotentAndVisible()
    {
        var link = Ns.Link(_net.A, IfA);
        using var control = _net.A.RunInside(LinuxNetwork.OpenControl);
        var vip = new IpPrefix(IPAddress.Parse("10.77.0.100"), 32);

        control.AddAddress(link.Index, vip);
        control.AddAddress(link.Index, vip);
        Assert.Contains(vip, control.GetAddresses(link.Index, AddressFamily.InterNetwork));
        Assert.Contains(new IpPrefix(IPAddress.Parse(AddrA), 24), control.GetAddresses(link.Index, AddressFamily.InterNetwork));
        var shown = _net.A.Ip("-4", "addr", "show", "dev", IfA);
        Assert.Contains("inet 10.77.0.100/32 scope global", shown);
        Assert.DoesNotContain("brd 10.77.0.100", shown);

        control.RemoveAddress(link.Index, vip);
        control.RemoveAddress(link.Index, vip);
        Assert.DoesNotContain(vip, control.GetAddresses(link.Index, AddressFamily.InterNetwork));
        Assert.DoesNotContain("10.77.0.100", _net.A.Ip("-4", "addr", "show", "dev", IfA));
        Assert.Contains(new IpPrefix(IPAddress.Parse(AddrA), 24), control.GetAddresses(link.Index, AddressFamily.InterNetwork));
    }

    [Fact]
    public void Ipv6AddIsNoDadAndRemoveIsIdempotent()
    {
        var link = Ns.Link(_net.A, IfA);
        using var control = _net.A.RunInside(LinuxNetwork.OpenControl);
        var vip = new IpPrefix(IPAddress.Parse("fd00:77::100"), 64);

        control.AddAddress(link.Index, vip);
        control.AddAddress(link.Index, vip);
        Assert.Contains(vip, control.GetAddresses(link.Index, AddressFamily.InterNetworkV6));
        Assert.DoesNotContain(vip, control.GetAddresses(link.Index, AddressFamily.InterNetwork));
        var line = _net.A.Ip("-6", "-o", "addr", "show", "dev", IfA).Split('\n').Single(l => l.Contains("fd00:77::100/64"));
        Assert.Contains("nodad", line);
        Assert.DoesNotContain("tentative", line);

        control.RemoveAddress(link.Index, vip);
        control.RemoveAddress(link.Index, vip);
        Assert.DoesNotContain(vip, control.GetAddresses(link.Index, AddressFamily.InterNetworkV6));
        Assert.DoesNotContain("fd00:77::100", _net.A.Ip("-6", "addr", "show", "dev", IfA));
    }

    [Fact]
    public void KernelErrorsSurfaceWithErrnoText()
    {
        using var control = _net.A.RunInside(LinuxNetwork.OpenControl);
        var e = Assert.Throws<LinuxNetworkException>(() => control.AddAddress(99999, new IpPrefix(IPAddress.Parse("10.9.9.9"), 32)));
        Assert.Equal(19, e.Errno); // ENODEV
        Assert.Contains("No such device", e.Message);
        Assert.Contains("10.9.9.9/32", e.Message);
    }

    public void Dispose() => _net.Dispose();
}
