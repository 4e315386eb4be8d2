using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Router.Core.Leases;
using Router.LabKit;
using Router.Store;

namespace Router.LabTool;

/// <summary>
/// Replication figures on two routers running routerha (LeasePairLab, no DHCP action): the time from starting
/// `routerha dhcp-script add` on A to the row being committed in B's store (B's file is polled read-only by this
/// process), and the time for B, started with no store, to hold all of A's 10,000 leases (full resync).
/// </summary>
public static class LeaseReplicationBench
{
    public static async Task<LeaseReplicationResult> RunAsync(bool quick, CancellationToken ct)
    {
        var result = new LeaseReplicationResult { Leases = quick ? 200 : 1000, ResyncLeases = quick ? 2000 : 10_000 };
        var step = TimeSpan.FromSeconds(30);
        using (var lab = LeasePairLab.Create(dhcpAction: false))
        {
            lab.StartDaemon(0);
            lab.StartDaemon(1);
            await Wait.UntilAsync(() => SyncConnected(lab, 0) && SyncConnected(lab, 1), step, "A and B replicating", lab.Diagnostics, ct);
            // Back to back, every call after the first of an interval waits for the batch (commit_interval 500 ms);
            // at the pace of ordinary DHCP traffic each lease is committed, and so sent, at once.
            result.ScriptToPeer = await ScriptToPeerAsync(lab, result.Leases, 0, TimeSpan.Zero, ct);
            Console.WriteLine($"  dhcp-script on A -> row in B's store, back to back: p50 {result.ScriptToPeer.P50Ms:0.0} ms, p99 {result.ScriptToPeer.P99Ms:0.0} ms over {result.Leases}");
            result.PacedLeases = quick ? 10 : 40;
            result.ScriptToPeerPaced = await ScriptToPeerAsync(lab, result.PacedLeases, result.Leases, TimeSpan.FromMilliseconds(600), ct);
            Console.WriteLine($"  dhcp-script on A -> row in B's store, one call every 600 ms: p50 {result.ScriptToPeerPaced.P50Ms:0.0} ms, p99 {result.ScriptToPeerPaced.P99Ms:0.0} ms over {result.PacedLeases}");
        }
        // More leases than the default max_rows (4096) would keep.
        using (var lab = LeasePairLab.Create(dhcpAction: false, leasesOptions: new Dictionary<string, string> { ["max_rows"] = "20000" }))
        {
            Fill(lab.DbPath(0), result.ResyncLeases);
            lab.StartDaemon(0);
            await Wait.UntilAsync(() => lab.RouterHa(0, "status").Ok, step, "A up", lab.Diagnostics, ct);
            var sw = Stopwatch.StartNew();
            lab.StartDaemon(1);
            await Wait.UntilAsync(() => Count(lab.DbPath(1)) == result.ResyncLeases, TimeSpan.FromSeconds(120), "full resync on B", lab.Diagnostics, ct);
            result.FullResyncMs = sw.Elapsed.TotalMilliseconds;
            result.LongestPageCommitMs = LongestPageCommit(lab, 1);
            Console.WriteLine($"  full resync of {result.ResyncLeases} leases to an empty B (from its start): {result.FullResyncMs:0} ms, longest page commit on B's loop {result.LongestPageCommitMs:0.0} ms ({LeaseReplicator.DefaultPageSize} rows per page)");
        }
        return result;
    }

