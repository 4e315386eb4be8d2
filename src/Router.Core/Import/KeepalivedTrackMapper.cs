using System.Globalization;

namespace Router.Core.Import;

/// <summary>A routerha 'config track' to write.</summary>
internal sealed record ImportedTrack(string Name, KeepalivedNode Origin, List<UciValue> Values);

/// <summary>
/// Turns vrrp_script / vrrp_track_process definitions and the track_* references of instances and sync groups into
/// 'config track' sections. routerha keeps one weight per check, while keepalived lets each instance override it:
/// a check used with two weights becomes two tracks.
/// </summary>
internal static class KeepalivedTrackMapper
{
    public static List<ImportedTrack> Map(IReadOnlyList<TrackUse> uses, Dictionary<string, KeepalivedNode> scripts,
        Dictionary<string, KeepalivedNode> processes, Func<string, string> uniqueName, List<ImportNote> notes)
    {
        var result = new List<ImportedTrack>();
        foreach (var group in uses.GroupBy(u => (u.Kind, u.Target)))
        {
            var (kind, target) = group.Key;
            KeepalivedNode? definition = null;
            if (kind == "script" && !scripts.TryGetValue(target, out definition))
            {
                foreach (var u in group) notes.Add(KeepalivedInstanceMapper.Note(u.Origin, $"track_script {target}: no vrrp_script named {target} — dropped", true));
                continue;
            }
            if (kind == "process" && !processes.TryGetValue(target, out definition))
            {
                foreach (var u in group) notes.Add(KeepalivedInstanceMapper.Note(u.Origin, $"track_process {target}: no vrrp_track_process named {target} — dropped", true));
                continue;
            }
            var baseValues = kind switch
            {
                "link" => [new UciValue("kind", "link", false, group.First().Origin), new UciValue("interface", target, false, group.First().Origin)],
                "script" => Script(definition!, notes),
                _ => Process(definition!, notes),
            };
            if (baseValues is null) continue;
            var defaultWeight = definition?.Child("weight")?.Arg(0) ?? "0";
            foreach (var byWeight in group.GroupBy(u => u.Weight ?? defaultWeight))
            {
                var origin = definition ?? byWeight.First().Origin;
                var values = new List<UciValue>(baseValues);
                if (byWeight.Key != "0") values.Add(new UciValue("weight", byWeight.Key, false, byWeight.First().Origin));
                foreach (var instance in byWeight.Select(u => u.Instance).Distinct())
                    values.Add(new UciValue("instance", instance, true, byWeight.First(u => u.Instance == instance).Origin));
                var name = uniqueName(kind == "link" ? "link_" + target : target);
                result.Add(new ImportedTrack(name, origin, values));
            }
        }
        foreach (var (name, node) in scripts)
            if (!uses.Any(u => u.Kind == "script" && u.Target == name))
                notes.Add(KeepalivedInstanceMapper.Note(node, $"vrrp_script {name} is not tracked by any instance (keepalived does not run it either) — not carried", false));
        return result;
    }

