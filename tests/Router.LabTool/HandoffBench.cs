using System.Globalization;
using System.Text;
using System.Text.Json;
using Router.LabKit;

namespace Router.LabTool;

/// <summary>
/// Issue 12's evidence, routerha and keepalived (with OMR notify scripts) side by side at 1 s adverts: the master's
/// LAN link cut with the peer cable up, a crash of the master with fast heartbeats, and a hung master daemon. A fresh
/// lab per repetition and daemon; the daemons take turns within a repetition so a busy moment hits both alike.
/// </summary>
public static class HandoffBench
{
    private static readonly TimeSpan Advert = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FastHeartbeat = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FastDead = TimeSpan.FromMilliseconds(300);
    /// <summary>Longer than master-down plus the fence window, so the hang shows what the fence alone does.</summary>
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(10);
    private const string LinkDown = "linkdown";
    private const string Crash = "kill-9";
    private const string Hang = "sigstop";

    /// <summary>
    /// The hang scenario runs routerha as dist/systemd/routerha.service would: under the systemd watchdog stand-in
    /// (WatchdogSec 1 s, RestartSec 0.5 s, the cgroup killed with the daemon), with a fence window that outlasts the
    /// kill, the restart and the restarted daemon's boot stop. keepalived starts plain: 2.2.7 has no service watchdog.
    /// The other scenarios start plain too: a supervisor restarting a killed daemon is not what they measure.
    /// </summary>
    private static readonly TimeSpan HangWatchdog = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HangRestart = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan HangFenceWindow = TimeSpan.FromSeconds(4);
    private static readonly string HangLauncherName =
        $"systemd watchdog stand-in (WatchdogSec {HangWatchdog.TotalSeconds:0.#} s, RestartSec {HangRestart.TotalSeconds:0.#} s), fence_window {HangFenceWindow.TotalSeconds:0.#} s";

    /// <summary>The rows of the table: scenario, what, unit, and where the figure sits in a run.</summary>
    private static readonly (string Scenario, string Measure, string Unit, Func<HandoffRun, double?> Pick)[] Rows =
    [
        (LinkDown, "master's LAN link down, peer cable up: client gap", "ms", r => r.GapMs),
        (LinkDown, "same: cut -> tunnel up on the new master (VPS session)", "ms", r => r.TunnelUpMs),
        (LinkDown, "same: cut -> old master's tunnel client stopped", "ms", r => r.OldTunnelStopMs),
        (LinkDown, "same: old tunnel stopped -> new tunnel up", "ms", r => r.TunnelUpMs - r.OldTunnelStopMs),
        (Crash, "kill -9 of the master, routerha heartbeat 100 ms / dead 300 ms: client gap", "ms", r => r.GapMs),
        (Crash, "same: kill -> tunnel up on the new master (VPS session)", "ms", r => r.TunnelUpMs),
        (Hang, "master's daemon SIGSTOPped 20 s: freeze -> peer's tunnel up (VPS session)", "ms", r => r.PeerTunnelMs),
        (Hang, "same: seconds with two tunnel clients running", "s", r => r.TwoTunnelSeconds),
        (Hang, "same: seconds with both WANs up", "s", r => r.BothWanSeconds),
        (Hang, "same: live tunnel clients pushed out at the VPS", "kicks", r => r.LiveKicks),
    ];

    /// <summary>`labtool bench-handoff`: only these scenarios; prints the table and writes build/bench/handoff.json.</summary>
    public static async Task<int> RunStandaloneAsync(Options opts, CancellationToken ct)
    {
        var report = await MeasureAsync(opts, ct);
        Console.WriteLine();
        Console.WriteLine(Markdown(report, opts.Daemons));
        await WriteAsync(report, ct);
        return Failed(report) ? 1 : 0;
    }

    public static bool Failed(HandoffReport r) => r.Runs.Any(x => x.Failure is not null);

