using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.LabKit;
using Router.LabKit.Vm;

namespace Router.LabTool;

/// <summary>
/// What the router artifact costs: binary size per release target, ipk sizes (x86_64, aarch64), for the
/// x86_64-openwrt binary in a musl-only root the time from start to BACKUP and its idle memory as MASTER, and
/// the aarch64 binary's start to BACKUP inside the arm64 VM (Cortex-A53 under TCG: emulated, so far slower
/// than a real board; it compares builds, it does not predict a router).
/// Goals (issues 6, 16): binary under 8 MB, ipk under 4 MB, idle RSS under 15 MB, start-up under 50 ms (x86_64).
/// </summary>
public static class PackageBench
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    /// <summary>`labtool bench-package`: these figures alone (the idle window as in `bench`).</summary>
    public static async Task<int> RunStandaloneAsync(Options opts, CancellationToken ct)
    {
        await RunAsync(opts.Reps, opts.Quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30), ct);
        return 0;
    }

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
        report.StartupMedianMs = Bench.Median(report.StartupToBackupMs);
        (report.IdleVmRssKb, report.IdlePssKb) = await IdleMasterMemoryAsync(ipk, idle, ct);

        if (PackageArtifacts.FindIpk("aarch64_cortex-a53") is { } armIpk)
        {
            report.Aarch64Ipk = Path.GetFileName(armIpk);
            report.Aarch64IpkBytes = new FileInfo(armIpk).Length;
        }
        if (File.Exists(VmArch.Aarch64.Rootfs))
        {
            report.Arm64VmStartupToBackupMs = await Arm64VmStartupToBackupMsAsync(reps);
            report.Arm64VmStartupMedianMs = Bench.Median(report.Arm64VmStartupToBackupMs);
        }
        else Console.WriteLine("  arm64 VM start -> BACKUP skipped: no aarch64 image (make image)");

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

    /// <summary>
    /// In the arm64 VM (routerha not started at boot): from the init script's `start` to the "-> BACKUP" log line,
    /// timed inside the guest by its own clock (/proc/uptime, 10 ms steps: busybox's date has no %N) before the start
    /// and after the line appears; the log is polled every millisecond, so a sample is up to 10 ms plus one grep off.
    /// </summary>
    private static async Task<List<double>> Arm64VmStartupToBackupMsAsync(int reps)
    {
        var samples = new List<double>();
        using var rig = new VmRig(Console.WriteLine);
        await rig.RunAsync(async () =>
        {
            var vm = await rig.BootAsync(RouterVm.Router(VmArch.Aarch64, "ra", 1, rig.NewSegment(), rig.NewSegment(),
                priority: 100, preempt: true, preemptDelay: 0, startAtBoot: false));
            for (var rep = 1; rep <= reps; rep++)
            {
                var ms = await vm.Console.CheckAsync(
                    "rm -f /var/log/routerha.log; read s _ < /proc/uptime; /etc/init.d/routerha start; " +
                    "until grep -q -- '-> BACKUP' /var/log/routerha.log 2>/dev/null; do usleep 1000; done; " +
                    "read e _ < /proc/uptime; /etc/init.d/routerha stop >/dev/null 2>&1; " +
                    "awk -v s=$s -v e=$e 'BEGIN { printf \"%d\\n\", (e - s) * 1000 }'", TimeSpan.FromSeconds(60));
                samples.Add(double.Parse(ms.Trim(), CultureInfo.InvariantCulture));
                Console.WriteLine($"  routerha aarch64 in the arm64 VM start -> BACKUP rep {rep}: {samples[^1]:0} ms");
            }
        });
        return samples;
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
        if (r.Aarch64Ipk is not null) sb.Append($"| {r.Aarch64Ipk} (and the 3 other aarch64 package architectures) | {Mb(r.Aarch64IpkBytes)} | < 4 MB |\n");
        sb.Append($"| start -> BACKUP (musl, median of {r.StartupToBackupMs.Count}) | {r.StartupMedianMs:0.0} ms | < 50 ms |\n");
        sb.Append($"| idle MASTER VmRSS / PSS (musl, 100 ms adverts) | {r.IdleVmRssKb / 1024.0:0.0} / {r.IdlePssKb / 1024.0:0.0} MiB | < 15 MB |\n");
        if (r.Arm64VmStartupToBackupMs.Count > 0)
            sb.Append($"| start -> BACKUP (aarch64 in the arm64 VM, emulated Cortex-A53, median of {r.Arm64VmStartupToBackupMs.Count}) | {r.Arm64VmStartupMedianMs:0} ms | |\n");
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
    public string? Aarch64Ipk { get; set; }
    public long? Aarch64IpkBytes { get; set; }
    public List<double> Arm64VmStartupToBackupMs { get; set; } = [];
    public double Arm64VmStartupMedianMs { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PackageBenchReport))]
internal sealed partial class PackageBenchJson : JsonSerializerContext;
