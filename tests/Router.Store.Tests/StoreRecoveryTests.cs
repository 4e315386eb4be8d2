using Router.Core.Leases;

namespace Router.Store.Tests;

public class StoreRecoveryTests : StoreFixture
{
    /// <summary>Exactly what routerha with schema v1 created: no interface column, no stamp index.</summary>
    private const string V1 = """
        CREATE TABLE leases (mac TEXT NOT NULL, ip TEXT NOT NULL, expires INTEGER NOT NULL, hostname TEXT,
          client_id TEXT, hlc INTEGER NOT NULL, origin TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (mac, ip)) WITHOUT ROWID;
        PRAGMA user_version = 1;
        """;

    [Fact]
    public void AV1DatabaseIsMigratedAndKeepsItsLeases()
    {
        Sql(V1 + $"INSERT INTO leases VALUES ('02:00:00:00:00:01', '192.168.1.10', {T0.ToUnixTimeSeconds() + 600}, 'laptop', '01:02:00:00:00:00:01', {new HybridTimestamp(1000, 2).Packed}, 'a', 0);");
        using var store = Open();
        Assert.Equal(3, store.SchemaVersion);
        var row = Assert.Single(store.List());
        // v3: the existing row is in the change log, so a peer asking for everything gets it.
        Assert.Single(store.ChangesSince(LeaseCursor.Start, 10).Rows);
        Assert.Equal(1, store.LastSeq);
        Assert.Equal(("laptop", "01:02:00:00:00:00:01", new HybridTimestamp(1000, 2), (string?)null), (row.Hostname, row.ClientId, row.Stamp, row.Interface));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'leases_by_seq'"));
        store.RecordLocal(Event(LeaseAction.Old, "02:00:00:00:00:01", "192.168.1.10"), new HybridClock(), "a", T0);
        Assert.Equal("br-lan", store.List().Single().Interface);
        Assert.Empty(Logged);
    }

    [Fact]
    public void ManyProcessesCreatingTheStoreAtOnceAllOpenIt()
    {
        // As a burst of dhcp-script calls does on a fresh install: each opens the new file and creates the schema.
        const int Openers = 16;
        using var start = new Barrier(Openers);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, Openers).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                using var store = Open();
            }
            catch (Exception e) when (e is LeaseStoreException or Microsoft.Data.Sqlite.SqliteException)
            {
                failures.Enqueue(e.Message);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        Assert.Equal(3L, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void ADatabaseFromANewerRouterhaIsRefusedAndLeftUntouched()
    {
        Sql(V1 + "PRAGMA user_version = 99;");
        var before = File.ReadAllBytes(DbPath);
        var e = Assert.Throws<LeaseStoreException>(Open);
        Assert.Contains("schema v99, written by a newer routerha", e.Message);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
        Assert.Single(Directory.GetFiles(Dir));
    }

    [Fact]
    public void AFileThatIsNotADatabaseIsMovedAsideAndAFreshStoreCreated()
    {
        File.WriteAllText(DbPath, "this is not an sqlite database, it is a text file of some length........");
        using var store = Open();
        Assert.Empty(store.List());
        var aside = $"{DbPath}.corrupt-20261122T120000Z";
        Assert.True(File.Exists(aside));
        Assert.StartsWith("this is not", File.ReadAllText(aside));
        var line = Assert.Single(Logged);
        Assert.Contains($"lease store {DbPath} is damaged", line);
        Assert.Contains($"moved aside to {aside}", line);
    }

    [Fact]
    public void ADatabaseWithDamagedPagesIsDetectedMovedAsideAndRebuilt()
    {
        using (var store = Open())
        {
            var clock = new HybridClock();
            for (var i = 0; i < 300; i++)
                store.RecordLocal(Event(LeaseAction.Add, $"02:00:00:00:{i / 256:x2}:{i % 256:x2}", $"10.0.{i / 200}.{i % 200 + 1}", $"host-with-a-long-name-{i}"), clock, "a", T0);
        }
        Sql("PRAGMA wal_checkpoint(TRUNCATE)");
        // Overwrite the middle of the file (b-tree pages, not the header) as a flash bit-rot or torn write would.
        using (var f = new FileStream(DbPath, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.True(f.Length > 5 * 4096);
            f.Position = 2 * 4096;
            f.Write(Enumerable.Repeat((byte)0xA5, 2 * 4096).ToArray());
        }
        using var rebuilt = Open();
        Assert.Empty(rebuilt.List());
        Assert.Equal(LeaseStore.LatestSchemaVersion, rebuilt.SchemaVersion);
        Assert.Contains("is damaged", Assert.Single(Logged));
        Assert.Single(Directory.GetFiles(Dir, "leases.db.corrupt-*"));
    }

    [Fact]
    public void ReadOnlyOpenOfAMissingStoreCreatesNothing()
    {
        Assert.Null(LeaseStore.OpenReadOnly(DbPath));
        Assert.Empty(Directory.GetFiles(Dir));
    }
}