    public static async Task<HandoffReport> MeasureAsync(Options opts, CancellationToken ct)
    {
        if (opts.Daemons.Contains(DaemonKind.RouterHa)) RouterHaBinary.Require();
        var defaults = new HaLabOptions();
        var report = new HandoffReport
        {
            GeneratedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Host = Environment.MachineName,
            Reps = opts.Reps,
            AdvertMs = (int)Advert.TotalMilliseconds,
            FastHeartbeatMs = (int)FastHeartbeat.TotalMilliseconds,
            FastDeadMs = (int)FastDead.TotalMilliseconds,
            DefaultHeartbeatMs = (int)defaults.HeartbeatInterval.TotalMilliseconds,
            DefaultDeadMs = (int)defaults.DeadInterval.TotalMilliseconds,
            FenceWindowMs = (int)defaults.FenceWindow.TotalMilliseconds,
            FreezeSeconds = Freeze.TotalSeconds,
            HangLauncher = HangLauncherName,
            RouterhaBinary = opts.Daemons.Contains(DaemonKind.RouterHa) ? RouterHaBinary.PathOrDefault : null,
        };
        for (var rep = 1; rep <= opts.Reps; rep++)
            foreach (var scenario in ((string[])[LinkDown, Crash, Hang]).Where(x => opts.Scenario is null || x == opts.Scenario))
                foreach (var kind in opts.Daemons)
                {
                    ct.ThrowIfCancellationRequested();
                    var run = new HandoffRun { Daemon = Options.Name(kind), Scenario = scenario, Rep = rep };
                    try
                    {
                        await OneAsync(kind, run, ct);
                    }
                    catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                    {
                        run.Failure = e.Message.Split('\n')[0];
                    }
                    Console.WriteLine($"  {run.Daemon,-10} {run.Scenario,-8} rep {rep}: {Describe(run)}");
                    report.Runs.Add(run);
                }
        report.Summary = Summarize(report, opts.Daemons);
        return report;
    }

    private static async Task OneAsync(DaemonKind kind, HandoffRun run, CancellationToken ct)
    {
        // Every wait inside is bounded on its own; this bounds the repetition as a whole.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Freeze + TimeSpan.FromSeconds(90));
        var options = new HaLabOptions { AdvertInterval = Advert };
        if (run.Scenario == Crash) options = options with { HeartbeatInterval = FastHeartbeat, DeadInterval = FastDead };
        var supervised = run.Scenario == Hang && kind == DaemonKind.RouterHa;
        if (supervised)
            options = options with
            {
                FenceWindow = HangFenceWindow,
                GlobalUci = "\toption watchdog '1'\n\toption respawn_delay '1'\n\toption term_timeout '1'\n",
            };
        using IHaPairLab lab = kind == DaemonKind.RouterHa
            ? await RouterHaPairLab.CreateAsync(options, bound.Token)
            : await KeepalivedHaLab.CreateAsync(options, bound.Token);
        using var sampler = UplinkSampler.Start(lab);
        // Declared after the lab, so disposed before it: a live supervisor would restart what the teardown kills.
        using var watchdog = supervised ? new WatchdogLauncher(HangWatchdog, HangRestart) : null;
        var launcher = watchdog?.Launcher ?? DaemonLauncher.Plain;
        await lab.StartAndSettleAsync(sampler, launcher, bound.Token);
        switch (run.Scenario)
        {
            case LinkDown:
                var link = await HandoffScenarios.MasterLinkDownAsync(lab, sampler, bound.Token);
                run.GapMs = link.Probe.GapMs;
                run.ProbeMaxLateMs = Math.Round(link.Probe.MaxLateMs, 1);
                run.TunnelUpMs = Math.Round(link.TunnelUpMs);
                run.OldTunnelStopMs = link.OldTunnelStopMs is double s ? Math.Round(s) : null;
                run.LiveKicks = link.LiveKicks;
                break;
            case Crash:
                var crash = await HandoffScenarios.MasterCrashAsync(lab, sampler, bound.Token);
                run.GapMs = crash.Probe.GapMs;
                run.ProbeMaxLateMs = Math.Round(crash.Probe.MaxLateMs, 1);
                run.TunnelUpMs = crash.TunnelUpMs is double t ? Math.Round(t) : null;
                run.LiveKicks = crash.LiveKicks;
                break;
            default:
                var hang = await HandoffScenarios.MasterHangAsync(lab, sampler, launcher, Freeze, SettleBound, bound.Token);
                run.PeerTunnelMs = hang.PeerTunnelMs is double p ? Math.Round(p) : null;
                run.TwoTunnelSeconds = Math.Round(hang.TwoTunnelSeconds, 2);
                run.BothWanSeconds = Math.Round(hang.BothWanSeconds, 2);
                run.LiveKicks = hang.LiveKicks;
                run.VpsSessions = hang.VpsSessions;
                run.SettledAfterResumeMs = hang.SettledMs is double m ? Math.Round(m) : null;
                run.RunSeconds = Math.Round(hang.RunSeconds, 1);
                break;
        }
    }

