using Microsoft.Data.Sqlite;

namespace Router.Store;

/// <summary>
/// The schema as an ordered list of migrations; PRAGMA user_version is the number applied. A database
/// from an older routerha is brought forward on open; one from a newer routerha is refused untouched.
/// </summary>
internal static class LeaseSchema
{
    /// <summary>Index i holds the step from version i to i + 1.</summary>
    public static readonly string[] Migrations =
    [
        // v1: leases keyed by (MAC, IP), the HLC stamp packed in one integer, tombstones as deleted = 1.
        """
        CREATE TABLE leases (
            mac       TEXT    NOT NULL,
            ip        TEXT    NOT NULL,
            expires   INTEGER NOT NULL,
            hostname  TEXT,
            client_id TEXT,
            hlc       INTEGER NOT NULL,
            origin    TEXT    NOT NULL,
            deleted   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (mac, ip)
        ) WITHOUT ROWID;
        """,
        // v2: the interface dnsmasq saw the lease on, and an index for "changed since stamp X" paging.
        """
        ALTER TABLE leases ADD COLUMN interface TEXT;
        CREATE INDEX leases_by_hlc ON leases (hlc, mac, ip);
        """,
        // v3: replication. Every write takes the next local change number (seq), so a peer's cursor into this
        // store is one integer and also covers rows relayed from a third router with old stamps. store_id names
        // this file: a rebuilt store gets a new one, which tells peers their cursor into it is void.
        // peer_cursors: how far into each peer's change log this store has committed. The stamp index of v2 goes:
        // paging is by seq now, and every index is one more page written (and fsynced) per lease event.
        """
        ALTER TABLE leases ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        DROP INDEX leases_by_hlc;
        UPDATE leases SET seq = (SELECT count(*) FROM leases AS o WHERE (o.hlc, o.mac, o.ip) <= (leases.hlc, leases.mac, leases.ip));
        CREATE INDEX leases_by_seq ON leases (seq);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8)))), ('seq', (SELECT count(*) FROM leases));
        CREATE TABLE peer_cursors (
            peer     TEXT    PRIMARY KEY,
            store_id TEXT    NOT NULL,
            seq      INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
    ];

    public static int Latest => Migrations.Length;

    public static int VersionOf(SqliteConnection db, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Checked before anything is written, even the journal mode: the file stays byte for byte as it was.</summary>
    public static void RefuseNewer(int version, string path)
    {
        if (version > Latest)
            throw new LeaseStoreException($"{path} has lease schema v{version}, written by a newer routerha; this one knows up to v{Latest}. Not touching it: upgrade routerha or move the file away.");
    }

    /// <summary>Applies the missing steps, each in its own transaction with its version bump.</summary>
    public static void Migrate(SqliteConnection db, string path)
    {
        RefuseNewer(VersionOf(db), path);
        while (true)
        {
            // The version is read again under the write lock (BEGIN IMMEDIATE): processes that open a new store at the
            // same moment (a burst of dhcp-script calls) would otherwise all run the same step, and all but one fail.
            using var tx = db.BeginTransaction(deferred: false);
            var v = VersionOf(db, tx);
            RefuseNewer(v, path);
            if (v >= Latest) return;
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = Migrations[v] + $"\nPRAGMA user_version = {v + 1};";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }
}
