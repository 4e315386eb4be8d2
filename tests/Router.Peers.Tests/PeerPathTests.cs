using System.Net;
using Router.Peers;

namespace Router.Peers.Tests;

/// <summary>Two paths (a LAN and a dedicated link), each through its own relay: one can fail while the other carries on.</summary>
public class PeerPathTests
{
    private sealed class TwoPaths : IAsyncDisposable
    {
        public TwoPaths()
        {
            var lanListen = PeerNode.FreeEndPoint();
            var linkListen = PeerNode.FreeEndPoint();
            Lan = new TcpRelay(lanListen);
            Link = new TcpRelay(linkListen);
            A = new PeerNode("router-a", [new PeerPath("lan", lanListen, null, AcceptFrom: IPAddress.Loopback), new PeerPath("link", linkListen, null, AcceptFrom: IPAddress.Loopback)]);
            B = new PeerNode("router-b", [new PeerPath("lan", null, Lan.EndPoint), new PeerPath("link", null, Link.EndPoint)]);
            A.WaitUntil(() => A.Path("lan").Up && A.Path("link").Up && B.Path("lan").Up && B.Path("link").Up, "both paths up");
        }

        public PeerNode A { get; }
        public PeerNode B { get; }
        public TcpRelay Lan { get; }
        public TcpRelay Link { get; }

        public async ValueTask DisposeAsync()
        {
            Lan.Dispose();
            Link.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    [Fact]
    public async Task CuttingOnePathKeepsTheOtherAliveAndLivenessShowsWhich()
    {
        await using var rig = new TwoPaths();
        Assert.Equal("lan", rig.B.Path("lan").Path);
        rig.B.Send("via lan");
        Assert.Equal("lan", rig.A.WaitForMessage("via lan").Path);

        rig.Lan.Dispose();
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.Equal("lan", down.Path);
        rig.B.WaitFor<PeerPathDown>(d => d.Path == "lan");

        // Messages now take the link; the link keeps being heard while the lan's last-heard age grows.
        Assert.Equal(PeerSendResult.Queued, rig.B.Send("via link"));
        Assert.Equal("link", rig.A.WaitForMessage("via link").Path);
        rig.A.WaitUntil(() => rig.A.Path("lan").LastHeardAgo > TimeSpan.FromMilliseconds(600), "lan silent for a while");
        var lan = rig.A.Path("lan");
        var link = rig.A.Path("link");
        Assert.False(lan.Up);
        Assert.True(link.Up);
        Assert.True(link.LastHeardAgo < TimeSpan.FromMilliseconds(400), $"link last heard {link.LastHeardAgo} ago");
        Assert.DoesNotContain(rig.A.Events, e => e is PeerPathDown { Path: "link" });
        Assert.Equal(PeerSendResult.NotConnected, rig.B.Channel.Send("lan", 0x0200, [1]));
    }

    [Fact]
    public async Task APathThatGoesSilentWithoutClosingIsDeclaredDeadAfterTheDeadInterval()
    {
        await using var rig = new TwoPaths();
        rig.Link.Freeze();
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.True(down.Path == "link", string.Join("; ", rig.A.Events.Where(e => e is not PeerHeartbeat)));
        Assert.Equal(PeerDownCause.Silent, down.Cause);
        Assert.Contains("nothing heard for", down.Reason);
        Assert.True(rig.A.Path("lan").Up);
    }
}
