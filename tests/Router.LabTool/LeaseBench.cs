using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Core.Leases;
using Router.LabKit;
using Router.Store;

namespace Router.LabTool;

/// <summary>
/// Lease store figures: commits per second into the SQLite store (WAL, synchronous=FULL, one transaction
/// per lease as dnsmasq events arrive), and the time from dnsmasq starting `routerha dhcp-script add` to its
/// answer (the daemon has committed it, or under this pace holds it for the next batch), through the running daemon
/// and with the daemon down; then replication to a peer (LeaseReplicationBench). Writes build/bench/leases.json.
/// </summary>
public static class LeaseBench
{
    public static async Task RunAsync(bool quick, CancellationToken ct)
    {
        const int leases = 1000;
        var result = new LeaseBenchResult { Leases = leases };
        using (var lab = DhcpLab.Create())
        {
            result.StoreDir = lab.Dir;
            (result.StoreWritesPerSecond, result.StoreBytesPerWrite) = StoreThroughput(Path.Combine(lab.Dir, "throughput.db"), quick ? 500 : 2000);
            Console.WriteLine($"  lease store: {result.StoreWritesPerSecond:0} committed lease writes/s, {result.StoreBytesPerWrite / 1024:0.0} KiB written per lease (synchronous=FULL, {lab.Dir})");

            lab.StartDaemon();
            await Wait.UntilAsync(() => lab.RouterHa("status", "-c", lab.ConfigPath).Ok, TimeSpan.FromSeconds(20), "routerha up", lab.Diagnostics, ct);
            result.ViaDaemon = ScriptLatency(lab, leases, first: 0, ct);
            Console.WriteLine($"  dhcp-script -> answered, via daemon: p50 {result.ViaDaemon.P50Ms:0.0} ms, p99 {result.ViaDaemon.P99Ms:0.0} ms over {leases}");
            // Under this pace (one call every few ms) the daemon batches: the last batch is committed within
            // commit_interval, and a kill -9 before that would lose it (docs/leases.md#batching).
            await Wait.UntilAsync(() => Pending(lab) == 0, TimeSpan.FromSeconds(10), "the last batch committed", lab.Diagnostics, ct);
            lab.Daemon!.Kill9();
            result.DaemonDown = ScriptLatency(lab, leases, first: leases, ct);
            Console.WriteLine($"  dhcp-script -> row, daemon down: p50 {result.DaemonDown.P50Ms:0.0} ms, p99 {result.DaemonDown.P99Ms:0.0} ms over {leases}");
            var stored = lab.Leases().Count(l => l.State == "active");
            if (stored != 2 * leases) throw new InvalidOperationException($"{stored} leases in the store, expected {2 * leases}");
        }
        result.Replication = await LeaseReplicationBench.RunAsync(quick, ct);
        var outDir = Path.Combine(RouterHaBinary.RepoRoot, "build", "bench");
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "leases.json"), JsonSerializer.Serialize(result, LeaseBenchJson.Default.LeaseBenchResult), ct);
    }

    /// <summary>Commits per second, and the bytes this process sent to the block layer per commit (flash wear).</summary>
    private static (double PerSecond, double BytesPerWrite) StoreThroughput(string path, int writes)
    {
        using var store = LeaseStore.Open(path, _ => { }, DateTimeOffset.UtcNow);
        var clock = new HybridClock();
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var bytesBefore = BytesWritten();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < writes; i++)
            store.RecordLocal(new DhcpLeaseEvent(LeaseAction.Add, Mac(i), Address(i), $"host{i}", null, "br-lan", expires),
                clock, "bench", DateTimeOffset.UtcNow);
        var elapsed = sw.Elapsed.TotalSeconds;
        return (writes / elapsed, (BytesWritten() - bytesBefore) / (double)writes);
    }

    private static long BytesWritten() =>
        long.Parse(File.ReadAllLines("/proc/self/io").Single(l => l.StartsWith("write_bytes:", StringComparison.Ordinal))[12..].Trim(), CultureInfo.InvariantCulture);

    private static int? Pending(DhcpLab lab)
    {
        var r = lab.RouterHa("status", "--json", "-c", lab.ConfigPath);
        if (!r.Ok) return null;
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.TryGetProperty("leases", out var l) && l.TryGetProperty("pending", out var p) ? p.GetInt32() : null;
    }

    private static LatencySummary ScriptLatency(DhcpLab lab, int count, int first, CancellationToken ct)
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var samples = new List<double>(count);
        for (var i = first; i < first + count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var a in new[] { "netns", "exec", lab.Router.Name, lab.Script("dhcp-script"), "add", Mac(i), Address(i).ToString(), $"host{i}" })
                psi.ArgumentList.Add(a);
            psi.Environment["DNSMASQ_LEASE_EXPIRES"] = expires;
            psi.Environment["DNSMASQ_INTERFACE"] = "br0";
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            samples.Add(sw.Elapsed.TotalMilliseconds);
            if (p.ExitCode != 0) throw new InvalidOperationException($"dhcp-script add #{i} failed ({p.ExitCode}): {err}");
        }
        samples.Sort();
        return new LatencySummary { P50Ms = Percentile(samples, 0.50), P99Ms = Percentile(samples, 0.99), MaxMs = samples[^1] };
    }

    internal static double Percentile(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];

    private static string Mac(int i) => $"02:be:00:00:{i / 256:x2}:{i % 256:x2}";

    private static IPAddress Address(int i) => new([10, 99, (byte)(i / 250), (byte)(i % 250 + 1)]);
}

public sealed class LeaseBenchResult
{
    public int Leases { get; set; }
    public string StoreDir { get; set; } = "";
    public double StoreWritesPerSecond { get; set; }
    public double StoreBytesPerWrite { get; set; }
    public LatencySummary ViaDaemon { get; set; } = new();
    public LatencySummary DaemonDown { get; set; } = new();
    public LeaseReplicationResult Replication { get; set; } = new();
}

public sealed class LatencySummary
{
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LeaseBenchResult))]
internal sealed partial class LeaseBenchJson : JsonSerializerContext
{
}
