using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;
using Router.Store;
using Xunit.Abstractions;

namespace Router.Daemon.Tests;

/// <summary>A store file the loop cannot write (another process's lock, a full overlay): nothing lost, the loop not held.</summary>
public sealed class LeaseStoreFailureTests(ITestOutputHelper output)
{
    private static ControlResponse Lease(TestRouter r, string action, string mac, string ip, ManualClock clock) =>
        r.Ask(new ControlRequest("lease", Args: [action, mac, ip, "host"], Env: new Dictionary<string, string>
        {
            ["DNSMASQ_LEASE_EXPIRES"] = (clock.GetUtcNow().ToUnixTimeSeconds() + 3600).ToString(CultureInfo.InvariantCulture),
            ["DNSMASQ_INTERFACE"] = "lan0",
        }));

    [Fact]
    public void WhileAnotherProcessHoldsTheWriteLockLeasesAreServedFromMemoryAndWrittenWhenItLetsGo()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.RunFor(TimeSpan.FromSeconds(5));
        SqliteNative.EnsureInitialized();
        using var other = new SqliteConnection($"Data Source={Path.Combine(pair.Dir, "a.db")};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++) Assert.True(Lease(pair.A, "add", $"02:00:00:00:01:{i:x2}", $"192.168.1.{100 + i}", pair.Clock).Ok);
        pair.RunFor(TimeSpan.FromSeconds(10));
        sw.Stop();
        output.WriteLine($"20 leases and 10 s of loop time under a held lock took {sw.Elapsed.TotalMilliseconds:0} ms of wall time");
        // A 5 s busy_timeout per try (the old setting) would take tens of seconds here.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"{sw.Elapsed.TotalMilliseconds} ms");

        var view = pair.A.Status().Leases!;
        Assert.Equal((20, 20), (view.Active, view.Pending));
        Assert.Contains("locked", view.WriteError);
        Assert.Single(pair.A.Log, l => l.Contains("cannot write"));
        var init = pair.A.Ask(new ControlRequest("lease", Args: ["init"], Env: new Dictionary<string, string>()));
        Assert.Contains("192.168.1.119", init.Message);

        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        pair.RunUntil(() => pair.A.Status().Leases!.Pending == 0, TimeSpan.FromSeconds(60), "the kept leases written");
        using (var file = LeaseStore.OpenReadOnly(Path.Combine(pair.Dir, "a.db"))!) Assert.Equal(20, file.List().Count);
        view = pair.A.Status().Leases!;
        Assert.Equal((0, (string?)null), (view.Pending, view.WriteError));
        Assert.Contains(pair.A.Log, l => l.Contains("writing again"));
    }
}
