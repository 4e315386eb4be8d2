using System.Text;
using Router.Daemon.Control;

namespace Router.Daemon;

/// <summary>`routerha status` for a person at a console.</summary>
internal static class StatusText
{
    public static string Render(StatusReport s)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"node {s.Node}: routerha {s.Version}, pid {s.Pid}, up {s.UptimeS:0.0} s, config {s.ConfigPath}{(s.Maintenance ? ", MAINTENANCE" : "")}");
        sb.AppendLine($"{"INSTANCE",-12} {"VRID",4} {"IF",-10} {"STATE",-7} {"PRIO",4} {"MASTER",-26} {"ADV ms",7} {"DOWN ms",8}  VIPS");
        foreach (var i in s.Instances)
        {
            var vips = string.Join(" ", i.Vips) + (i.IsMaster ? (i.VipsPresent ? " (present)" : " (MISSING)") : "");
            sb.AppendLine($"{i.Name,-12} {i.Vrid,4} {i.Interface,-10} {i.State,-7} {i.EffectivePriority,4} {$"{i.Master ?? "-"} ({i.MasterPriority})",-26} {i.AdvertIntervalMs,7:0.#} {i.MasterDownIntervalMs,8:0.#}  {vips}");
            var c = i.Counters;
            sb.AppendLine($"  adverts sent {c.AdvertsSent}, received {c.AdvertsReceived}; became master {c.BecameMaster}x; conflicts {c.MasterConflicts}; VIPs restored {c.VipsRestored}; peer takeovers {c.PeerTakeovers}" +
                          (c.UnknownMasterAdverts > 0 ? $"; ignored {c.UnknownMasterAdverts} adverts from unknown masters (last {c.UnknownMasterLast})" : "") +
                          (c.Drops.Count > 0 ? "; dropped " + string.Join(", ", c.Drops.Select(d => $"{d.Key}={d.Value}")) : ""));
            if (i.LastError is not null) sb.AppendLine($"  last error: {i.LastError}");
            foreach (var t in i.Transitions.TakeLast(3))
                sb.AppendLine($"  {t.At.ToLocalTime():yyyy-MM-dd HH:mm:ss.fff} {t.From} -> {t.To}: {t.Reason}");
        }
        if (s.Role is { } r)
        {
            sb.AppendLine($"role {r.Target ?? "-"} ({r.Reason}){(r.Finished ? "" : $", running {r.CurrentStep}")}; tunnel {r.Tunnel}");
            foreach (var step in r.Steps)
                sb.AppendLine($"  {step.Name,-14} {step.Direction,-5} {step.Outcome,-10} attempts {step.Attempts}{(step.Error is null ? "" : $": {step.Error}")}");
        }
        if (s.Fence is { } f)
            sb.AppendLine($"fence {f.Gate}: {f.Reason}{Window(f)}; peer {f.PeerRole ?? "unknown"} tunnel {f.PeerTunnel ?? "unknown"}; dual-master episodes {f.DualMasterEpisodes}" +
                          (f.DualMasterEpisodes > 0 ? $" (longest {f.DualMasterLongestMs:0} ms)" : "") +
                          $"; peer states {f.PeerStates} (+{f.PeerStatesDuplicate} duplicates, {f.PeerStatesRejected} out of date)");
        if (s.FenceAgent is { } a)
            sb.AppendLine($"fence agent: {a.Outcome}{(a.Detail is null ? "" : $" ({a.Detail})")}, {a.Runs} run(s)" +
                          (a.LastRunAgoMs is { } ago ? $", last {ago / 1000:0.#} s ago" : "") +
                          (a.DurationMs is { } took ? $" in {took:0} ms" : "") + $"; timeout {a.TimeoutS:0.###} s: {a.Command}");
        if (s.Watchdog is { } w)
            sb.AppendLine($"watchdog: {w.Supervisor}, timeout {w.TimeoutS:0.###} s, pinged every {w.IntervalS:0.###} s from the loop, {w.Pings} sent" +
                          (w.LastPingAgoMs is { } last ? $", last {last / 1000:0.0} s ago" : "") + $", {w.Failures} failed" +
                          (w.LastError is null ? "" : $" ({w.LastError})") + (w.Ready ? "" : ", not ready yet"));
        foreach (var p in s.Peers ?? [])
            sb.AppendLine($"peer path {p.Path}: {(p.Up ? $"up to {p.PeerNode} ({p.Remote})" : "down")}" +
                          (p.LastHeardAgoMs is { } ago ? $", heard {ago:0} ms ago" : "") + (p.LastError is null ? "" : $", {p.LastError}") +
                          (p.Refusals is { Count: > 0 } refused ? $"; refused {string.Join(", ", refused.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))}" : ""));
        if (s.Leases is { } l)
            sb.AppendLine($"leases: {l.Active} active" +
                (l.Pending > 0 ? $", {l.Pending} not yet written" : "") + (l.BadRows > 0 ? $", {l.BadRows} bad row(s) skipped" : "") +
                (l.DroppedRows > 0 ? $", {l.DroppedRows} row(s) dropped by the limits" : "") +
                (l.WriteError is { } we ? $", store not writable: {we}" : "") + (l.Sync is not { } y ? "" :
                $"; sync with {y.Peer ?? "peer"}: {(y.Connected ? y.CaughtUp ? "in sync" : "catching up" : "not connected")}, " +
                $"acked {y.AckedSeq}/{y.LastSeq} ({y.Pending} pending)" + (y.LastAckAgoMs is { } ack ? $", last ack {ack:0} ms ago" : "") +
                $", received up to {y.ReceivedSeq?.ToString() ?? "-"}, longest page commit {y.MaxApplyMs:0.#} ms" +
                (y.LastError is null ? "" : $", error: {y.LastError}")));
        foreach (var t in s.Tracks ?? [])
            sb.AppendLine($"track {t.Name}: {(t.Up ? "UP" : "DOWN")} ({t.Runs} runs, {t.Failures} failed){(t.LastDetail is null ? "" : $": {t.LastDetail}")}");
        foreach (var line in s.Integrations) sb.AppendLine(line);
        sb.Append($"notify scripts: {s.Notify.Started} run, {s.Notify.Failed} failed, {s.Notify.TimedOut} timed out");
        return sb.ToString();
    }

    /// <summary>"; peer silent 2.1 s of 15 s window (needs >= watchdog 10 s + kill 15 s + respawn 5 s + stop 0 s = 30 s)".</summary>
    private static string Window(FenceStatus f) => f.WindowS is not { } window ? "" :
        $"; peer silent {(f.PeerSilentS is { } silent ? $"{silent:0.0} s" : "?")} of {window:0.###} s window" +
        (f.WindowNeeds is null ? "" : $" (needs >= {f.WindowNeeds}{(f.WindowLongEnough == false ? ": TOO SHORT, see check-config" : "")})");
}
