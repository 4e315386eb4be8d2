using Router.Core.Leases;

namespace Router.Store.Tests;

public class LeaseStoreTests : StoreFixture
{
    [Fact]
    public void ANewStoreIsAtTheLatestSchemaInWalModeWithFullSync()
    {
        using var store = Open();
        Assert.Equal(LeaseStore.LatestSchemaVersion, store.SchemaVersion);
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
        Assert.Empty(Logged);
    }

    [Fact]
    public void LocalEventsSurviveReopeningAndADelLeavesATombstone()
    {
        var clock = new HybridClock();
        using (var store = Open())
        {
            store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:01", "192.168.1.10", "laptop"), clock, "a", T0);
            store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:02", "192.168.1.11", "phone"), clock, "a", T0);
            store.RecordLocal(Event(LeaseAction.Del, "02:00:00:00:00:02", "192.168.1.11"), clock, "a", T0.AddSeconds(1));
        }
        using var again = Open();
        var live = Assert.Single(again.List());
        Assert.Equal("laptop", live.Hostname);
        Assert.Equal("br-lan", live.Interface);
        Assert.Equal(2, again.List(includeDeleted: true).Count);
        Assert.True(again.List(includeDeleted: true).Single(r => r.Hostname is null).Deleted);
    }

    [Fact]
    public void OldWithoutHostnameKeepsTheStoredHostname()
    {
        var clock = new HybridClock();
        using var store = Open();
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:01", "192.168.1.10", "laptop"), clock, "a", T0);
        var renewed = store.RecordLocal(Event(LeaseAction.Old, "02:00:00:00:00:01", "192.168.1.10", expires: T0.ToUnixTimeSeconds() + 7200), clock, "a", T0.AddMinutes(30));
        Assert.Equal("laptop", renewed.Hostname);
        Assert.Equal(T0.ToUnixTimeSeconds() + 7200, store.List().Single().ExpiresUnix);
    }

    [Fact]
    public void ALocalEventWinsOverAStoredRowStampedAheadOfThisClock()
    {
        using var store = Open();
        // Written by a dhcp-script process while the daemon was down, with a clock an hour ahead.
        var ahead = new HybridTimestamp(T0.AddHours(1).ToUnixTimeMilliseconds(), 0);
        store.Apply(Row("02:00:00:00:00:01", "192.168.1.10", ahead, "a", host: "before"));
        var row = store.RecordLocal(Event(LeaseAction.Old, "02:00:00:00:00:01", "192.168.1.10", "after"), new HybridClock(), "a", T0);
        Assert.True(row.Stamp > ahead);
        Assert.Equal("after", store.List().Single().Hostname);
    }

    [Fact]
    public void ApplyKeepsOnlyTheVersionThatWinsTheMergeRule()
    {
        using var store = Open();
        var newer = Row("02:00:00:00:00:01", "192.168.1.10", new(2000, 0), "b", host: "newer");
        var older = Row("02:00:00:00:00:01", "192.168.1.10", new(1000, 0), "a", host: "older");
        var tieLoser = Row("02:00:00:00:00:01", "192.168.1.10", new(2000, 0), "a", host: "tie");
        Assert.True(store.Apply(newer));
        Assert.False(store.Apply(older));
        Assert.False(store.Apply(tieLoser));
        Assert.Equal("newer", store.Get(newer.Key)!.Hostname);
        var deleteAfter = Row("02:00:00:00:00:01", "192.168.1.10", new(3000, 0), "a", deleted: true);
        Assert.True(store.Apply(deleteAfter));
        Assert.False(store.Apply(newer));
        Assert.Empty(store.List());
    }

