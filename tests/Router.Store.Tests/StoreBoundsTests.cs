using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Router.Core.Leases;
using Xunit.Abstractions;

namespace Router.Store.Tests;

/// <summary>What a LAN host releasing with random MACs, or one MAC cycling addresses, can make the store keep.</summary>
public class StoreBoundsTests(ITestOutputHelper output) : StoreFixture
{
    private static string Mac(int i) => $"02:{(i >> 24) & 0xff:x2}:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}:01";

    private static LeaseRecord At(string mac, string ip, long ms, bool deleted) =>
        new(new LeaseKey(mac, IPAddress.Parse(ip)), T0.ToUnixTimeSeconds() + 43200, "h", null, "br-lan", new HybridTimestamp(ms, 0), "a", deleted);

    [Fact]
    public void OneMacCyclingAddressesKeepsOnlyItsNewestRows()
    {
        using var store = Open();
        for (var i = 0; i < 20; i++) store.Apply(At("02:00:00:00:00:01", $"192.168.1.{10 + i}", 1000 + i, deleted: false));
        var rows = store.List(includeDeleted: true);
        Assert.Equal(LeaseLimits.Default.MaxRowsPerMac, rows.Count);
        Assert.All(rows, r => Assert.True(r.Key.Address.GetAddressBytes()[3] >= 26));
    }

    [Fact]
    public void TombstonesBeyondTheirCapGoOldestFirst()
    {
        using var store = Open();
        store.Limits = new LeaseLimits(4096, 4, 100);
        var batch = Enumerable.Range(0, 300).Select(i => At(Mac(i), $"10.0.{i / 250}.{i % 250 + 1}", 1000 + i, deleted: true)).ToList();
        store.ApplyPage(batch, null, null);
        var rows = store.List(includeDeleted: true);
        Assert.Equal(100, rows.Count);
        Assert.All(rows, r => Assert.True(r.Stamp.WallMs >= 1200));
    }

    [Fact]
    public void TheTotalCapDropsTombstonesThenTheLeasesEndingSoonest()
    {
        using var store = Open();
        store.Limits = new LeaseLimits(64, 4, 1024);
        store.ApplyPage([.. Enumerable.Range(0, 10).Select(i => At(Mac(i), $"10.0.0.{i + 1}", 1000 + i, deleted: true))], null, null);
        var live = Enumerable.Range(100, 60).Select(i => At(Mac(i), $"10.0.1.{i - 99}", 2000 + i, deleted: false) with { ExpiresUnix = T0.ToUnixTimeSeconds() + i }).ToList();
        store.ApplyPage(live, null, null);
        var rows = store.List(includeDeleted: true);
        Assert.Equal(64, rows.Count);
        // 70 rows, 6 over: six tombstones went, every live lease stayed.
        Assert.Equal(4, rows.Count(r => r.Deleted));
        Assert.Equal(60, rows.Count(r => !r.Deleted));
        Assert.Equal(6, store.DroppedRows);
    }

    [Fact]
    public void TwentyThousandReleasesWithRandomMacsKeepTheFileBounded()
    {
        using (var store = Open())
        {
            var rng = new Random(15);
            var ms = T0.ToUnixTimeMilliseconds();
            // Batches as the daemon commits them: what dnsmasq reported within one commit interval.
            for (var b = 0; b < 20_000 / 50; b++)
            {
                var batch = new List<LeaseRecord>();
                for (var i = 0; i < 50; i++)
                {
                    var mac = Mac(rng.Next());
                    var ip = $"192.168.{rng.Next(1, 250)}.{rng.Next(1, 250)}";
                    batch.Add(At(mac, ip, ms++, deleted: false));
                    batch.Add(At(mac, ip, ms++, deleted: true));
                }
                store.ApplyPage(batch, null, null);
            }
            var rows = store.List(includeDeleted: true);
            Assert.True(rows.Count <= LeaseLimits.Default.MaxTombstones, $"{rows.Count} rows");
            Assert.All(rows, r => Assert.True(r.Deleted));
        }
        // The WAL is checkpointed into the file when the last connection closes.
        var size = new FileInfo(DbPath).Length + (File.Exists(DbPath + "-wal") ? new FileInfo(DbPath + "-wal").Length : 0);
        output.WriteLine($"after 20,000 add+release pairs with random MACs: {size} bytes on disk");
        Assert.True(size < 1024 * 1024, $"{size} bytes");
    }

    [Fact]
    public void AWriteMeetingAnotherProcesssLockFailsWithinMillisecondsInsteadOfWaiting()
    {
        using var store = Open();
        store.BoundWaits(5);
        using var other = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<SqliteException>(() => store.Apply(At(Mac(1), "10.0.0.1", 1000, deleted: false)));
        sw.Stop();
        output.WriteLine($"write under another connection's lock failed after {sw.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.Equal(5, e.SqliteErrorCode); // SQLITE_BUSY
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(500), $"{sw.Elapsed.TotalMilliseconds} ms");
        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        Assert.True(store.Apply(At(Mac(1), "10.0.0.1", 1000, deleted: false)));
    }
}