    private static async Task<LatencySummary> ScriptToPeerAsync(LeasePairLab lab, int count, int first, TimeSpan spacing, CancellationToken ct)
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var samples = new List<double>(count);
        LeaseStore? peer = null;
        try
        {
            for (var i = first; i < first + count; i++)
            {
                ct.ThrowIfCancellationRequested();
                if (spacing > TimeSpan.Zero) await Task.Delay(spacing, ct);
                var key = new LeaseKey(Mac(i), Address(i));
                var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true };
                foreach (var a in new[] { "netns", "exec", lab.Routers[0].Name, lab.Script(0, "dhcp-script"), "add", key.Mac, key.Address.ToString(), $"host{i}" })
                    psi.ArgumentList.Add(a);
                psi.Environment["DNSMASQ_LEASE_EXPIRES"] = expires;
                psi.Environment["DNSMASQ_INTERFACE"] = "lan0";
                var sw = Stopwatch.StartNew();
                using var p = Process.Start(psi)!;
                var deadline = TimeSpan.FromSeconds(10);
                while (true)
                {
                    peer ??= LeaseStore.OpenReadOnly(lab.DbPath(1));
                    if (peer?.Get(key) is not null) break;
                    if (sw.Elapsed > deadline) throw new TimeoutException($"lease {key} not on B after {deadline.TotalSeconds} s\n{lab.Diagnostics()}");
                    await Task.Delay(TimeSpan.FromMilliseconds(0.5), ct);
                }
                samples.Add(sw.Elapsed.TotalMilliseconds);
                var err = await p.StandardError.ReadToEndAsync(ct);
                await p.WaitForExitAsync(ct);
                if (p.ExitCode != 0) throw new InvalidOperationException($"dhcp-script add #{i} failed ({p.ExitCode}): {err}");
            }
        }
        finally
        {
            peer?.Dispose();
        }
        samples.Sort();
        return new LatencySummary { P50Ms = LeaseBench.Percentile(samples, 0.50), P99Ms = LeaseBench.Percentile(samples, 0.99), MaxMs = samples[^1] };
    }

    /// <summary>A's store with n leases written in one transaction (their replication is what is timed, not this).</summary>
    private static void Fill(string path, int n)
    {
        using var store = LeaseStore.Open(path, _ => { }, DateTimeOffset.UtcNow);
        store.Limits = store.Limits with { MaxRows = Math.Max(store.Limits.MaxRows, n) };
        var clock = new HybridClock();
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var rows = Enumerable.Range(0, n).Select(i => new LeaseRecord(new LeaseKey(Mac(i), Address(i)), expires, $"host{i}",
            $"01:{Mac(i)}", "lan0", clock.Next(DateTimeOffset.UtcNow), "router-a", false)).ToList();
        store.ApplyPage(rows, null, null);
    }

    private static long Count(string path)
    {
        // A plain count: opening a LeaseStore checks every row, which at 10,000 rows, polled, would compete for the
        // two cores with the resync it measures.
        if (!File.Exists(path)) return 0;
        try
        {
            SqliteNative.EnsureInitialized();
            using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM leases WHERE deleted = 0";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // created but not migrated yet
        }
    }

    private static bool SyncConnected(LeasePairLab lab, int r)
    {
        using var s = lab.Status(r);
        return s is not null && s.RootElement.TryGetProperty("leases", out var l) && l.TryGetProperty("sync", out var y)
               && y.GetProperty("connected").GetBoolean() && y.GetProperty("caught_up").GetBoolean();
    }

    private static double LongestPageCommit(LeasePairLab lab, int r)
    {
        using var s = lab.Status(r);
        return s!.RootElement.GetProperty("leases").GetProperty("sync").GetProperty("max_apply_ms").GetDouble();
    }

    private static string Mac(int i) => $"02:bf:00:00:{i / 256:x2}:{i % 256:x2}";

    private static IPAddress Address(int i) => new([10, 98, (byte)(i / 250), (byte)(i % 250 + 1)]);
}

public sealed class LeaseReplicationResult
{
    public int Leases { get; set; }
    public LatencySummary ScriptToPeer { get; set; } = new();
    public int PacedLeases { get; set; }
    public LatencySummary ScriptToPeerPaced { get; set; } = new();
    public int ResyncLeases { get; set; }
    public double FullResyncMs { get; set; }
    public double LongestPageCommitMs { get; set; }
}