    [Fact]
    public void ChangesSinceACursorComeInStampOrderInPagesIncludingTombstones()
    {
        using var store = Open();
        for (var i = 0; i < 25; i++)
            store.Apply(Row($"02:00:00:00:00:{i:x2}", $"192.168.1.{i + 10}", new(1000 + i, 0), "a", deleted: i % 5 == 0));
        var seen = new List<LeaseRecord>();
        var cursor = LeaseCursor.Start;
        var pages = 0;
        while (true)
        {
            var page = store.ChangesSince(cursor, 10);
            seen.AddRange(page.Rows);
            cursor = page.Next;
            pages++;
            if (!page.More) break;
        }
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => 1000L + i), seen.Select(r => r.Stamp.WallMs));
        Assert.Equal(5, seen.Count(r => r.Deleted));
        // Rows changed after the cursor show up in the next page, and only they.
        store.Apply(Row("02:00:00:00:00:03", "192.168.1.13", new(5000, 0), "b", host: "changed"));
        var next = store.ChangesSince(cursor, 10);
        Assert.Equal("changed", Assert.Single(next.Rows).Hostname);
        Assert.False(next.More);
    }

    [Fact]
    public void RowsWithOneStampAreNotSkippedAtAPageBoundary()
    {
        using var store = Open();
        for (var i = 0; i < 7; i++)
            store.Apply(Row($"02:00:00:00:00:{i:x2}", $"192.168.1.{i + 10}", new(1000, 0), "a"));
        var first = store.ChangesSince(LeaseCursor.Start, 3);
        var second = store.ChangesSince(first.Next, 3);
        var third = store.ChangesSince(second.Next, 3);
        Assert.Equal(7, first.Rows.Concat(second.Rows).Concat(third.Rows).Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public void MaxStampLetsARestartedClockContinueAboveEverythingStored()
    {
        using var store = Open();
        Assert.Equal(HybridTimestamp.Zero, store.MaxStamp());
        store.Apply(Row("02:00:00:00:00:01", "192.168.1.10", new(T0.AddDays(1).ToUnixTimeMilliseconds(), 4), "b"));
        var clock = new HybridClock(store.MaxStamp());
        Assert.True(clock.Next(T0) > store.MaxStamp());
    }

    [Fact]
    public void PruneRemovesLeasesAndTombstonesEndedMoreThanTheGraceAgo()
    {
        using var store = Open();
        var now = T0.ToUnixTimeSeconds();
        store.Apply(Row("02:00:00:00:00:01", "10.0.0.1", new(1, 0), "a", expires: now - 7200));                // gone
        store.Apply(Row("02:00:00:00:00:02", "10.0.0.2", new(1, 0), "a", deleted: true, expires: now - 7200)); // gone
        var aMinuteAgo = new HybridTimestamp(T0.ToUnixTimeMilliseconds() - 60_000, 0);
        store.Apply(Row("02:00:00:00:00:03", "10.0.0.3", aMinuteAgo, "a", deleted: true, expires: now - 60));   // within grace
        store.Apply(Row("02:00:00:00:00:04", "10.0.0.4", new(1, 0), "a", expires: 0));                         // infinite
        store.Apply(Row("02:00:00:00:00:05", "10.0.0.5", new(1, 0), "a", deleted: true, expires: 0));          // old infinite tombstone
        store.Apply(Row("02:00:00:00:00:06", "10.0.0.6", new(1, 0), "a", deleted: true, expires: now + 86400)); // deleted long ago
        Assert.Equal(4, store.Prune(T0, TimeSpan.FromHours(1)));
        Assert.Equal(["10.0.0.3", "10.0.0.4"], store.List(includeDeleted: true).Select(r => r.Key.Address.ToString()));
    }

    [Fact]
    public void ListIsInNumericAddressOrder()
    {
        using var store = Open();
        foreach (var ip in new[] { "192.168.1.100", "192.168.1.9", "192.168.1.20" })
            store.Apply(Row("02:00:00:00:00:01", ip, new(1, 0), "a"));
        Assert.Equal(["192.168.1.9", "192.168.1.20", "192.168.1.100"], store.List().Select(r => r.Key.Address.ToString()));
    }

    [Fact]
    public void AChangeNumberIsNeverReusedAfterTheNewestRowIsPruned()
    {
        using var store = Open();
        var clock = new HybridClock();
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:01", "192.168.1.10"), clock, "a", T0);
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:02", "192.168.1.11", expires: T0.ToUnixTimeSeconds() + 10), clock, "a", T0);
        Assert.Equal(2, store.LastSeq);
        // A peer has read up to 2; the newest row ends and is pruned; the next write must still be news to that peer.
        Assert.Equal(1, store.Prune(T0.AddMinutes(30), TimeSpan.FromMinutes(1)));
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:03", "192.168.1.12"), clock, "a", T0);
        Assert.Equal("02:00:00:00:00:03", Assert.Single(store.ChangesSince(new LeaseCursor(2), 10).Rows).Key.Mac);
    }
}
