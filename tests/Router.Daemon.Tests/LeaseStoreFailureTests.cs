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

    private static int InFile(TestPair pair)
    {
        using var file = LeaseStore.OpenReadOnly(Path.Combine(pair.Dir, "a.db"));
        return file?.List().Count ?? 0;
    }

    [Fact]
    public void ALeaseAfterAQuietIntervalIsInTheFileWhenDnsmasqGetsItsAnswerAndABurstIsCommittedOncePerInterval()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.RunFor(TimeSpan.FromSeconds(5));

        // At the pace of ordinary DHCP traffic, "stored" means on disk: a kill -9 right after the answer loses nothing.
        Assert.True(Lease(pair.A, "add", "02:00:00:00:02:01", "192.168.1.151", pair.Clock).Ok);
        Assert.Equal(1, InFile(pair));
        Assert.Equal(0, pair.A.Status().Leases!.Pending);

        // Churn: the events that follow within commit_interval wait for one commit together.
        for (var i = 2; i <= 6; i++) Assert.True(Lease(pair.A, "add", $"02:00:00:00:02:{i:x2}", $"192.168.1.{150 + i}", pair.Clock).Ok);
        Assert.Equal(1, InFile(pair));
        Assert.Equal(5, pair.A.Status().Leases!.Pending);
        pair.RunFor(TimeSpan.FromMilliseconds(500));
        Assert.Equal(6, InFile(pair));

        // Quiet again for an interval: the next one is committed before its answer.
        pair.RunFor(TimeSpan.FromSeconds(1));
        Assert.True(Lease(pair.A, "add", "02:00:00:00:02:07", "192.168.1.157", pair.Clock).Ok);
        Assert.Equal(7, InFile(pair));
    }

    [Fact]
    public void LeasesDroppedAtMaxRowsAreSaidOnceNotPerBatch()
    {
        using var pair = new TestPair(new PairOptions { Leases = true, MaxRows = 64 });
        pair.RunFor(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 80; i++)
        {
            Assert.True(Lease(pair.A, "add", $"02:00:00:00:03:{i:x2}", $"192.168.1.{i + 10}", pair.Clock).Ok);
            pair.RunFor(TimeSpan.FromMilliseconds(100));
        }
        pair.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(64, InFile(pair));
        var said = Assert.Single(pair.A.Log, l => l.Contains("dropped at max_rows 64"));
        Assert.Contains("raise max_rows", said);
    }
}
