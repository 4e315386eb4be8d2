using System.Net;
using System.Text;
using Router.Peers;

namespace Router.Peers.Tests;

/// <summary>
/// router-b connects to router-a's listener through a relay that can change what router-a receives. Every
/// tampering must end the connection with a reason, and no tampered message may reach the owner.
/// </summary>
public class PeerTamperingTests
{
    private sealed class Rig : IAsyncDisposable
    {
        public Rig()
        {
            var listen = PeerNode.FreeEndPoint();
            A = new PeerNode("router-a", [new PeerPath("lan", listen, null, AcceptFrom: IPAddress.Loopback)]);
            Relay = new TcpRelay(listen);
            B = new PeerNode("router-b", [new PeerPath("lan", null, Relay.EndPoint)]);
            A.WaitFor<PeerPathUp>();
            B.WaitFor<PeerPathUp>();
        }

        public PeerNode A { get; }
        public PeerNode B { get; }
        public TcpRelay Relay { get; }

        public async ValueTask DisposeAsync()
        {
            Relay.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    private static bool IsMessage(byte[] frame) => TcpRelay.TypeOf(frame) >= PeerProtocol.FirstMessageType;

    private static void AssertNeverDelivered(PeerNode node, string text) =>
        Assert.DoesNotContain(node.Events, e => e is PeerMessage m && Encoding.UTF8.GetString(m.Payload.Span) == text);

    [Fact]
    public async Task AReplayedFrameIsRejected()
    {
        await using var rig = new Rig();
        rig.Relay.ToListener = f => IsMessage(f) ? [f, f] : [f];
        rig.B.Send("once");
        rig.A.WaitForMessage("once");
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.Equal(PeerDownCause.BadFrame, down.Cause);
        Assert.Contains("replayed or reordered", down.Reason);
        Assert.Single(rig.A.Events.OfType<PeerMessage>());
    }

    [Fact]
    public async Task AModifiedFrameIsRejected()
    {
        await using var rig = new Rig();
        rig.Relay.ToListener = f =>
        {
            if (!IsMessage(f)) return [f];
            var copy = (byte[])f.Clone();
            copy[14] ^= 0x20; // first payload byte: "pay" becomes "Pay"
            return [copy];
        };
        rig.B.Send("pay 10");
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.Equal(PeerDownCause.BadFrame, down.Cause);
        Assert.Contains("failed authentication", down.Reason);
        AssertNeverDelivered(rig.A, "Pay 10");
        AssertNeverDelivered(rig.A, "pay 10");
    }

    [Fact]
    public async Task ReorderedFramesAreRejected()
    {
        await using var rig = new Rig();
        byte[]? held = null;
        rig.Relay.ToListener = f =>
        {
            if (!IsMessage(f)) return [f];
            if (held is null)
            {
                held = f;
                return [];
            }
            return [f, held];
        };
        rig.B.Send("first");
        rig.B.Send("second");
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.Contains("replayed or reordered", down.Reason);
        AssertNeverDelivered(rig.A, "second");
        AssertNeverDelivered(rig.A, "first");
    }

    [Fact]
    public async Task AFrameReflectedBackToItsSenderIsRejected()
    {
        await using var rig = new Rig();
        rig.A.WaitUntil(() => rig.Relay.FromListener.Any(f => TcpRelay.TypeOf(f) == PeerProtocol.Heartbeat), "a heartbeat from router-a");
        var own = rig.Relay.FromListener.Last(f => TcpRelay.TypeOf(f) == PeerProtocol.Heartbeat);
        rig.Relay.Inject(own);
        var down = rig.A.WaitFor<PeerPathDown>();
        Assert.Equal(PeerDownCause.BadFrame, down.Cause);
        Assert.Contains("failed authentication", down.Reason);
    }

    [Fact]
    public async Task AFrameFromAnEarlierConnectionIsRejectedOnANewOne()
    {
        await using var rig = new Rig();
        var captured = new List<byte[]>();
        rig.Relay.ToListener = f =>
        {
            if (IsMessage(f)) lock (captured) captured.Add(f);
            return [f];
        };
        rig.B.Send("old");
        rig.A.WaitForMessage("old");

        // Break this connection; router-b reconnects through the relay with fresh nonces.
        rig.Relay.Inject(captured[0]);
        rig.A.WaitFor<PeerPathDown>();
        rig.A.WaitUntil(() => rig.A.Events.OfType<PeerPathUp>().Count() >= 2, "reconnected");
        var downs = rig.A.Events.OfType<PeerPathDown>().Count();
        rig.Relay.Inject(captured[0]);
        rig.A.WaitUntil(() => rig.A.Events.OfType<PeerPathDown>().Count() > downs, "second rejection");
        Assert.Contains("failed authentication", rig.A.Events.OfType<PeerPathDown>().Last().Reason);
        Assert.Single(rig.A.Events.OfType<PeerMessage>());
    }

    [Fact]
    public async Task APeerThatStopsReadingFillsTheQueueAndLosesTheConnection()
    {
        var listen = PeerNode.FreeEndPoint();
        await using var a = new PeerNode("router-a", [new PeerPath("lan", listen, null, AcceptFrom: IPAddress.Loopback)], dead: TimeSpan.FromSeconds(30));
        using var relay = new TcpRelay(listen);
        await using var b = new PeerNode("router-b", [new PeerPath("lan", null, relay.EndPoint)], queueFrames: 4, dead: TimeSpan.FromSeconds(30));
        b.WaitFor<PeerPathUp>();
        relay.Stall();

        var big = new byte[200 * 1024];
        var results = new List<PeerSendResult>();
        var started = DateTime.UtcNow;
        while (!results.Contains(PeerSendResult.QueueFull) && DateTime.UtcNow - started < PeerNode.Deadline)
        {
            var r = b.Channel.Send(0x0200, big);
            results.Add(r);
            if (r == PeerSendResult.Queued && results.Count % 8 == 0) Thread.Sleep(5); // let the writer block on the full socket
        }
        Assert.Contains(PeerSendResult.QueueFull, results);
        var down = b.WaitFor<PeerPathDown>();
        Assert.Equal(PeerDownCause.SendQueueFull, down.Cause);
        Assert.Equal(PeerSendResult.NotConnected, b.Channel.Send(0x0200, big));
        Assert.Equal(PeerSendResult.TooLarge, a.Channel.Send(0x0200, new byte[300 * 1024]));
    }
}
