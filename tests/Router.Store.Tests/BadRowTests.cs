using Router.Core.Leases;

namespace Router.Store.Tests;

/// <summary>Rows SQLite's integrity check accepts but routerha cannot use: skipped and counted, never fatal.</summary>
public class BadRowTests : StoreFixture
{
    private void PlantBadRows()
    {
        using (var store = Open()) store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:01", "192.168.1.10", "good"), new HybridClock(), "a", T0);
        var exp = T0.ToUnixTimeSeconds() + 600;
        Sql($"""
            INSERT INTO leases (mac, ip, expires, hlc, origin, deleted, seq) VALUES
              ('02:00:00:00:00:02', '192.168.1.999', {exp}, 5, 'a', 0, 2),
              ('not-a-mac', '192.168.1.12', {exp}, 5, 'a', 0, 3),
              ('02:00:00:00:00:04', '192.168.1.13', 'soon', 5, 'a', 0, 4),
              ('02:00:00:00:00:05', '192.168.1.14', {exp}, 5, 'a', 7, 5);
            INSERT INTO leases (mac, ip, expires, hostname, hlc, origin, deleted, seq) VALUES
              ('02:00:00:00:00:06', '192.168.1.15', {exp}, 'evil' || char(27) || '[2J', 5, 'a', 0, 6);
            """);
    }

    [Fact]
    public void BadRowsAreSkippedCountedAndLoggedOnceWhenTheStoreOpens()
    {
        PlantBadRows();
        using var store = Open();
        Assert.Equal(5, store.BadRows);
        Assert.Equal("192.168.1.10", Assert.Single(store.List(includeDeleted: true)).Key.Address.ToString());
        Assert.Contains(Logged, l => l.Contains("5 row(s) fail validation"));
        Assert.Single(Logged);
        Assert.Equal(1, store.CountActive(T0));
    }

    [Fact]
    public void ReplicationSkipsBadRowsButItsCursorPassesThem()
    {
        PlantBadRows();
        using var store = Open();
        var page = store.ChangesSince(LeaseCursor.Start, 256);
        Assert.Single(page.Rows);
        Assert.Equal(6, page.Next.Seq);
        Assert.False(page.More);
        // A page boundary on bad rows only still moves the cursor.
        var small = store.ChangesSince(new LeaseCursor(1), 2);
        Assert.Empty(small.Rows);
        Assert.Equal(3, small.Next.Seq);
        Assert.True(small.More);
    }

    [Fact]
    public void AReadOnlyOpenSkipsAndCountsThemToo()
    {
        PlantBadRows();
        using var store = LeaseStore.OpenReadOnly(DbPath)!;
        Assert.Equal(5, store.BadRows);
        Assert.Single(store.List());
    }

    [Fact]
    public void ANewEventForABadRowsKeyReplacesIt()
    {
        PlantBadRows();
        using (var store = Open())
            store.RecordLocal(Event(LeaseAction.Old, "02:00:00:00:00:05", "192.168.1.14", "fixed"), new HybridClock(), "a", T0);
        using var again = Open();
        Assert.Equal(4, again.BadRows);
        Assert.Contains(again.List(), r => r.Hostname == "fixed");
    }
}
