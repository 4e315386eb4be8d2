using System.Net;
using System.Net.Sockets;
using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class Ipv6VrrpSocketTests : IDisposable
{
    private static readonly IPAddress Group = IPAddress.Parse("ff02::12");
    private readonly NetnsPair _net = new();

    [Fact]
    public async Task MulticastAdvertArrivesWithHopLimit255FromLinkLocalSource()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetworkV6, multicast: true);
        using var b = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetworkV6, multicast: true);

        Assert.True(a.SourceAddress.IsIPv6LinkLocal);
        Assert.Equal(linkA.Index, a.SourceAddress.ScopeId);
        var ipOutput = _net.A.Ip("-6", "addr", "show", "dev", IfA, "scope", "link");
        Assert.Contains(new IPAddress(a.SourceAddress.GetAddressBytes()) + "/64", ipOutput);

        a.Send([0x31, 0x4d, 0x96, 0x01], Group);
        var got = await Ns.Receive(b);
        Assert.Equal([0x31, 0x4d, 0x96, 0x01], got.Message);
        Assert.Equal(255, got.Ttl);
        Assert.Equal(a.SourceAddress.GetAddressBytes(), got.Source.GetAddressBytes());
        Assert.Equal(Group, got.Destination);
        Assert.Equal(linkB.Index, got.InterfaceIndex);

        // A's own advert was not looped back: the first thing A reads is B's answer.
        b.Send([9], Group);
        var first = await Ns.Receive(a);
        Assert.Equal([9], first.Message);
        Assert.Equal(b.SourceAddress.GetAddressBytes(), first.Source.GetAddressBytes());
    }

    [Fact]
    public async Task UnicastModeReceivesOnlyAdvertsAddressedToUs()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetworkV6, multicast: false);
        using var unicastB = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetworkV6, multicast: false);
        using var multicastB = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetworkV6, multicast: true);

        a.Send([0xaa], Group);
        Assert.Equal([0xaa], (await Ns.Receive(multicastB)).Message);
        var peer = new IPAddress(unicastB.SourceAddress.GetAddressBytes()); // no scope id: the socket supplies its interface
        a.Send([0xbb], peer);

        var got = await Ns.Receive(unicastB);
        Assert.Equal([0xbb], got.Message);
        Assert.Equal(peer, got.Destination);
        Assert.Equal(255, got.Ttl);
    }

    [Fact]
    public async Task ReceiveIsCancellableAndEndsOnDispose()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetworkV6, multicast: true);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.ReceiveAsync(cts.Token));

        var pending = a.ReceiveAsync(CancellationToken.None).AsTask();
        a.Dispose();
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    public void Dispose() => _net.Dispose();
}
