using System.Text;
using Router.Core.Text;
using Router.Daemon.Control;

namespace Router.Daemon;

/// <summary>`routerha status` for a person at a console.</summary>
/// <remarks>Names, addresses, errors and reasons may come from a peer, a broker or a file: each is cleaned here, where it
/// meets the terminal, even when its source cleaned it already, and each line is cleaned whole as well, so no value this
/// file forgets can clear the screen or add a line of its own.</remarks>
internal static class StatusText
{
    // A health line quotes the client's error text, itself cut at 200; a whole line holds many values.
    private const int IntegrationMax = 400;
    private const int LineMax = 4000;

    public static string Render(StatusReport s)
    {
        var sb = new StringBuilder();
        Line(sb, $"node {C(s.Node)}: routerha {C(s.Version)}, pid {s.Pid}, up {s.UptimeS:0.0} s, config {C(s.ConfigPath)}{(s.Maintenance ? ", MAINTENANCE" : "")}");
        Line(sb, $"{"INSTANCE",-12} {"VRID",4} {"IF",-10} {"STATE",-7} {"PRIO",4} {"MASTER",-26} {"ADV ms",7} {"DOWN ms",8}  VIPS");
        foreach (var i in s.Instances)
        {
            var vips = string.Join(" ", i.Vips.Select(C)) + (i.IsMaster ? (i.VipsPresent ? " (present)" : " (MISSING)") : "");
            Line(sb, $"{C(i.Name),-12} {i.Vrid,4} {C(i.Interface),-10} {i.State,-7} {i.EffectivePriority,4} {$"{C(i.Master) ?? "-"} ({i.MasterPriority})",-26} {i.AdvertIntervalMs,7:0.#} {i.MasterDownIntervalMs,8:0.#}  {vips}");
            var c = i.Counters;
            Line(sb, $"  adverts sent {c.AdvertsSent}, received {c.AdvertsReceived}; became master {c.BecameMaster}x; conflicts {c.MasterConflicts}; VIPs restored {c.VipsRestored}; peer takeovers {c.PeerTakeovers}" +
                          (c.UnknownMasterAdverts > 0 ? $"; ignored {c.UnknownMasterAdverts} adverts from unknown masters (last {C(c.UnknownMasterLast)})" : "") +
                          (c.Drops.Count > 0 ? "; dropped " + Dropped(c.Drops) : ""));
            if (i.LastError is not null) Line(sb, $"  last error: {C(i.LastError)}");
            foreach (var t in i.Transitions.TakeLast(3))
                Line(sb, $"  {t.At.ToLocalTime():yyyy-MM-dd HH:mm:ss.fff} {C(t.From)} -> {C(t.To)}: {C(t.Reason)}");
        }
        if (s.Role is { } r)
        {
            Line(sb, $"role {C(r.Target) ?? "-"} ({C(r.Reason)}){(r.Finished ? "" : $", running {C(r.CurrentStep)}")}; tunnel {C(r.Tunnel)}");
            foreach (var step in r.Steps)
                Line(sb, $"  {C(step.Name),-14} {C(step.Direction),-5} {C(step.Outcome),-10} attempts {step.Attempts}{(step.Error is null ? "" : $": {C(step.Error)}")}");
        }
        if (s.Enforcement is { } e)
        {
            Line(sb, e.IntervalS == 0 ? "enforce: off (enforce_interval 0)"
                : $"enforce: every {e.IntervalS:0.###} s, {(e.Active ? $"holding the {C(e.Target)} state" : "waiting for the plan to complete")}");
            foreach (var d in e.Actions)
                Line(sb, $"  {C(d.Action),-14} {C(d.Direction),-5} {DriftText(d)}; {d.Episodes} episode(s), {d.Corrections} correction(s), {d.Checks} check(s)" +
                         (d.LastError is null ? "" : $"; error: {C(d.LastError)}"));
        }
        if (s.Fence is { } f)
            Line(sb, $"fence {C(f.Gate)}: {C(f.Reason)}{Window(f)}; peer {C(f.PeerRole) ?? "unknown"} tunnel {C(f.PeerTunnel) ?? "unknown"}; dual-master episodes {f.DualMasterEpisodes}" +
                          (f.DualMasterEpisodes > 0 ? $" (longest {f.DualMasterLongestMs:0} ms)" : "") +
                          $"; peer states {f.PeerStates} (+{f.PeerStatesDuplicate} duplicates, {f.PeerStatesRejected} out of date)");
        if (s.FenceAgent is { } a)
            Line(sb, $"fence agent: {C(a.Outcome)}{(a.Detail is null ? "" : $" ({C(a.Detail)})")}, {a.Runs} run(s)" +
                          (a.LastRunAgoMs is { } ago ? $", last {ago / 1000:0.#} s ago" : "") +
                          (a.DurationMs is { } took ? $" in {took:0} ms" : "") + $"; timeout {a.TimeoutS:0.###} s: {C(a.Command)}");
        if (s.Watchdog is { } w)
            Line(sb, $"watchdog: {C(w.Supervisor)}, timeout {w.TimeoutS:0.###} s, pinged every {w.IntervalS:0.###} s from the loop, {w.Pings} sent" +
                          (w.LastPingAgoMs is { } last ? $", last {last / 1000:0.0} s ago" : "") + $", {w.Failures} failed" +
                          (w.LastError is null ? "" : $" ({C(w.LastError)})") + (w.Ready ? "" : ", not ready yet"));
        foreach (var p in s.Peers ?? [])
            Line(sb, $"peer path {C(p.Path)}: {(p.Up ? $"up to {C(p.PeerNode)} ({C(p.Remote)})" : "down")}" +
                          (p.LastHeardAgoMs is { } ago ? $", heard {ago:0} ms ago" : "") + (p.LastError is null ? "" : $", {C(p.LastError)}") +
                          (p.Refusals is { Count: > 0 } refused ? $"; refused {Refused(refused)}" : ""));
        if (s.Leases is { } l)
            Line(sb, $"leases: {l.Active} active" +
                (l.Pending > 0 ? $", {l.Pending} not yet written" : "") + (l.BadRows > 0 ? $", {l.BadRows} bad row(s) skipped" : "") +
                (l.DroppedRows > 0 ? $", {l.DroppedRows} row(s) dropped by the limits" : "") +
                (l.WriteError is { } we ? $", store not writable: {C(we)}" : "") + (l.Sync is not { } y ? "" :
                $"; sync with {C(y.Peer) ?? "peer"}: {(y.Connected ? y.CaughtUp ? "in sync" : "catching up" : "not connected")}, " +
                $"acked {y.AckedSeq}/{y.LastSeq} ({y.Pending} pending)" + (y.LastAckAgoMs is { } ack ? $", last ack {ack:0} ms ago" : "") +
                $", received up to {y.ReceivedSeq?.ToString() ?? "-"}, longest page commit {y.MaxApplyMs:0.#} ms" +
                (y.LastError is null ? "" : $", error: {C(y.LastError)}")));
        foreach (var t in s.Tracks ?? [])
            Line(sb, $"track {C(t.Name)}: {(t.Up ? "UP" : "DOWN")} ({t.Runs} runs, {t.Failures} failed){(t.LastDetail is null ? "" : $": {C(t.LastDetail)}")}");
        foreach (var line in s.Integrations) Line(sb, SafeText.Clean(line, IntegrationMax)!);
        sb.Append($"notify scripts: {s.Notify.Started} run, {s.Notify.Failed} failed, {s.Notify.TimedOut} timed out");
        return sb.ToString();
    }