    private static string Describe(HandoffRun r) => r.Failure is not null
        ? $"FAILED {r.Failure}"
        : r.Scenario switch
        {
            LinkDown => $"gap {r.GapMs:0} ms, tunnel up on B {r.TunnelUpMs:0} ms, A's tunnel stopped {Fmt(r.OldTunnelStopMs)} ms, kicks {r.LiveKicks}{LateNote(r)}",
            Crash => $"gap {r.GapMs:0} ms, tunnel up on B {Fmt(r.TunnelUpMs)} ms, kicks {r.LiveKicks}{LateNote(r)}",
            _ => $"B's tunnel after {Fmt(r.PeerTunnelMs)} ms, two tunnels {r.TwoTunnelSeconds:0.00} s, both WANs {r.BothWanSeconds:0.00} s, "
                + $"kicks {r.LiveKicks}, VPS sessions {r.VpsSessions}, settled {Fmt(r.SettledAfterResumeMs)} ms after SIGCONT (run {r.RunSeconds:0.0} s)",
        };

    /// <summary>A descheduled prober blurs the gap (ProbeResult.GridHeld): say so next to the figure.</summary>
    private static string LateNote(HandoffRun r) => r.ProbeMaxLateMs is >= 50 ? $" (probe grid slipped {r.ProbeMaxLateMs:0} ms)" : "";

    private static List<HandoffSummary> Summarize(HandoffReport r, IReadOnlyList<DaemonKind> daemons)
    {
        var list = new List<HandoffSummary>();
        foreach (var row in Rows.Where(x => r.Runs.Any(run => run.Scenario == x.Scenario)))
            foreach (var kind in daemons)
            {
                var runs = r.Runs.Where(x => x.Scenario == row.Scenario && x.Daemon == Options.Name(kind)).ToList();
                var values = runs.Where(x => x.Failure is null).Select(row.Pick).OfType<double>().ToList();
                list.Add(new HandoffSummary
                {
                    Scenario = row.Scenario,
                    Measure = row.Measure,
                    Unit = row.Unit,
                    Daemon = Options.Name(kind),
                    Values = values,
                    Missing = runs.Count - values.Count,
                    Median = values.Count > 0 ? Bench.Median(values) : null,
                    Max = values.Count > 0 ? values.Max() : null,
                });
            }
        return list;
    }

    public static string Markdown(HandoffReport r, IReadOnlyList<DaemonKind> daemons)
    {
        // keepalived first: it is the baseline each routerha figure is read against.
        daemons = [.. daemons.OrderBy(d => d == DaemonKind.Keepalived ? 0 : 1)];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Issue 12 at {r.AdvertMs} ms adverts, median / max of {r.Reps} repetition(s); fence window {r.FenceWindowMs} ms, ");
        sb.Append(CultureInfo.InvariantCulture, $"routerha heartbeat {r.DefaultHeartbeatMs} / dead {r.DefaultDeadMs} ms unless stated; routerha's hang launcher: {r.HangLauncher}\n\n");
        sb.Append("| scenario |");
        foreach (var d in daemons) sb.Append(CultureInfo.InvariantCulture, $" {Options.Name(d)} median / max |");
        sb.Append("\n|---|");
        foreach (var _ in daemons) sb.Append("---|");
        sb.Append('\n');
        foreach (var row in Rows.Where(x => r.Runs.Any(run => run.Scenario == x.Scenario)))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {row.Measure} ({row.Unit}) |");
            foreach (var d in daemons)
            {
                var s = r.Summary.FirstOrDefault(x => x.Scenario == row.Scenario && x.Measure == row.Measure && x.Daemon == Options.Name(d));
                var missing = s is { Missing: > 0 } ? $" ({s.Missing} missing)" : "";
                sb.Append(CultureInfo.InvariantCulture, $" {Fmt(s?.Median, row.Unit)} / {Fmt(s?.Max, row.Unit)}{missing} |");
            }
            sb.Append('\n');
        }
        sb.Append("\nHard failure at 100 ms adverts: the kill-9 rows of `make bench`'s failover table.\n");
        return sb.ToString();
    }

    public static async Task WriteAsync(HandoffReport report, CancellationToken ct)
    {
        var outFile = Path.Combine(RouterHaBinary.RepoRoot, "build", "bench", "handoff.json");
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(report, HandoffJson.Default.HandoffReport), ct);
        Console.WriteLine($"wrote {outFile}");
    }

    private static string Fmt(double? v) => v is double d ? d.ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Fmt(double? v, string unit) => v is not double d ? "-"
        : unit == "s" ? d.ToString("0.00", CultureInfo.InvariantCulture) : d.ToString("0", CultureInfo.InvariantCulture);
}
