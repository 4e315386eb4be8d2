using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Router.LabKit;

namespace Router.LabTool;

/// <summary>
/// Failover gaps and idle cost, routerha and keepalived side by side in one run: same topology, same timers,
/// a fresh lab for every repetition so no run inherits state from the previous one.
/// </summary>
public static class Bench
{
    private static readonly FailoverKind[] Scenarios = [FailoverKind.Kill9, FailoverKind.LinkDown, FailoverKind.Sigterm];

    public static async Task<int> RunAsync(Options opts, CancellationToken ct)
    {
        if (opts.Daemons.Contains(DaemonKind.RouterHa)) RouterHaBinary.Require();
        TimeSpan[] adverts = opts.Quick ? [TimeSpan.FromMilliseconds(100)] : [TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100)];
        var idle = opts.Quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30);
        var report = new BenchReport
        {
            GeneratedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Host = Environment.MachineName,
            Reps = opts.Reps,
            Quick = opts.Quick,
            RouterhaBinary = opts.Daemons.Contains(DaemonKind.RouterHa) ? RouterHaBinary.PathOrDefault : null,
        };

        if (opts.Daemons.Contains(DaemonKind.RouterHa)) await LeaseBench.RunAsync(opts.Quick, ct);
        if (opts.Daemons.Contains(DaemonKind.RouterHa)) await TunnelBench.RunAsync(opts.Quick ? 3 : 10, ct);

        foreach (var kind in opts.Daemons)
        {
            foreach (var advert in adverts)
                foreach (var scenario in Scenarios)
                {
                    var series = new FailoverSeries
                    {
                        Daemon = Options.Name(kind),
                        Scenario = ScenarioName(scenario),
                        AdvertMs = (int)advert.TotalMilliseconds,
                        MasterDownMs = VrrpSettings.For(100, advert).MasterDownInterval.TotalMilliseconds,
                    };
                    for (var rep = 1; rep <= opts.Reps; rep++)
                    {
                        ct.ThrowIfCancellationRequested();
                        try
                        {
                            var gap = await OneFailoverAsync(kind, advert, scenario, ct);
                            series.GapsMs.Add(gap);
                            Console.WriteLine($"  {series.Daemon,-10} {series.Scenario,-8} advert {series.AdvertMs,4} ms  rep {rep}: gap {gap,6:0} ms");
                        }
                        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                        {
                            series.Failures.Add(e.Message.Split('\n')[0]);
                            Console.WriteLine($"  {series.Daemon,-10} {series.Scenario,-8} advert {series.AdvertMs,4} ms  rep {rep}: FAILED {e.Message.Split('\n')[0]}");
                        }
                    }
                    if (series.GapsMs.Count > 0)
                    {
                        series.MedianMs = Median(series.GapsMs);
                        series.MaxMs = series.GapsMs.Max();
                    }
                    report.Failover.Add(series);
                }
            var res = await IdleCostAsync(kind, TimeSpan.FromMilliseconds(100), idle, ct);
            Console.WriteLine($"  {res.Daemon,-10} idle {res.IdleSeconds:0} s: VmRSS {res.VmRssKb} KiB, PSS {res.PssKb} KiB, CPU {res.CpuPercent:0.00} %");
            report.Resources.Add(res);
        }

        // Issue 12's scenarios at 1 s adverts (link down with the peer cable up, kill -9 with fast heartbeats, a hung
        // daemon), side by side in the same run; also alone as `labtool bench-handoff`.
        var handoff = await HandoffBench.MeasureAsync(opts, ct);
        if (opts.Daemons.Contains(DaemonKind.RouterHa)) await PackageBench.RunAsync(opts.Reps, idle, ct);
        Console.WriteLine();
        Console.WriteLine(Markdown(report, opts.Daemons.Select(Options.Name).ToList(), adverts));
        Console.WriteLine(HandoffBench.Markdown(handoff, opts.Daemons));
        await HandoffBench.WriteAsync(handoff, ct);
        var outDir = Path.Combine(RouterHaBinary.RepoRoot, "build", "bench");
        Directory.CreateDirectory(outDir);
        var outFile = Path.Combine(outDir, "failover.json");
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(report, BenchJson.Default.BenchReport), ct);
        Console.WriteLine($"wrote {outFile}");
        return report.Failover.Any(s => s.Failures.Count > 0) || HandoffBench.Failed(handoff) ? 1 : 0;
    }

    private static async Task<double> OneFailoverAsync(DaemonKind kind, TimeSpan advert, FailoverKind scenario, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        using var lab = PairLab.Create(kind, VrrpSettings.For(150, advert), VrrpSettings.For(100, advert));
        await lab.StartAndElectAsync(bound.Token);
        var outcome = await Failover.MeasureAsync(lab, scenario, bound.Token);
        return outcome.Probe.GapMs;
    }

    /// <summary>Memory and CPU of the elected master while nothing happens.</summary>
    private static async Task<ResourceSample> IdleCostAsync(DaemonKind kind, TimeSpan advert, TimeSpan window, CancellationToken ct)
    {
        using var lab = PairLab.Create(kind, VrrpSettings.For(150, advert), VrrpSettings.For(100, advert));
        await lab.StartAndElectAsync(ct);
        var pids = lab.A.Pids.ToList();
        var cpu0 = pids.Sum(p => ProcStats.CpuTime(p).Ticks);
        var sw = Stopwatch.StartNew();
        await Task.Delay(window, ct); // the measurement window itself, not a wait for a condition
        var cpu1 = pids.Sum(p => ProcStats.CpuTime(p).Ticks);
        var elapsed = sw.Elapsed;
        if (lab.A.State != "MASTER") throw new InvalidOperationException($"A left MASTER during the idle window\n{lab.Diagnostics()}");
        return new ResourceSample
        {
            Daemon = Options.Name(kind),
            AdvertMs = (int)advert.TotalMilliseconds,
            Pids = pids,
            VmRssKb = pids.Sum(ProcStats.VmRssKb),
            PssKb = pids.Sum(ProcStats.PssKb),
            IdleSeconds = Math.Round(elapsed.TotalSeconds, 1),
            CpuPercent = Math.Round(100.0 * (cpu1 - cpu0) / elapsed.Ticks, 3),
        };
    }

    private static string ScenarioName(FailoverKind k) => k switch
    {
        FailoverKind.Kill9 => "kill-9",
        FailoverKind.LinkDown => "linkdown",
        _ => "sigterm",
    };

    internal static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static string Markdown(BenchReport r, List<string> daemons, TimeSpan[] adverts)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"Client-visible gap in ms (10 ms probe grid), median / max of {r.Reps} repetitions\n\n");
        sb.Append("| scenario | advert | master-down |");
        foreach (var d in daemons) sb.Append($" {d} median | {d} max |");
        sb.Append("\n|---|---|---|");
        foreach (var _ in daemons) sb.Append("---|---|");
        sb.Append('\n');
        foreach (var advert in adverts)
            foreach (var sc in Scenarios)
            {
                var ms = (int)advert.TotalMilliseconds;
                var name = ScenarioName(sc);
                sb.Append($"| {name} | {ms} ms | {VrrpSettings.For(100, advert).MasterDownInterval.TotalMilliseconds:0} |");
                foreach (var d in daemons)
                {
                    var s = r.Failover.FirstOrDefault(f => f.Daemon == d && f.Scenario == name && f.AdvertMs == ms);
                    var fails = s is { Failures.Count: > 0 } ? $" ({s.Failures.Count} failed)" : "";
                    sb.Append($" {Fmt(s?.MedianMs)}{fails} | {Fmt(s?.MaxMs)} |");
                }
                sb.Append('\n');
            }
        sb.Append("\nMaster at 100 ms adverts, idle\n\n| daemon | VmRSS MiB | PSS MiB | CPU % of a core |\n|---|---|---|---|\n");
        foreach (var x in r.Resources)
            sb.Append($"| {x.Daemon} | {x.VmRssKb / 1024.0:0.0} | {x.PssKb / 1024.0:0.0} | {x.CpuPercent:0.00} |\n");
        return sb.ToString();
    }

    private static string Fmt(double? v) => v is double d ? d.ToString("0", CultureInfo.InvariantCulture) : "-";
}
