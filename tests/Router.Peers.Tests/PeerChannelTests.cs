using System.Net;
using Router.Peers;

namespace Router.Peers.Tests;

/// <summary>Two routers' channels on loopback: both listen and connect on the same path.</summary>
public class PeerChannelTests
{
    private static (PeerPath A, PeerPath B) CrossedPath(string name = "lan")
    {
        var a = PeerNode.FreeEndPoint();
        var b = PeerNode.FreeEndPoint();
        return (new PeerPath(name, a, b), new PeerPath(name, b, a));
    }

    [Fact]
    public async Task MessagesFlowBothWaysOverOneConnectionOpenedByTheLowerNodeId()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router-a", [pa]);
        await using var b = new PeerNode("router-b", [pb]);

        var upAtA = a.WaitFor<PeerPathUp>();
        Assert.Equal("router-b", upAtA.PeerNodeId);
        Assert.Equal("test-1.0", upAtA.PeerSoftwareVersion);
        b.WaitFor<PeerPathUp>();
        // Both sides connected; the duplicate rule keeps the one router-a opened, on both sides.
        a.WaitUntil(() => a.Path("lan") is { Up: true, Outbound: true } && b.Path("lan") is { Up: true, Outbound: false },
            "one connection, opened by router-a");

        Assert.Equal(PeerSendResult.Queued, a.Send("from a"));
        Assert.Equal(PeerSendResult.Queued, b.Send("from b"));
        Assert.Equal("lan", b.WaitForMessage("from a").Path);
        Assert.Equal(0x0200, a.WaitForMessage("from b").Type);

        for (var i = 0; i < 200; i++) a.Send($"m{i}");
        b.WaitForMessage("m199");
        var order = b.Events.OfType<PeerMessage>().Select(m => System.Text.Encoding.UTF8.GetString(m.Payload.Span))
            .Where(t => t.StartsWith('m')).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}"), order);
        Assert.DoesNotContain(a.Events, e => e is PeerPathDown);
        Assert.DoesNotContain(b.Events, e => e is PeerPathDown);
    }

    [Fact]
    public async Task HeartbeatsKeepThePathAliveAndReportWhenItWasLastHeard()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router-a", [pa]);
        await using var b = new PeerNode("router-b", [pb]);
        a.WaitFor<PeerPathUp>();
        // The dead interval is 2 s: ten heartbeats later, still up and heard within a few heartbeats.
        a.WaitUntil(() => a.Events.OfType<PeerHeartbeat>().Count() >= 10, "ten heartbeats");
        Assert.True(a.Path("lan").Up);
        Assert.True(a.Path("lan").LastHeardAgo < TimeSpan.FromMilliseconds(500), $"last heard {a.Path("lan").LastHeardAgo} ago");
        Assert.DoesNotContain(a.Events, e => e is PeerPathDown);
    }

    [Fact]
    public async Task AWrongKeyIsRefusedAndReportedOnBothSidesWithoutShowingTheSecret()
    {
        var (pa, pb) = CrossedPath();
        const string wrong = "a different secret of the other router 0123456789";
        await using var a = new PeerNode("router-a", [pa]);
        await using var b = new PeerNode("router-b", [pb], secret: wrong);

        var atA = a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.WrongKey);
        var atB = b.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.WrongKey);
        Assert.Contains("secret differs", atA.Reason);
        Assert.Contains("secret differs", atB.Reason);
        // Each router dials the other: each detects the mismatch itself and is told by the other.
        a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.WrongKey && r.ByPeer, "refusal by the peer");
        a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.WrongKey && !r.ByPeer, "own refusal");

        Assert.DoesNotContain(a.Events.Concat(b.Events), e => e is PeerPathUp or PeerMessage);
        Assert.Equal(PeerSendResult.NotConnected, a.Send("nothing"));
        var everything = string.Join("\n", a.Events.Concat(b.Events).Select(e => e.ToString()))
            + string.Join("\n", a.Channel.Status().Concat(b.Channel.Status()).Select(s => s.ToString()));
        Assert.DoesNotContain(PeerNode.Secret, everything);
        Assert.DoesNotContain(wrong, everything);
        Assert.DoesNotContain("horse", everything);
        Assert.Equal("(secret)", PeerSecret.FromText(PeerNode.Secret).ToString());
    }

    [Fact]
    public async Task APeerWithANewerSchemaIsRefusedWithAClearReason()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router-a", [pa]);
        await using var b = new PeerNode("router-b", [pb], schema: PeerProtocol.SchemaVersion + 1);

        var atA = a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.NewerSchema && !r.ByPeer);
        Assert.Contains($"schema {PeerProtocol.SchemaVersion + 1}, newer than ours", atA.Reason);
        Assert.Contains("upgrade this router", atA.Reason);
        Assert.Equal("router-b", atA.PeerNodeId);
        var atB = b.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.NewerSchema && r.ByPeer);
        Assert.StartsWith("refused by the peer:", atB.Reason);
        Assert.DoesNotContain(a.Events.Concat(b.Events), e => e is PeerPathUp);
    }

    [Fact]
    public async Task TwoRoutersWithTheSameNodeIdRefuseEachOther()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router", [pa]);
        await using var b = new PeerNode("router", [pb]);
        Assert.Contains("node ids must differ", a.WaitFor<PeerRefused>(r => r.Kind == PeerRefusal.SameNodeId).Reason);
        Assert.DoesNotContain(a.Events, e => e is PeerPathUp);
    }

    [Fact]
    public async Task AfterThePeerRestartsThePathComesBackByItself()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router-a", [pa]);
        var b = new PeerNode("router-b", [pb]);
        a.WaitFor<PeerPathUp>();
        await b.DisposeAsync();

        var down = a.WaitFor<PeerPathDown>();
        Assert.Equal(PeerDownCause.PeerStopped, down.Cause);
        Assert.Equal(PeerSendResult.NotConnected, a.Send("lost"));

        await using var b2 = new PeerNode("router-b", [pb]);
        a.WaitUntil(() => a.Events.OfType<PeerPathUp>().Count() >= 2, "path up again");
        a.WaitUntil(() => a.Send("again") == PeerSendResult.Queued, "sendable");
        b2.WaitForMessage("again");
        Assert.DoesNotContain(b2.Events, e => e is PeerMessage m && System.Text.Encoding.UTF8.GetString(m.Payload.Span) == "lost");
    }

    [Fact]
    public async Task ARouterStartedAloneKeepsRetryingUntilThePeerAppears()
    {
        var (pa, pb) = CrossedPath();
        await using var a = new PeerNode("router-a", [pa]);
        a.WaitUntil(() => a.Path("lan").LastError is not null, "a failed connect attempt");
        Assert.Contains("refused", a.Path("lan").LastError!, StringComparison.OrdinalIgnoreCase);
        Assert.False(a.Path("lan").Up);
        Assert.Null(a.Path("lan").LastHeardAgo);

        await using var b = new PeerNode("router-b", [pb]);
        a.WaitFor<PeerPathUp>();
        Assert.Null(a.Path("lan").LastError);
    }

    [Fact]
    public void MessageTypesBelowTheOwnerRangeAreRejected()
    {
        var (pa, _) = CrossedPath();
        var options = new PeerChannelOptions
        {
            NodeId = "router-a", SoftwareVersion = "t", Secret = PeerSecret.FromText(PeerNode.Secret), Paths = [pa],
        };
        var channel = new PeerChannel(options, _ => { });
        Assert.Throws<ArgumentOutOfRangeException>(() => channel.Send(16, []));
        Assert.Throws<ArgumentException>(() => PeerSecret.FromText("short"));
    }
}