    private static List<UciValue>? Script(KeepalivedNode def, List<ImportNote> notes)
    {
        var values = new List<UciValue>();
        var scriptNode = def.Child("script");
        if (scriptNode?.Arg(0) is not { } script)
        {
            notes.Add(KeepalivedInstanceMapper.Note(def, $"vrrp_script {def.Arg(0)} has no script — dropped", true));
            return null;
        }
        if (KeepalivedScripts.ProcessName(script) is { } process)
        {
            values.Add(new UciValue("kind", "process", false, scriptNode));
            values.Add(new UciValue("name", process, false, scriptNode));
            notes.Add(KeepalivedInstanceMapper.Note(scriptNode, $"script \"{KeepalivedParser.Short(script)}\": written as a routerha process check (kind 'process', name '{process}'), which reads /proc instead of running a command", false));
        }
        else if (KeepalivedScripts.TcpConnect(script) is var (host, port))
        {
            values.Add(new UciValue("kind", "tcp", false, scriptNode));
            values.Add(new UciValue("host", host, false, scriptNode));
            values.Add(new UciValue("port", port, false, scriptNode));
            notes.Add(KeepalivedInstanceMapper.Note(scriptNode, $"script \"{KeepalivedParser.Short(script)}\": written as a routerha tcp check (kind 'tcp', host {host}, port {port}), which connects without a shell", false));
        }
        else
        {
            values.Add(new UciValue("kind", "script", false, scriptNode));
            values.Add(new UciValue("script", KeepalivedScripts.Command(scriptNode, script, notes), false, scriptNode));
        }
        // keepalived runs a script every second unless told otherwise; routerha's default is 2 s, so it is written.
        var intervalNode = def.Child("interval");
        var interval = intervalNode?.Arg(0) ?? "1";
        values.Add(new UciValue("interval", interval, false, intervalNode ?? def));
        if (def.Child("timeout") is { } timeoutNode && timeoutNode.Arg(0) is { } timeout)
        {
            if (Seconds(timeout) > Seconds(interval))
            {
                notes.Add(KeepalivedInstanceMapper.Note(timeoutNode, $"timeout {timeout} is longer than the interval {interval}: routerha never overlaps two runs of a check, so the timeout is the interval", false));
                timeout = interval;
            }
            values.Add(new UciValue("timeout", timeout, false, timeoutNode));
        }
        else
        {
            // keepalived waits a whole interval for a script; routerha's default timeout (1 s) may be shorter.
            values.Add(new UciValue("timeout", interval, false, intervalNode ?? def));
        }
        foreach (var child in def.Block ?? [])
        {
            switch (child.Keyword)
            {
                case "script" or "interval" or "timeout" or "weight":
                    if (child.Keyword == "weight" && child.Args.Count > 1)
                        notes.Add(KeepalivedInstanceMapper.Note(child, $"weight {string.Join(' ', child.Args)}: 'reverse' has no routerha equivalent — the weight is used as is", true));
                    break;
                case "rise" or "fall":
                    if (child.Arg(0) is { } n) values.Add(new UciValue(child.Keyword, n, false, child));
                    break;
                case "init_fail":
                    values.Add(new UciValue("init_fail", "1", false, child));
                    break;
                case "user":
                    notes.Add(KeepalivedInstanceMapper.Note(child, "user: routerha runs checks as its own user (root); drop privileges inside the script if it must not run as root — ignored", false));
                    break;
                default:
                    notes.Add(KeepalivedInstanceMapper.Note(child, $"{child.Keyword}: unknown in vrrp_script (routerha has no equivalent) — dropped", true));
                    break;
            }
        }
        return values;
    }

    private static List<UciValue>? Process(KeepalivedNode def, List<ImportNote> notes)
    {
        var processNode = def.Child("process");
        var name = processNode?.Arg(0);
        var simple = true;
        foreach (var child in def.Block ?? [])
        {
            if (child.Keyword is "process" or "weight" or "delay" or "fork_delay" or "terminate_delay") continue;
            if (child.Keyword == "quorum" && child.Arg(0) == "1") continue;
            notes.Add(KeepalivedInstanceMapper.Note(child, $"{child.Keyword}: routerha's process check looks for one process by name — dropped", true));
            simple = false;
        }
        if (name is not { Length: >= 1 and <= 15 } || processNode is null)
        {
            notes.Add(KeepalivedInstanceMapper.Note(processNode ?? def, "vrrp_track_process: routerha matches the process name as in /proc/PID/comm (1..15 characters) — dropped", true));
            return null;
        }
        if (!simple) return null;
        // keepalived learns of process changes from the kernel at once; a one-second poll is the nearest routerha has.
        return
        [
            new UciValue("kind", "process", false, processNode),
            new UciValue("name", name, false, processNode),
            new UciValue("interval", "1", false, def),
        ];
    }

    private static decimal Seconds(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
