using Router.Core.Leases;

namespace Router.Store.Tests;

public sealed class LeaseReplicatorTests : IDisposable
{
    private readonly ReplicationNet _net = new();

    private static string Mac(int i) => $"02:00:00:00:{i / 256:x2}:{i % 256:x2}";
    private static string Ip(int i) => $"10.1.{i / 250}.{i % 250 + 2}";

    [Fact]
    public void TwoRoutersWithDifferentLeasesEndWithTheSameStoreBothWays()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        a.Write(LeaseAction.Add, Mac(1), Ip(1), "laptop");
        b.Write(LeaseAction.Add, Mac(2), Ip(2), "phone");
        _net.Connect("a", "b");
        _net.Pump();
        Assert.Equal(2, a.Store.List().Count);
        Assert.Equal(ReplicationNet.Rows(a.Store), ReplicationNet.Rows(b.Store));
        Assert.True(a.Links["b"].CaughtUp);
        Assert.True(b.Links["a"].CaughtUp);
    }

    [Fact]
    public void OnceCaughtUpEachChangeIsPushedAndAcknowledged()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        _net.Connect("a", "b");
        _net.Pump();
        a.Write(LeaseAction.Add, Mac(1), Ip(1), "laptop");
        Assert.Equal(1, a.Links["b"].Status(_net.Now).Pending);
        _net.Pump();
        Assert.Equal("laptop", Assert.Single(b.Store.List()).Hostname);
        var status = a.Links["b"].Status(_net.Now);
        Assert.Equal(0, status.Pending);
        Assert.Equal(a.Store.LastSeq, status.AckedSeq);
        b.Write(LeaseAction.Del, Mac(1), Ip(1));
        _net.Pump();
        Assert.Empty(a.Store.List());
        Assert.Equal(ReplicationNet.Rows(a.Store), ReplicationNet.Rows(b.Store));
    }

    [Fact]
    public void APeerBackAfterManyChangesReadsThemInBoundedPagesOneAtATime()
    {
        _net.PageSize = 50;
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        for (var i = 0; i < 1000; i++) a.Write(LeaseAction.Add, Mac(i), Ip(i));
        _net.Connect("a", "b");
        _net.Pump();
        Assert.Equal(1000, b.Store.List().Count);
        var pages = _net.Sent.Where(s => s.From == "a").Select(s => s.Message).OfType<LeaseSyncPage>().ToList();
        Assert.Equal(20, pages.Count);
        Assert.All(pages, p => Assert.True(p.Rows.Count <= 50));
        Assert.Equal(1, _net.MostPagesInFlight);
        Assert.Equal(a.Store.LastSeq, b.Store.GetPeerCursor("a")!.Seq);
    }

    [Fact]
    public void RowsWithLongHostnamesAndClientIdsGoInSmallerPagesThatFitTheChannel()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        var clientId = string.Join(':', Enumerable.Repeat("ab", 255));
        var expires = ReplicationNet.T0.ToUnixTimeSeconds() + 3600;
        a.Store.ApplyPage(Enumerable.Range(0, 600).Select(i => new LeaseRecord(new LeaseKey(Mac(i), System.Net.IPAddress.Parse(Ip(i))),
            expires, new string('h', 250) + i, clientId, "br-lan", new HybridTimestamp(1000 + i, 0), "a", false)).ToList(), null, null);
        _net.Connect("a", "b");
        _net.Pump();
        Assert.Equal(600, b.Store.List().Count);
        Assert.All(_net.Sent.Where(s => s.Message is LeaseSyncPage),
            s => Assert.True(LeaseSyncCodec.Encode(s.Message).Length <= LeaseReplicator.MaxPageBytes));
    }

    [Fact]
    public void OnReconnectOnlyWhatChangedSinceTheAcknowledgedPointIsSent()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        for (var i = 0; i < 30; i++) a.Write(LeaseAction.Add, Mac(i), Ip(i));
        _net.Connect("a", "b");
        _net.Pump();
        _net.Disconnect("a", "b");
        for (var i = 30; i < 35; i++) a.Write(LeaseAction.Add, Mac(i), Ip(i));
        b.Write(LeaseAction.Old, Mac(3), Ip(3), "renamed");
        _net.Sent.Clear();
        _net.Connect("a", "b");
        _net.Pump();
        var fromA = _net.Sent.Where(s => s.From == "a").Select(s => s.Message).OfType<LeaseSyncPage>().Sum(p => p.Rows.Count);
        Assert.Equal(5, fromA);
        // b's own rows are not echoed back to it, and a relays nothing b already had.
        Assert.Equal(1, _net.Sent.Where(s => s.From == "b").Select(s => s.Message).OfType<LeaseSyncPage>().Sum(p => p.Rows.Count));
        Assert.Equal(ReplicationNet.Rows(a.Store), ReplicationNet.Rows(b.Store));
    }

    [Fact]
    public void AStoreLostOnOneRouterIsRebuiltFromThePeerByAFullResync()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        for (var i = 0; i < 10; i++) a.Write(LeaseAction.Add, Mac(i), Ip(i));
        b.Write(LeaseAction.Add, Mac(20), Ip(20));
        _net.Connect("a", "b");
        _net.Pump();
        var before = ReplicationNet.Rows(b.Store);
        var oldId = a.Store.StoreId;

        a.LoseStore();
        _net.Relink("a", "b");
        Assert.NotEqual(oldId, a.Store.StoreId);
        _net.Connect("a", "b");
        _net.Pump();
        Assert.Equal(before, ReplicationNet.Rows(a.Store));
        Assert.Equal(before, ReplicationNet.Rows(b.Store));
        Assert.Contains(_net.Logged, l => l.Contains("lease sync with b: nothing received from it yet", StringComparison.Ordinal));
        Assert.Contains(_net.Logged, l => l.Contains("lease sync with a: its store is new", StringComparison.Ordinal));
    }

    [Fact]
    public void ATruncatedStoreIsMovedAsideAndRebuiltFromThePeer()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        for (var i = 0; i < 300; i++) b.Write(LeaseAction.Add, Mac(i), Ip(i));
        _net.Connect("a", "b");
        _net.Pump();
        _net.Disconnect("a", "b");
        a.TruncateStore();
        Assert.Contains(_net.Logged, l => l.Contains("is damaged", StringComparison.Ordinal) && l.Contains("rebuilt from the peer by a full resync", StringComparison.Ordinal));
        Assert.Empty(a.Store.List());
        _net.Relink("a", "b");
        _net.Connect("a", "b");
        _net.Pump();
        Assert.Equal(300, a.Store.List().Count);
        Assert.Equal(ReplicationNet.Rows(b.Store), ReplicationNet.Rows(a.Store));
    }

    [Fact]
    public void ThreeRoutersInAChainConvergeThroughTheMiddleOne()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        var c = _net.Add("c");
        _net.Link("a", "b");
        _net.Link("b", "c");
        _net.Connect("a", "b");
        _net.Connect("b", "c");
        a.Write(LeaseAction.Add, Mac(1), Ip(1), "from-a");
        c.Write(LeaseAction.Add, Mac(2), Ip(2), "from-c");
        // The same lease changed on a and c without either seeing the other's change: c's clock is later.
        c.Wall = ReplicationNet.T0.AddSeconds(5);
        a.Write(LeaseAction.Old, Mac(3), Ip(3), "a-version");
        c.Write(LeaseAction.Old, Mac(3), Ip(3), "c-version");
        _net.Pump();
        // Delete on one side vs update on another, the delete later.
        a.Wall = ReplicationNet.T0.AddSeconds(10);
        c.Write(LeaseAction.Old, Mac(1), Ip(1), "c-renews");
        a.Write(LeaseAction.Del, Mac(1), Ip(1));
        _net.Pump();

        var rows = ReplicationNet.Rows(b.Store);
        Assert.Equal(rows, ReplicationNet.Rows(a.Store));
        Assert.Equal(rows, ReplicationNet.Rows(c.Store));
        var live = b.Store.List();
        Assert.Equal(new string?[] { "from-c", "c-version" }, live.Select(r => r.Hostname).ToArray());
        Assert.True(b.Store.List(includeDeleted: true).Single(r => r.Key.Mac == Mac(1)).Deleted);
    }

    [Fact]
    public void ThreeRoutersConvergeWhateverOrderLinksComeUpInATriangle()
    {
        foreach (var n in new[] { "a", "b", "c" }) _net.Add(n);
        _net.Link("a", "b");
        _net.Link("b", "c");
        _net.Link("a", "c");
        for (var i = 0; i < 40; i++) _net[new[] { "a", "b", "c" }[i % 3]].Write(LeaseAction.Add, Mac(i % 25), Ip(i % 25), $"h{i}");
        _net.Connect("b", "c");
        _net.Pump();
        _net.Connect("a", "c");
        _net.Connect("a", "b");
        _net.Pump();
        var rows = ReplicationNet.Rows(_net["a"].Store);
        Assert.Equal(25, rows.Count);
        Assert.Equal(rows, ReplicationNet.Rows(_net["b"].Store));
        Assert.Equal(rows, ReplicationNet.Rows(_net["c"].Store));
    }

    [Fact]
    public void ARouterWhoseClockIsBehindStillWinsWithARenewalMadeAfterSeeingThePeer()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        _net.Connect("a", "b");
        a.Wall = ReplicationNet.T0.AddHours(1); // a's clock is an hour ahead
        a.Write(LeaseAction.Add, Mac(1), Ip(1), "old-name");
        _net.Pump();
        b.Write(LeaseAction.Old, Mac(1), Ip(1), "new-name");
        _net.Pump();
        Assert.Equal("new-name", Assert.Single(a.Store.List()).Hostname);
        Assert.Equal(ReplicationNet.Rows(a.Store), ReplicationNet.Rows(b.Store));
    }

    [Fact]
    public void APageFromANewerRouterhaIsRefusedWithAClearErrorAndNothingIsAppliedOrAcked()
    {
        var a = _net.Add("a");
        _net.Add("b");
        _net.Link("a", "b");
        var page = LeaseSyncCodec.Encode(new LeaseSyncPage(7, "feed", 0, 1, false,
            [new LeaseRecord(new LeaseKey(Mac(1), System.Net.IPAddress.Parse(Ip(1))), 0, null, null, null, new HybridTimestamp(1, 0), "b", false)]));
        page[0] = LeaseSyncCodec.Version + 1;
        _net.Sent.Clear();
        a.Links["b"].OnMessage(LeaseMessageTypes.Page, page, _net.Now);
        Assert.Empty(a.Store.List(includeDeleted: true));
        Assert.Empty(_net.Sent);
        var status = a.Links["b"].Status(_net.Now);
        Assert.Equal(1, status.RefusedMessages);
        Assert.Contains("newer than this routerha", status.LastError, StringComparison.Ordinal);
        Assert.Contains(_net.Logged, l => l.Contains("upgrade this router", StringComparison.Ordinal));
    }

    [Fact]
    public void APageLostWithItsPathIsSentAgainAfterTheAckTimeout()
    {
        var a = _net.Add("a");
        var b = _net.Add("b");
        _net.Link("a", "b");
        _net.Connect("a", "b");
        _net.Pump();
        a.Write(LeaseAction.Add, Mac(1), Ip(1));
        _net.DropWire(); // the path carrying the page died; another path keeps the peer up, so no new request comes
        _net.Pump();
        Assert.Empty(b.Store.List());
        Assert.Equal(_net.Now + LeaseReplicator.AckTimeout, a.Links["b"].NextDeadline);
        _net.Now += LeaseReplicator.AckTimeout;
        a.Links["b"].OnTimer(_net.Now);
        _net.Pump();
        Assert.Single(b.Store.List());
        Assert.Null(a.Links["b"].NextDeadline);
    }

    public void Dispose() => _net.Dispose();
}