    private static string? C(string? text) => SafeText.Clean(text);

    /// <summary>"reason=n, ..." in the report's order (a loop: see <see cref="Refused"/>).</summary>
    private static string Dropped(IReadOnlyDictionary<string, long> drops)
    {
        var parts = new List<string>(drops.Count);
        foreach (var (reason, n) in drops) parts.Add($"{C(reason)}={n}");
        return string.Join(", ", parts);
    }

    /// <summary>"kind n, ..." by kind. A sorted list, not LINQ over the KeyValuePair struct (binary size:
    /// toolchain/README.md, "Size options").</summary>
    private static string Refused(IReadOnlyDictionary<string, long> refused)
    {
        var kinds = new List<string>(refused.Keys);
        kinds.Sort(StringComparer.Ordinal);
        var parts = new List<string>(kinds.Count);
        foreach (var kind in kinds) parts.Add($"{C(kind)} {refused[kind]}");
        return string.Join(", ", parts);
    }

    private static string DriftText(DriftInfo d) => d.State switch
    {
        "drifting" => $"DRIFTING for {d.DriftingForS:0.#} s: {C(d.LastDrift)}{(d.Held is null ? "" : $" (not corrected: {C(d.Held)})")}",
        "in_state" => "in state",
        "check_failing" => "check failing",
        _ => "not checked yet",
    };

    private static void Line(StringBuilder sb, string line) => sb.Append(SafeText.Clean(line, LineMax)).Append('\n');

    /// <summary>"; peer silent 2.1 s of 15 s window (needs >= watchdog 10 s + kill 15 s + respawn 5 s + stop 0 s = 30 s)".</summary>
    private static string Window(FenceStatus f) => f.WindowS is not { } window ? "" :
        $"; peer silent {(f.PeerSilentS is { } silent ? $"{silent:0.0} s" : "?")} of {window:0.###} s window" +
        (f.WindowNeeds is null ? "" : $" (needs >= {C(f.WindowNeeds)}{(f.WindowLongEnough == false ? ": TOO SHORT, see check-config" : "")})");
}
