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
            sb.AppendLine($"  adverts sent {c.AdvertsSent}, received {c.AdvertsReceived}; became master {c.BecameMaster}x; conflicts {c.MasterConflicts}; VIPs restored {c.VipsRestored}" +
                          (c.Drops.Count > 0 ? "; dropped " + string.Join(", ", c.Drops.Select(d => $"{d.Key}={d.Value}")) : ""));
            if (i.LastError is not null) sb.AppendLine($"  last error: {i.LastError}");
            foreach (var t in i.Transitions.TakeLast(3))
                sb.AppendLine($"  {t.At.ToLocalTime():yyyy-MM-dd HH:mm:ss.fff} {t.From} -> {t.To}: {t.Reason}");
        }
        foreach (var line in s.Integrations) sb.AppendLine(line);
        sb.Append($"notify scripts: {s.Notify.Started} run, {s.Notify.Failed} failed, {s.Notify.TimedOut} timed out");
        return sb.ToString();
    }
}
