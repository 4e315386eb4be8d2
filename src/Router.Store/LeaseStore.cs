using System.Net;
using Microsoft.Data.Sqlite;
using Router.Core.Leases;

namespace Router.Store;

/// <summary>
/// The lease table in one SQLite file. WAL journal with synchronous=FULL: every committed change is
/// fsynced before the commit returns, so a lease dnsmasq has handed out survives a power cut (NORMAL
/// would only guarantee consistency, losing the last commits). The daemon commits dnsmasq's events in batches, so
/// a burst costs one fsync per batch; see docs/leases.md for the flash-wear figures.
/// Several processes may hold the file (the daemon and a dhcp-script writing while the daemon is down):
/// SQLite's locking serializes them and busy_timeout makes a writer wait instead of failing; the daemon's
/// loop shortens that wait to milliseconds (<see cref="BoundWaits"/>) and retries later instead.
/// A row that fails validation (a damaged file, a hand edit, another program) is skipped wherever rows are
/// read and counted in <see cref="BadRows"/>: one bad row must never cost the others, VRRP or dnsmasq.
/// Rows are bounded by <see cref="Limits"/> whatever the LAN does (see docs/leases.md#bounds).
/// </summary>
public sealed class LeaseStore : IDisposable
{
    private const string Columns = "mac, ip, expires, hostname, client_id, interface, hlc, origin, deleted";
    private SqliteConnection _db;
    /// <summary>Opened read-only because the file could not be written (full or read-only overlay): the first write
    /// tries to reopen it read-write.</summary>
    private bool _readOnlyFallback;
    private int? _busyMs;
    /// <summary>A write transaction begun with a raw BEGIN IMMEDIATE (see <see cref="Begin"/>).</summary>
    private bool _rawTx;

