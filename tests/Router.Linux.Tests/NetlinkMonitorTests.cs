using System.Net;
using Router.Core.Net;
using Router.Core.Ports;
using static Router.Linux.Tests.NetnsPair;

namespace Router.Linux.Tests;

public sealed class NetlinkMonitorTests : IDisposable
{
    private readonly NetnsPair _net = new();

    [Fact]
    public async Task SeesAddressAndLinkChangesMadeByIp()
    {
        var link = Ns.Link(_net.A, IfA);
        using var monitor = NetnsPair.In(_net.A, LinuxNetwork.OpenMonitor);
        var vip = new IpPrefix(IPAddress.Parse("10.77.0.50"), 32);

        Run("ip", "-n", _net.A, "addr", "add", "10.77.0.50/32", "dev", IfA);
        await Next<AddressAdded>(monitor, e => e.InterfaceIndex == link.Index && e.Address == vip);

        Run("ip", "-n", _net.A, "addr", "del", "10.77.0.50/32", "dev", IfA);
        await Next<AddressRemoved>(monitor, e => e.InterfaceIndex == link.Index && e.Address == vip);

        Run("ip", "-n", _net.A, "link", "set", IfA, "down");
        var down = await Next<LinkChanged>(monitor, e => e.Link.Index == link.Index && !e.Link.AdminUp);
        Assert.Equal(IfA, down.Link.Name);
        Assert.False(down.Link.OperUp);
        Assert.Equal(link.Mac, down.Link.Mac);

        Run("ip", "-n", _net.A, "link", "del", IfA);
        var removed = await Next<LinkRemoved>(monitor, e => e.Index == link.Index);
        Assert.Equal(IfA, removed.Name);
    }

    [Fact]
    public async Task ReadIsCancellable()
    {
        using var monitor = NetnsPair.In(_net.A, LinuxNetwork.OpenMonitor);
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
