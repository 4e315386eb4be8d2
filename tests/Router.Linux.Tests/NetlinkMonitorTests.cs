using System.Net;
using Router.Core.Net;
using Router.Core.Ports;
using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class NetlinkMonitorTests : IDisposable
{
    private readonly NetnsPair _net = new();

    [Fact]
    public async Task SeesAddressAndLinkChangesMadeByIp()
    {
        var link = Ns.Link(_net.A, IfA);
        using var monitor = _net.A.RunInside(LinuxNetwork.OpenMonitor);
        var vip = new IpPrefix(IPAddress.Parse("10.77.0.50"), 32);

        _net.A.Ip("addr", "add", "10.77.0.50/32", "dev", IfA);
        await Next<AddressAdded>(monitor, e => e.InterfaceIndex == link.Index && e.Address == vip);

        _net.A.Ip("addr", "del", "10.77.0.50/32", "dev", IfA);
        await Next<AddressRemoved>(monitor, e => e.InterfaceIndex == link.Index && e.Address == vip);

        _net.A.Ip("link", "set", IfA, "down");
        var down = await Next<LinkChanged>(monitor, e => e.Link.Index == link.Index && !e.Link.AdminUp);
        Assert.Equal(IfA, down.Link.Name);
        Assert.False(down.Link.OperUp);
        Assert.Equal(link.Mac, down.Link.Mac);

        _net.A.Ip("link", "del", IfA);
        var removed = await Next<LinkRemoved>(monitor, e => e.Index == link.Index);
        Assert.Equal(IfA, removed.Name);
    }

    [Fact]
    public async Task ReadIsCancellable()
    {
        using var monitor = _net.A.RunInside(LinuxNetwork.OpenMonitor);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await monitor.ReadAsync(cts.Token));
    }

    private static async Task<T> Next<T>(INetlinkMonitor monitor, Func<T, bool> match) where T : NetlinkEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await monitor.ReadAsync(timeout.Token) is T e && match(e)) return e;
        }
    }

    public void Dispose() => _net.Dispose();
}
