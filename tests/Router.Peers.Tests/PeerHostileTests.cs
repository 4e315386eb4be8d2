using System.Diagnostics;
using System.Net;
using Router.Peers;

namespace Router.Peers.Tests;

/// <summary>
/// A host on the path that knows no secret: it must get nothing to guess the secret from, must not keep the real
/// peer out by holding or flooding connections, and what it writes must not reach logs or status raw.
/// </summary>
public class PeerHostileTests
{
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.2");

    /// <summary>router-a listens only; its peer is 127.0.0.1 (the loopback default source).</summary>
    private static PeerNode Listener(out IPEndPoint listen)
    {
        listen = PeerNode.FreeEndPoint();
        return new PeerNode("router-a", [new PeerPath("lan", listen, null, AcceptFrom: IPAddress.Loopback)]);
    }

    [Fact]
    public async Task AConnectionFromAnotherAddressIsClosedWithoutAByteAndCountedButReportedOnce()
    {
        await using var a = Listener(out var listen);
        for (var i = 0; i < 30; i++)
        {
            using var c = RawPeerClient.Connect(listen, from: Stranger);
            c.TrySend(RawPeerClient.Hello());
            Assert.Equal(0, c.BytesUntilClosed(TimeSpan.FromSeconds(5)));
        }
        a.WaitUntil(() => a.Path("lan").Refusals.GetValueOrDefault(PeerRefusal.NotPeerAddress) == 30, "30 strangers counted");
        var raised = a.Events.OfType<PeerRefused>().Where(r => r.Kind == PeerRefusal.NotPeerAddress).ToList();
        var only = Assert.Single(raised);
        Assert.Contains("127.0.0.2", only.Reason);
        // A stranger says nothing about why the peer's own attempts fail.
        Assert.Null(a.Path("lan").LastError);
    }

    [Fact]
    public async Task AHelloWithAWrongProofGetsNoProofBackOnlyARefusal()
    {
        await using var a = Listener(out var listen);
        for (var i = 0; i < 20; i++)
        {
            using var c = RawPeerClient.Connect(listen);
            Assert.True(c.TrySend(RawPeerClient.Hello()));
            var hello = c.ReadFrame();
            Assert.Equal(PeerProtocol.Hello, hello?.Type);
            c.TrySend(RawPeerClient.GuessedProof());
            var rest = c.ReadAll();
            Assert.DoesNotContain(rest, f => f.Type == PeerProtocol.Proof);
            Assert.Equal([PeerProtocol.Reject], rest.Select(f => f.Type));
            Assert.Equal((byte)PeerRefusal.WrongKey, rest[0].Body[0]);
        }
        a.WaitUntil(() => a.Path("lan").Refusals.GetValueOrDefault(PeerRefusal.WrongKey) == 20, "20 wrong proofs counted");
    }

    [Fact]
    public async Task SayingHelloAndWaitingEarnsNoProofAndTheConnectionIsClosedSoon()
    {
        await using var a = Listener(out var listen);
        using var c = RawPeerClient.Connect(listen);
        c.TrySend(RawPeerClient.Hello());
        var frames = c.ReadAll();
        Assert.Equal([PeerProtocol.Hello], frames.Select(f => f.Type));
        a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.Timeout);
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedAfterTheFirstFrameTimeout()
    {
        await using var a = Listener(out var listen);
        using var c = RawPeerClient.Connect(listen);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, c.BytesUntilClosed(TimeSpan.FromSeconds(8)));
        // The first-frame timeout is 1 s; the whole handshake's is 2 s. Generous: the machine is shared.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(6));
        Assert.Contains("did not finish the handshake in time", a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.Timeout).Reason);
    }

    [Fact]
    public async Task SquattersFromThePeersAddressAndFromOthersDoNotKeepTheRealPeerOut()
    {
        await using var a = Listener(out var listen);
        var squatters = new List<RawPeerClient>();
        try
        {
            for (var i = 0; i < 16; i++) squatters.Add(RawPeerClient.Connect(listen));
            for (var i = 0; i < 16; i++) squatters.Add(RawPeerClient.Connect(listen, from: Stranger));
            // And one keeps opening idle connections from the peer's own address while the real peer connects.
            using var stop = new CancellationTokenSource();
            var churn = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    lock (squatters) squatters.Add(RawPeerClient.Connect(listen));
                    await Task.Delay(100);
                }
            });
            await using var b = new PeerNode("router-b", [new PeerPath("lan", null, listen)]);
            b.WaitFor<PeerPathUp>();
            a.WaitFor<PeerPathUp>();
            Assert.Equal(PeerSendResult.Queued, b.Send("through"));
            a.WaitForMessage("through");
            stop.Cancel();
            await churn;
            Assert.True(a.Path("lan").Refusals.GetValueOrDefault(PeerRefusal.TooManyConnections) > 0, string.Join(", ", a.Path("lan").Refusals));
        }
        finally
        {
            lock (squatters) squatters.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task WhatAnUnauthenticatedHelloSaysReachesEventsAndStatusCleaned()
    {
        await using var a = Listener(out var listen);
        const string evilNode = "mallory\u001b[2J\nINFO peer router-b up";
        const string evilPath = "wan\r\n\u202eevil";
        using (var c = RawPeerClient.Connect(listen))
        {
            c.TrySend(RawPeerClient.Hello(nodeId: evilNode, path: evilPath));
            c.ReadAll();
        }
        var refused = a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.WrongPath);
        var seen = string.Join("|", refused.Reason, refused.PeerNodeId, a.Path("lan").LastError);
        Assert.DoesNotContain(seen, ch => char.IsControl(ch) || ch == '\u202e');
        Assert.Contains("mallory?[2J?INFO", refused.PeerNodeId);
        Assert.Contains("'wan???evil'", a.Path("lan").LastError);
    }

    [Fact]
    public async Task APeerOfAnOlderProtocolIsToldToUpgrade()
    {
        await using var a = Listener(out var listen);
        using var c = RawPeerClient.Connect(listen);
        c.TrySend(RawPeerClient.Hello(protocol: 1));
        var reject = Assert.Single(c.ReadAll());
        Assert.Equal(PeerProtocol.Reject, reject.Type);
        Assert.Equal((byte)PeerRefusal.OlderProtocol, reject.Body[0]);
        Assert.Contains("older than ours", a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.OlderProtocol).Reason);
    }
}
