using System.Net;
using Microsoft.Data.Sqlite;
using Router.Core.Leases;

namespace Router.Store.Tests;

/// <summary>A fresh directory per test for the database file, removed afterwards.</summary>
public abstract class StoreFixture : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    protected readonly string Dir = Directory.CreateTempSubdirectory("routerha-store-").FullName;
    protected readonly List<string> Logged = [];

    protected string DbPath => Path.Combine(Dir, "leases.db");

    protected LeaseStore Open() => LeaseStore.Open(DbPath, Logged.Add, T0);

    protected static DhcpLeaseEvent Event(LeaseAction action, string mac, string ip, string? host = null, long? expires = null) =>
        new(action, mac, IPAddress.Parse(ip), host, null, "br-lan", expires ?? T0.ToUnixTimeSeconds() + 3600);

    protected static LeaseRecord Row(string mac, string ip, HybridTimestamp stamp, string origin, bool deleted = false, string? host = null, long? expires = null) =>
        new(new LeaseKey(mac, IPAddress.Parse(ip)), expires ?? T0.ToUnixTimeSeconds() + 3600, host, null, null, stamp, origin, deleted);

    /// <summary>Runs SQL on the file directly, as another program (or an older routerha) would.</summary>
    protected void Sql(string sql)
    {
        SqliteNative.EnsureInitialized();
        using var db = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    protected object? Scalar(string sql)
    {
        SqliteNative.EnsureInitialized();
        using var db = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        Directory.Delete(Dir, recursive: true);
    }
}