    private LeaseStore(SqliteConnection db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Rows that failed validation when the store was opened (they stay in the file, unread).</summary>
    public int BadRows { get; private set; }

    public LeaseLimits Limits { get; set; } = LeaseLimits.Default;

    /// <summary>Rows removed by the limits since open (tombstones, ended leases, then the oldest changes).</summary>
    public long DroppedRows { get; private set; }

    /// <summary>Of <see cref="DroppedRows"/>, those the total limit (max_rows) removed: the LAN may have outgrown it.</summary>
    public long OverMaxRows { get; private set; }

    public int SchemaVersion => LeaseSchema.VersionOf(_db);

    public static int LatestSchemaVersion => LeaseSchema.Latest;

    /// <summary>
    /// Opens (creating if needed) and migrates the store. A file that fails SQLite's integrity check is
    /// moved aside to PATH.corrupt-TIMESTAMP and a fresh store is created; log receives one line saying so.
    /// </summary>
    public static LeaseStore Open(string path, Action<string> log, DateTimeOffset now)
    {
        SqliteNative.EnsureInitialized();
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var db = Connect(path, SqliteOpenMode.ReadWriteCreate);
        if (CheckIntegrity(db) is { } problem)
        {
            db.Dispose();
            var aside = MoveAside(path, now);
            log($"lease store {path} is damaged ({problem}): moved aside to {aside}, starting an empty store, rebuilt from the peer by a full resync when it connects (and from dnsmasq's next events)");
            db = Connect(path, SqliteOpenMode.ReadWriteCreate);
        }
        try
        {
            LeaseSchema.RefuseNewer(LeaseSchema.VersionOf(db), path);
            Configure(db);
            LeaseSchema.Migrate(db, path);
            var store = new LeaseStore(db, path);
            store.CountBadRows();
            if (store.BadRows > 0)
                log($"lease store {path}: {store.BadRows} row(s) fail validation (address, MAC, expiry or stamp) and are skipped; they are dropped when their slot is rewritten or pruned");
            return store;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For the daemon: <see cref="Open"/>, or when that fails for want of space or permission, the file read-only
    /// so that the leases it holds are still served; writes then fail (and are retried) until it can be reopened.
    /// </summary>
    public static LeaseStore OpenOrReadOnly(string path, Action<string> log, DateTimeOffset now)
    {
        try
        {
            return Open(path, log, now);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or LeaseStoreException)
        {
            LeaseStore? ro;
            try { ro = OpenReadOnly(path); }
            catch (Exception re) when (re is SqliteException or LeaseStoreException or IOException or UnauthorizedAccessException) { ro = null; }
            if (ro is null) throw;
            ro._readOnlyFallback = true;
            log($"lease store {path} cannot be written ({e.Message}): serving the {ro.List().Count} lease(s) it holds read-only; changes are kept in memory and written once it can be reopened");
            if (ro.BadRows > 0) log($"lease store {path}: {ro.BadRows} row(s) fail validation and are skipped");
            return ro;
        }
    }

    /// <summary>
    /// For listing and for dnsmasq's "init": never creates, migrates or moves anything, and writes nothing
    /// (works on a full or read-only overlay); null when there is no store yet. A WAL file whose -shm cannot be
    /// created (read-only directory) is read as immutable: only a reader with no writer alive would get there.
    /// </summary>
    public static LeaseStore? OpenReadOnly(string path)
    {
        SqliteNative.EnsureInitialized();
        if (!File.Exists(path)) return null;
        SqliteConnection db;
        int version;
        try
        {
            db = Connect(path, SqliteOpenMode.ReadOnly);
            version = LeaseSchema.VersionOf(db);
        }
        catch (Exception e) when (e is LeaseStoreException or SqliteException)
        {
            // SQLITE_CANTOPEN / READONLY: a WAL database needs its -shm, which a read-only directory cannot hold.
            db = Connect($"file:{Uri.EscapeDataString(System.IO.Path.GetFullPath(path)).Replace("%2F", "/", StringComparison.Ordinal)}?immutable=1", SqliteOpenMode.ReadOnly);
            version = LeaseSchema.VersionOf(db);
        }
        if (version != LeaseSchema.Latest)
        {
            db.Dispose();
            throw new LeaseStoreException($"{path} has lease schema v{version}, this routerha reads v{LeaseSchema.Latest} (the daemon migrates it when it opens it)");
        }
        var store = new LeaseStore(db, path);
        store.CountBadRows();
        return store;
    }

    /// <summary>
    /// The daemon's loop must not wait seconds for a lock another process holds (a dhcp-script writing while
    /// the daemon did not answer in time): SQLite waits at most busyMs, then the write is retried later.
    /// </summary>
    public void BoundWaits(int busyMs)
    {
        _busyMs = busyMs;
        Exec(_db, $"PRAGMA busy_timeout = {busyMs}");
        _db.DefaultTimeout = 1;
    }

    private void ReopenWritable()
    {
        var db = Connect(Path, SqliteOpenMode.ReadWrite);
        try
        {
            Configure(db);
            LeaseSchema.Migrate(db, Path);
        }
        catch
        {
            db.Dispose();
            throw;
        }
        _db.Dispose();
        _db = db;
        _readOnlyFallback = false;
        if (_busyMs is { } ms) BoundWaits(ms);
    }

    private void CountBadRows()
    {
        using var cmd = Command();
        cmd.CommandText = $"SELECT {Columns} FROM leases";
        using var r = cmd.ExecuteReader();
        var bad = 0;
        while (r.Read())
            if (TryReadRow(r) is null) bad++;
        BadRows = bad;
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            // Pooled handles would keep a damaged file open while it is moved aside.
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            Exec(db, "PRAGMA busy_timeout = 5000");
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new LeaseStoreException($"cannot open lease store {path}: {e.Message}", e);
        }
        return db;
    }

    private static void Configure(SqliteConnection db)
    {
        Exec(db, "PRAGMA journal_mode = WAL");
        Exec(db, "PRAGMA synchronous = FULL");
    }

    /// <summary>null when healthy, else what SQLite reported.</summary>
    private static string? CheckIntegrity(SqliteConnection db)
    {
        try
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check(5)";
            using var r = cmd.ExecuteReader();
            var lines = new List<string>();
            while (r.Read()) lines.Add(r.GetString(0));
            return lines is ["ok"] ? null : string.Join("; ", lines);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB
        {
            return e.Message;
        }
    }

    private static string MoveAside(string path, DateTimeOffset now)
    {
        var aside = $"{path}.corrupt-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        File.Move(path, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix, overwrite: true);
        return aside;
    }

    public LeaseRecord? Get(LeaseKey key)
    {
        using var cmd = Command();
        cmd.CommandText = $"SELECT {Columns} FROM leases WHERE mac = $mac AND ip = $ip";
        cmd.Parameters.AddWithValue("$mac", key.Mac);
        cmd.Parameters.AddWithValue("$ip", key.Address.ToString());
        using var r = cmd.ExecuteReader();
        return r.Read() ? TryReadRow(r) : null;
    }

    /// <summary>Stores a version from elsewhere (a peer) if it wins the merge rule; true when stored.</summary>
    public bool Apply(LeaseRecord incoming) => ApplyPage([incoming], null, null) == 1;

    /// <summary>
    /// A page of a peer's change log in one transaction: every row that wins the merge rule is stored (and so
    /// enters this store's own change log, which relays it to further routers), and, when given, the cursor
    /// into that peer's log moves to the page's end in the same commit. Returns how many rows were stored.
    /// </summary>
    public int ApplyPage(IReadOnlyList<LeaseRecord> rows, string? peer, PeerCursor? cursor)
    {
        using var tx = Begin();
        using var writer = new RowWriter(this);
        var stored = 0;
        foreach (var row in rows)
        {
            if (!LeaseMerge.Wins(row, writer.Current(row.Key))) continue;
            writer.Put(row);
            stored++;
        }
        if (peer is not null && cursor is not null)
        {
            using var cmd = Command();
            cmd.CommandText = """
                INSERT INTO peer_cursors (peer, store_id, seq) VALUES ($peer, $store, $seq)
                ON CONFLICT (peer) DO UPDATE SET store_id = excluded.store_id, seq = excluded.seq
                """;
            cmd.Parameters.AddWithValue("$peer", peer);
            cmd.Parameters.AddWithValue("$store", cursor.StoreId);
            cmd.Parameters.AddWithValue("$seq", cursor.Seq);
            cmd.ExecuteNonQuery();
        }
        if (stored > 0) Enforce(rows.Select(r => r.Key.Mac).Distinct());
        Commit();
        return stored;
    }

    /// <summary>How far this store has committed the peer's change log; null when nothing from it yet.</summary>
    public PeerCursor? GetPeerCursor(string peer)
    {
        using var cmd = Command();
        cmd.CommandText = "SELECT store_id, seq FROM peer_cursors WHERE peer = $peer";
        cmd.Parameters.AddWithValue("$peer", peer);
        using var r = cmd.ExecuteReader();
        return r.Read() ? new PeerCursor(r.GetString(0), r.GetInt64(1)) : null;
    }

    /// <summary>Names this file in peers' cursors; a rebuilt (moved aside) store gets a new one.</summary>
    public string StoreId => (string)MetaValue("store_id");

    /// <summary>The change number of the latest write.</summary>
    /// <summary>
    /// The change number of the latest write: the highest seq stored, or the floor kept in meta for rows since
    /// pruned (so a number is never reused after the newest row was pruned). Writes need no meta update.
    /// </summary>
    public long LastSeq
    {
        get
        {
            using var cmd = Command();
            cmd.CommandText = "SELECT max(coalesce((SELECT max(seq) FROM leases), 0), (SELECT value FROM meta WHERE key = 'seq'))";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    private object MetaValue(string key)
    {
        using var cmd = Command();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $key";
        cmd.Parameters.AddWithValue("$key", key);
        return cmd.ExecuteScalar() ?? throw new LeaseStoreException($"{Path}: meta '{key}' is missing");
    }

    /// <summary>Changes after seq that a peer named exceptOrigin still lacks (its own rows are not sent back to it).</summary>
    public long CountChangesAfter(long seq, string? exceptOrigin)
    {
        using var cmd = Command();
        cmd.CommandText = "SELECT count(*) FROM leases WHERE seq > $seq AND origin IS NOT $origin";
        cmd.Parameters.AddWithValue("$seq", seq);
        cmd.Parameters.AddWithValue("$origin", (object?)exceptOrigin ?? DBNull.Value);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// Stores an event from the local dnsmasq. It is the newest fact about this lease, so its stamp is
    /// taken after observing the stored one: it wins even when another process (a dhcp-script writing
    /// while the daemon was down) stored a row with a stamp ahead of this clock.
    /// </summary>
    public LeaseRecord RecordLocal(DhcpLeaseEvent e, HybridClock clock, string origin, DateTimeOffset now)
    {
        using var tx = Begin();
        using var writer = new RowWriter(this);
        var current = writer.Current(e.Key);
        if (current is not null) clock.Observe(current.Stamp);
        var row = e.ToRecord(clock.Next(now), origin);
        // "old" without a hostname (dnsmasq's first call when a client takes over a preset lease) keeps the known one.
        if (row.Hostname is null && e.Action != LeaseAction.Del && current is { Deleted: false }) row = row with { Hostname = current.Hostname };
        writer.Put(row);
        Enforce([row.Key.Mac]);
        Commit();
        return row;
    }

    /// <summary>
    /// IMMEDIATE: takes the write lock before reading, so two writers cannot both decide on a stale row. Issued
    /// through the raw API, not BeginTransaction: Microsoft.Data.Sqlite retries SQLITE_BUSY itself for whole
    /// seconds (its command timeout), which would hold the daemon's loop; here the wait is busy_timeout alone.
    /// Inside the transaction the lock is held, so the statements and the WAL commit meet no further lock.
    /// </summary>
    private TransactionScope Begin()
    {
        if (_readOnlyFallback) ReopenWritable();
        RawExec("BEGIN IMMEDIATE");
        _rawTx = true;
        return new TransactionScope(this);
    }

    private void Commit()
    {
        RawExec("COMMIT");
        _rawTx = false;
    }

    private void RawExec(string sql)
    {
        var handle = _db.Handle!;
        var rc = SQLitePCL.raw.sqlite3_exec(handle, sql);
        if (rc != SQLitePCL.raw.SQLITE_OK)
            throw new SqliteException($"SQLite Error {rc}: '{SQLitePCL.raw.sqlite3_errmsg(handle).utf8_to_string()}'.", rc, SQLitePCL.raw.sqlite3_extended_errcode(handle));
    }

    /// <summary>Ends the transaction on every path: rolled back unless Commit ran.</summary>
    private readonly struct TransactionScope(LeaseStore store) : IDisposable
    {
        public void Dispose()
        {
            if (!store._rawTx) return;
            store._rawTx = false;
            // A failed COMMIT (disk full) may already have rolled back: ROLLBACK then reports "no transaction".
            if (SQLitePCL.raw.sqlite3_get_autocommit(store._db.Handle!) == 0) SQLitePCL.raw.sqlite3_exec(store._db.Handle!, "ROLLBACK");
        }
    }

    private long CountRows(string sql)
    {
        using var cmd = Command();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    private SqliteCommand Command()
    {
        return _db.CreateCommand();
    }

    /// <summary>
    /// Writes rows inside the open write transaction with two statements prepared once (a page of a peer's
    /// log is hundreds of rows, committed on the daemon's loop). Every stored version takes the next change number.
    /// </summary>
    private sealed class RowWriter : IDisposable
    {
        private readonly LeaseStore _store;
        private readonly SqliteCommand _get;
        private readonly SqliteCommand _put;
        private long _seq;

        public RowWriter(LeaseStore store)
        {
            _store = store;
            _seq = store.LastSeq;
            _get = store.Command();
            _get.CommandText = $"SELECT {Columns} FROM leases WHERE mac = $mac AND ip = $ip";
            foreach (var name in new[] { "$mac", "$ip" }) _get.Parameters.Add(new SqliteParameter(name, null));
            _put = store.Command();
            _put.CommandText = $"""
                INSERT INTO leases ({Columns}, seq) VALUES ($mac, $ip, $expires, $hostname, $client_id, $interface, $hlc, $origin, $deleted, $seq)
                ON CONFLICT (mac, ip) DO UPDATE SET expires = excluded.expires, hostname = excluded.hostname,
                  client_id = excluded.client_id, interface = excluded.interface, hlc = excluded.hlc,
                  origin = excluded.origin, deleted = excluded.deleted, seq = excluded.seq
                """;
            foreach (var name in new[] { "$mac", "$ip", "$expires", "$hostname", "$client_id", "$interface", "$hlc", "$origin", "$deleted", "$seq" })
                _put.Parameters.Add(new SqliteParameter(name, null));
        }

        public LeaseRecord? Current(LeaseKey key)
        {
            _get.Parameters["$mac"].Value = key.Mac;
            _get.Parameters["$ip"].Value = key.Address.ToString();
            // A bad row in this slot counts as none: the new version replaces it.
            using var r = _get.ExecuteReader();
            return r.Read() ? TryReadRow(r) : null;
        }

        public void Put(LeaseRecord l)
        {
            var p = _put.Parameters;
            p["$mac"].Value = l.Key.Mac;
            p["$ip"].Value = l.Key.Address.ToString();
            p["$expires"].Value = l.ExpiresUnix;
            p["$hostname"].Value = (object?)l.Hostname ?? DBNull.Value;
            p["$client_id"].Value = (object?)l.ClientId ?? DBNull.Value;
            p["$interface"].Value = (object?)l.Interface ?? DBNull.Value;
            p["$hlc"].Value = l.Stamp.Packed;
            p["$origin"].Value = l.Origin;
            p["$deleted"].Value = l.Deleted ? 1 : 0;
            p["$seq"].Value = ++_seq;
            _put.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _get.Dispose();
            _put.Dispose();
        }
    }

    /// <summary>Every row, tombstones included when asked, in address order.</summary>
    public IReadOnlyList<LeaseRecord> List(bool includeDeleted = false)
    {
        using var cmd = Command();
        cmd.CommandText = $"SELECT {Columns} FROM leases {(includeDeleted ? "" : "WHERE deleted = 0")}";
        var rows = ReadAll(cmd);
        rows.Sort((a, b) => CompareAddresses(a, b) is var c and not 0 ? c : string.CompareOrdinal(a.Key.Mac, b.Key.Mac));
        return rows;
    }

    /// <summary>Leases neither deleted nor expired at now (expires 0 = infinite); bad rows are not leases.</summary>
    public int CountActive(DateTimeOffset now)
    {
        using var cmd = Command();
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeSeconds());
        const string Active = "FROM leases WHERE deleted = 0 AND (expires = 0 OR expires > $now)";
        // The daemon counts after every replicated page: reading and checking every row to leave bad ones out is paid
        // only by a store that had some when it was opened.
        if (BadRows == 0)
        {
            cmd.CommandText = $"SELECT count(*) {Active}";
            return (int)(long)cmd.ExecuteScalar()!;
        }
        cmd.CommandText = $"SELECT {Columns} {Active}";
        return ReadAll(cmd).Count;
    }

    private static int CompareAddresses(LeaseRecord a, LeaseRecord b) =>
        a.Key.Address.GetAddressBytes().AsSpan().SequenceCompareTo(b.Key.Address.GetAddressBytes());

    /// <summary>Rows changed after the cursor, in change order, at most limit of them (tombstones included).</summary>
    public LeaseChangesPage ChangesSince(LeaseCursor after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var cmd = Command();
        cmd.CommandText = $"SELECT {Columns}, seq FROM leases WHERE seq > $seq ORDER BY seq LIMIT $limit";
        cmd.Parameters.AddWithValue("$seq", after.Seq);
        cmd.Parameters.AddWithValue("$limit", limit + 1);
        var rows = new List<LeaseRecord>();
        var next = after.Seq;
        var more = false;
        var read = 0;
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                if (++read > limit)
                {
                    more = true;
                    break;
                }
                // A bad row is not sent, but the cursor passes it: it must not stop the stream.
                if (TryReadRow(r) is { } row) rows.Add(row);
                next = r.GetInt64(9);
            }
        return new LeaseChangesPage(rows, new LeaseCursor(next), more);
    }

    /// <summary>The highest stamp stored: a clock starts from here so it never issues a stamp below a stored one.</summary>
    public HybridTimestamp MaxStamp()
    {
        using var cmd = Command();
        cmd.CommandText = "SELECT max(hlc) FROM leases";
        return cmd.ExecuteScalar() is long packed ? HybridTimestamp.FromPacked(packed) : HybridTimestamp.Zero;
    }

    /// <summary>
    /// Deletes rows that ended more than grace ago (leases and tombstones alike; grace covers clock skew
    /// between routers), and every tombstone whose delete is older than grace: a connected peer has it within
    /// seconds, and one that missed it only keeps the lease until its own expiry (docs/leases.md#bounds).
    /// </summary>
    public int Prune(DateTimeOffset now, TimeSpan grace)
    {
        var cut = now - grace;
        using var tx = Begin();
        using (var floor = Command())
        {
            floor.CommandText = "UPDATE meta SET value = $seq WHERE key = 'seq'";
            floor.Parameters.AddWithValue("$seq", LastSeq);
            floor.ExecuteNonQuery();
        }
        using var cmd = Command();
        cmd.CommandText = "DELETE FROM leases WHERE (expires != 0 AND expires <= $cut) OR (deleted = 1 AND hlc < $hlcCut)";
        cmd.Parameters.AddWithValue("$cut", cut.ToUnixTimeSeconds());
        cmd.Parameters.AddWithValue("$hlcCut", new HybridTimestamp(cut.ToUnixTimeMilliseconds(), 0).Packed);
        var pruned = cmd.ExecuteNonQuery();
        pruned += Enforce([]);
        Commit();
        return pruned;
    }

    /// <summary>
    /// Applies <see cref="Limits"/> inside the open write transaction: per MAC for the MACs just written (a client
    /// cycling addresses keeps its newest rows, live ones first), tombstones by count (newest kept), then the
    /// total (tombstones first, then the leases ending soonest, ended ones being the first of those).
    /// Returns how many rows went.
    /// </summary>
    private int Enforce(IEnumerable<string> macs)
    {
        var limits = Limits;
        var dropped = 0;
        using (var floor = Command())
        {
            // A dropped row may be the newest: the change number must not go back.
            floor.CommandText = "UPDATE meta SET value = max(value, coalesce((SELECT max(seq) FROM leases), 0)) WHERE key = 'seq'";
            floor.ExecuteNonQuery();
        }
        using (var perMac = Command())
        {
            perMac.CommandText = """
                DELETE FROM leases WHERE mac = $mac AND ip NOT IN
                  (SELECT ip FROM leases WHERE mac = $mac ORDER BY deleted, hlc DESC LIMIT $max)
                """;
            var mac = perMac.Parameters.Add(new SqliteParameter("$mac", null));
            perMac.Parameters.AddWithValue("$max", limits.MaxRowsPerMac);
            foreach (var m in macs)
            {
                mac.Value = m;
                dropped += perMac.ExecuteNonQuery();
            }
        }
        // The two limits below sort the table; counting first keeps a page of a 10,000-lease resync from sorting
        // it every time it is under the limits, which is almost always.
        if (CountRows("SELECT count(*) FROM leases WHERE deleted = 1") > limits.MaxTombstones)
        {
            using var tombs = Command();
            tombs.CommandText = """
                DELETE FROM leases WHERE deleted = 1 AND (mac, ip) IN
                  (SELECT mac, ip FROM leases WHERE deleted = 1 ORDER BY hlc DESC LIMIT -1 OFFSET $max)
                """;
            tombs.Parameters.AddWithValue("$max", limits.MaxTombstones);
            dropped += tombs.ExecuteNonQuery();
        }
        if (CountRows("SELECT count(*) FROM leases") > limits.MaxRows)
        {
            using var total = Command();
            total.CommandText = """
                DELETE FROM leases WHERE (mac, ip) IN
                  (SELECT mac, ip FROM leases ORDER BY deleted DESC, CASE WHEN expires = 0 THEN 1 ELSE 0 END, expires, hlc
                   LIMIT max(0, (SELECT count(*) FROM leases) - $max))
                """;
            total.Parameters.AddWithValue("$max", limits.MaxRows);
            var over = total.ExecuteNonQuery();
            OverMaxRows += over;
            dropped += over;
        }
        DroppedRows += dropped;
        return dropped;
    }

    private static List<LeaseRecord> ReadAll(SqliteCommand cmd)
    {
        var rows = new List<LeaseRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            if (TryReadRow(r) is { } row) rows.Add(row);
        return rows;
    }

    /// <summary>The row at the reader, or null when any column fails <see cref="LeaseRowCheck"/>.</summary>
    private static LeaseRecord? TryReadRow(SqliteDataReader r)
    {
        try
        {
            for (var i = 0; i < 9; i++)
            {
                var type = r.GetFieldType(i);
                var text = i is 0 or 1 or 3 or 4 or 5 or 7;
                if (r.IsDBNull(i) ? i is not (3 or 4 or 5) : type != (text ? typeof(string) : typeof(long))) return null;
            }
            return LeaseRowCheck.Build(r.GetString(0), r.GetString(1), r.GetInt64(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.GetInt64(6), r.GetString(7), r.GetInt64(8));
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
