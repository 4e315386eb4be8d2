using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.LabKit;

namespace Router.LabTool;

/// <summary>
/// What the router artifact costs: binary size per release target, ipk size, and for the x86_64-openwrt
/// binary in a musl-only root, the time from start to BACKUP and its idle memory as MASTER.
/// Goals (issue 6): binary under 8 MB, ipk under 4 MB, idle RSS under 15 MB, start-up under 50 ms.
/// </summary>
public static class PackageBench
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(int reps, TimeSpan idle, CancellationToken ct)
    {
        var ipk = PackageArtifacts.FindIpk();
        if (ipk is null || PackageArtifacts.ReleaseBinary("x86_64-openwrt") is null)
        {
            Console.WriteLine("package bench skipped: no ipk / x86_64-openwrt binary (make ipk)");
            return;
        }
        var report = new PackageBenchReport { Ipk = Path.GetFileName(ipk), IpkBytes = new FileInfo(ipk).Length };
        foreach (var t in PackageArtifacts.Targets)
            report.BinaryBytes[t] = PackageArtifacts.ReleaseBinary(t) is { } b ? new FileInfo(b).Length : null;

        for (var rep = 1; rep <= reps; rep++)
        {
            var ms = await StartupToBackupMsAsync(ipk, ct);
            report.StartupToBackupMs.Add(ms);
            Console.WriteLine($"  routerha-musl start -> BACKUP rep {rep}: {ms:0.0} ms");
        }
        report.StartupMedianMs = report.StartupToBackupMs.Order().ElementAt(report.StartupToBackupMs.Count / 2);
        (report.IdleVmRssKb, report.IdlePssKb) = await IdleMasterMemoryAsync(ipk, idle, ct);

        Console.WriteLine();
        Console.WriteLine(Markdown(report));
        var outFile = Path.Combine(RouterHaBinary.RepoRoot, "build", "bench", "package.json");
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(report, PackageBenchJson.Default.PackageBenchReport), ct);
        Console.WriteLine($"wrote {outFile}");
    }

    /// <summary>From spawning `ip netns exec NS chroot ROOT routerha run` to the daemon's "-> BACKUP" log line.</summary>
    private static async Task<double> StartupToBackupMsAsync(string ipk, CancellationToken ct)
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(ipk);
        using var topology = LabTopology.Create();
        var node = topology.Own(new MuslRouterHaNode(topology, "B", VrrpSettings.For(100, Advert), root));
        var backup = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sw = new Stopwatch();
        node.LogLine += line =>
        {
            if (line.Contains("-> BACKUP", StringComparison.Ordinal)) backup.TrySetResult(sw.Elapsed.TotalMilliseconds);
        };
        sw.Start();
        node.Start();
        return await backup.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    /// <summary>The musl build as MASTER (against the glibc build as backup) after an idle window.</summary>
    private static async Task<(long RssKb, long PssKb)> IdleMasterMemoryAsync(string ipk, TimeSpan idle, CancellationToken ct)
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(ipk);
        using var topology = LabTopology.Create();
        var a = topology.Own(new MuslRouterHaNode(topology, "A", VrrpSettings.For(150, Advert), root));
        var b = topology.Own(new RouterHaNode(topology, "B", VrrpSettings.For(100, Advert)));
        a.Start();
        b.Start();
        await a.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), ct);
        await Task.Delay(idle, ct); // the measurement window itself, not a wait for a condition
        if (a.State != "MASTER") throw new InvalidOperationException($"musl A left MASTER while idle\n{a.Diagnostics()}");
        var pid = a.Pids.Single();
        var sample = (ProcStats.VmRssKb(pid), ProcStats.PssKb(pid));
        Console.WriteLine($"  routerha-musl idle {idle.TotalSeconds:0} s as MASTER: VmRSS {sample.Item1} KiB, PSS {sample.Item2} KiB");
        return sample;
    }

    private static string Markdown(PackageBenchReport r)
    {
        static string Mb(long? bytes) => bytes is long b ? (b / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB" : "not built";
        var sb = new System.Text.StringBuilder("| artifact | measured | goal |\n|---|---|---|\n");
        foreach (var (target, bytes) in r.BinaryBytes) sb.Append($"| binary {target} | {Mb(bytes)} | < 8 MB |\n");
        sb.Append($"| {r.Ipk} | {Mb(r.IpkBytes)} | < 4 MB |\n");
        sb.Append($"| start -> BACKUP (musl, median of {r.StartupToBackupMs.Count}) | {r.StartupMedianMs:0.0} ms | < 50 ms |\n");
        sb.Append($"| idle MASTER VmRSS / PSS (musl, 100 ms adverts) | {r.IdleVmRssKb / 1024.0:0.0} / {r.IdlePssKb / 1024.0:0.0} MiB | < 15 MB |\n");
        return sb.ToString();
    }
}

public sealed class PackageBenchReport
{
    public string Ipk { get; set; } = "";
    public long IpkBytes { get; set; }
    public Dictionary<string, long?> BinaryBytes { get; set; } = [];
    public List<double> StartupToBackupMs { get; set; } = [];
    public double StartupMedianMs { get; set; }
    public long IdleVmRssKb { get; set; }
    public long IdlePssKb { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PackageBenchReport))]
internal sealed partial class PackageBenchJson : JsonSerializerContext;
