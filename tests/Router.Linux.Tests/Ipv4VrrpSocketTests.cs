using System.Net;
using System.Net.Sockets;
using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class Ipv4VrrpSocketTests : IDisposable
{
    // keepalived's advert from the captures: the socket layer must carry it unchanged.
    private static readonly byte[] Advert = Ns.Hex("314d960100643c69c0a84d01");
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");

    private readonly NetnsPair _net = new();

    [Fact]
    public async Task MulticastAdvertArrivesWithTtl255TosC0AndAddresses()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetwork, multicast: true);
        using var b = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetwork, multicast: true);
        // An independent raw socket in B shows the IP header exactly as it arrived.
        using var observer = _net.B.RunInside(() => VrrpSendSocket.OpenRaw(AddressFamily.InterNetwork, 112));
        observer.ReceiveTimeout = 5000;

        Assert.Equal(IPAddress.Parse(AddrA), a.SourceAddress);
        a.Send(Advert, Group);

        var got = await Ns.Receive(b);
        Assert.Equal(Advert, got.Message);
        Assert.Equal(IPAddress.Parse(AddrA), got.Source);
        Assert.Equal(Group, got.Destination);
        Assert.Equal(255, got.Ttl);
        Assert.Equal(linkB.Index, got.InterfaceIndex);

        var raw = new byte[1500];
        var n = observer.Receive(raw);
        Assert.Equal(20 + Advert.Length, n);
        Assert.Equal(0x45, raw[0]);
        Assert.Equal(0xc0, raw[1]);                // TOS as keepalived sends it
        Assert.Equal(0, raw[6] & 0x40);            // DF clear, as in the keepalived capture
        Assert.Equal(255, raw[8]);
        Assert.Equal(112, raw[9]);
    }

    [Fact]
    public async Task OwnAdvertsAreNotLoopedBack()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetwork, multicast: true);
        using var b = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetwork, multicast: true);

        a.Send([1, 2, 3, 4], Group);
        Assert.Equal([1, 2, 3, 4], (await Ns.Receive(b)).Message); // A's advert has left A (a looped copy would be queued by now)
        b.Send([5, 6, 7, 8], Group);

        var first = await Ns.Receive(a);
        Assert.Equal([5, 6, 7, 8], first.Message);
        Assert.Equal(IPAddress.Parse(AddrB), first.Source);
    }

    [Fact]
    public async Task UnicastModeReceivesOnlyAdvertsAddressedToUs()
    {
        var linkA = Ns.Link(_net.A, IfA);
        var linkB = Ns.Link(_net.B, IfB);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetwork, multicast: false, IPAddress.Parse(AddrA));
        using var unicastB = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetwork, multicast: false);
        // B also has a multicast listener, so the group is joined and the multicast advert really reaches B's stack.
        using var multicastB = Ns.Vrrp(_net.B, linkB, AddressFamily.InterNetwork, multicast: true);

        a.Send([0xaa], Group);
        Assert.Equal([0xaa], (await Ns.Receive(multicastB)).Message);
        a.Send([0xbb], IPAddress.Parse(AddrB));

        var got = await Ns.Receive(unicastB);
        Assert.Equal([0xbb], got.Message);
        Assert.Equal(IPAddress.Parse(AddrA), got.Source);
        Assert.Equal(IPAddress.Parse(AddrB), got.Destination);
        Assert.Equal(255, got.Ttl);
    }

    [Fact]
    public async Task ReceiveIsCancellable()
    {
        var linkA = Ns.Link(_net.A, IfA);
        using var a = Ns.Vrrp(_net.A, linkA, AddressFamily.InterNetwork, multicast: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.ReceiveAsync(cts.Token));
    }

    public void Dispose() => _net.Dispose();
}
