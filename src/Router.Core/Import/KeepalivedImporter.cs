using Router.Core.Config;

namespace Router.Core.Import;

/// <summary>The import's outcome: the UCI text, what could not be carried over, and syntax errors (then no text).</summary>
public sealed record ImportResult(string Uci, IReadOnlyList<ImportNote> Notes, IReadOnlyList<ImportNote> SyntaxErrors)
{
    /// <summary>Something that changes what the pair does was dropped.</summary>
    public bool LostSomething => Notes.Any(n => n.Important);
}

/// <summary>
/// keepalived.conf (with its includes) to /etc/config/routerha. Pure: files come through <see cref="IKeepalivedFiles"/>.
/// The result is run through routerha's own config loader, so what it prints is what check-config accepts, or the
/// reason why not is reported at the keepalived line it came from.
/// </summary>
public static class KeepalivedImporter
{
    public static ImportResult Import(string path, IKeepalivedFiles files)
    {
        var parse = KeepalivedParser.Parse(path, files);
        if (parse.SyntaxErrors.Count > 0) return new ImportResult("", parse.Notes, parse.SyntaxErrors);
        var notes = new List<ImportNote>(parse.Notes);
        var names = new HashSet<string>();
        var instanceNames = new Dictionary<string, string>();
        string Unique(string wanted)
        {
            var clean = Text.SafeText.Map(wanted, c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            if (clean.Length == 0) clean = "imported";
            var name = clean;
            for (var i = 2; !names.Add(name); i++) name = $"{clean}_{i}";
            return name;
        }

        var defaults = new KeepalivedDefaults();
        var global = new List<UciValue>();
        var scripts = new Dictionary<string, KeepalivedNode>();
        var processes = new Dictionary<string, KeepalivedNode>();
        var instanceNodes = new List<KeepalivedNode>();
        var groupNodes = new List<KeepalivedNode>();
        foreach (var node in parse.Nodes)
        {
            switch (node.Keyword)
            {
                case "global_defs":
                    Global(node, defaults, global, notes);
                    break;
                case "vrrp_instance":
                    instanceNodes.Add(node);
                    break;
                case "vrrp_sync_group":
                    groupNodes.Add(node);
                    break;
                case "vrrp_script":
                    if (Named(node, notes) is { } script) scripts[script] = node;
                    break;
                case "vrrp_track_process":
                    if (Named(node, notes) is { } process) processes[process] = node;
                    break;
                default:
                    if (KeepalivedUnsupported.TopLevel.TryGetValue(node.Keyword, out var why))
                        notes.Add(KeepalivedInstanceMapper.Note(node, $"{node.Keyword}: {why.Why} — {(why.Important ? "dropped" : "ignored")}", why.Important));
                    else
                        notes.Add(KeepalivedInstanceMapper.Note(node, $"{node.Keyword}: unknown keyword (routerha has no equivalent) — dropped", true));
                    break;
            }
        }

        var instances = new List<ImportedInstance>();
        foreach (var node in instanceNodes)
        {
            if (Named(node, notes) is not { } name) continue;
            if (instanceNames.ContainsKey(name))
            {
                notes.Add(KeepalivedInstanceMapper.Note(node, $"vrrp_instance {name} is defined twice — the second is dropped", true));
                continue;
            }
            var uciName = Unique(name);
            instanceNames[name] = uciName;
            instances.Add(KeepalivedInstanceMapper.Map(node, uciName, defaults, notes));
        }
        if (instances.Count == 0)
            notes.Add(new ImportNote(path, 1, "no vrrp_instance found: nothing for routerha to run (a keepalived.conf with only LVS has no routerha equivalent)", true));

        var groups = new List<(string Name, KeepalivedNode Node, List<UciValue> Values)>();
        var tracks = instances.SelectMany(i => i.Tracks).ToList();
        foreach (var node in groupNodes)
            if (SyncGroup(node, instanceNames, Unique, tracks, notes) is { } g) groups.Add(g);

        var trackSections = KeepalivedTrackMapper.Map(tracks, scripts, processes, Unique, notes);

        var writer = new UciWriter();
        writer.Comment($"routerha config imported from {path} by routerha import-keepalived.");
        writer.Comment("Review it, then install it as /etc/config/routerha (docs/migrating-from-keepalived.md).");
        if (global.Count > 0)
        {
            writer.Section("global", "main", null);
            foreach (var v in global) writer.Option(v.Name, v.Value, v.Origin);
        }
        foreach (var i in instances)
        {
            writer.Section("instance", i.Name, i.Node);
            // A fixed order that reads like docs/configuration.md, whatever order keepalived.conf had.
            foreach (var option in InstanceOrder)
                foreach (var v in i.Values.Where(v => v.Name == option))
                    if (v.IsList) writer.List(v.Name, v.Value, v.Origin);
                    else writer.Option(v.Name, v.Value, v.Origin);
        }
        foreach (var (name, node, values) in groups)
        {
            writer.Section("sync_group", name, node);
            Write(writer, values);
        }
        foreach (var t in trackSections)
        {
            writer.Section("track", t.Name, t.Origin);
            Write(writer, t.Values);
        }
        var uci = writer.ToString();
        if (instances.Count > 0) Validate(uci, writer, path, notes);
        return new ImportResult(uci, notes.OrderBy(n => n.File == path ? 0 : 1).ThenBy(n => n.File, StringComparer.Ordinal).ThenBy(n => n.Line).ToList(), []);
    }

    private static readonly string[] InstanceOrder =
    [
        "interface", "vrid", "version", "priority", "advert_interval", "preempt", "preempt_delay", "vip", "unicast_src", "unicast_peer",
        "auth_type", "auth_pass", "garp_repeat", "garp_interval", "garp_master_delay", "garp_refresh",
        "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop",
    ];

    private static void Write(UciWriter writer, List<UciValue> values)
    {
        foreach (var v in values)
            if (v.IsList) writer.List(v.Name, v.Value, v.Origin);
            else writer.Option(v.Name, v.Value, v.Origin);
    }

    private static string? Named(KeepalivedNode node, List<ImportNote> notes)
    {
        if (node.Arg(0) is { Length: > 0 } name && node.Block is not null) return name;
        notes.Add(KeepalivedInstanceMapper.Note(node, $"{node.Keyword} needs a name and a {{ }} block — dropped", true));
        return null;
    }

    private static void Global(KeepalivedNode node, KeepalivedDefaults defaults, List<UciValue> global, List<ImportNote> notes)
    {
        foreach (var child in node.Block ?? [])
        {
            var k = child.Keyword;
            switch (k)
            {
                case "router_id":
                    if (child.Arg(0) is { Length: > 0 } id) global.Add(new UciValue("node_name", id, false, child));
                    break;
                case "vrrp_startup_delay":
                    if (child.Arg(0) is { } delay) global.Add(new UciValue("startup_delay", delay, false, child));
                    break;
                case "vrrp_version":
                    if (child.Arg(0) is { } v)
                    {
                        defaults.Version = v;
                        defaults.VersionNode = child;
                    }
                    break;
                default:
                    if (KeepalivedInstanceMapper.IsGlobalGarp(k))
                        defaults.Garp[k] = child;
                    else if (KeepalivedUnsupported.Global.TryGetValue(k, out var why))
                        notes.Add(KeepalivedInstanceMapper.Note(child, $"{k}: {why.Why} — {(why.Important ? "dropped" : "ignored")}", why.Important));
                    else
                        notes.Add(KeepalivedInstanceMapper.Note(child, $"{k}: keepalived daemon tuning without a routerha equivalent — ignored", false));
                    break;
            }
        }
    }

    private static (string, KeepalivedNode, List<UciValue>)? SyncGroup(KeepalivedNode node, Dictionary<string, string> instanceNames,
        Func<string, string> unique, List<TrackUse> tracks, List<ImportNote> notes)
    {
        if (Named(node, notes) is not { } name) return null;
        var values = new List<UciValue>();
        var members = new List<string>();
        var groupTracks = new List<(string Kind, KeepalivedNode Entry)>();
        foreach (var child in node.Block ?? [])
        {
            switch (child.Keyword)
            {
                case "group":
                    foreach (var m in child.Block ?? [])
                    {
                        if (instanceNames.TryGetValue(m.Keyword, out var uci))
                        {
                            members.Add(uci);
                            values.Add(new UciValue("instance", uci, true, m));
                        }
                        else
                            notes.Add(KeepalivedInstanceMapper.Note(m, $"vrrp_sync_group {name}: no vrrp_instance named {m.Keyword} — dropped", true));
                    }
                    break;
                case "notify" or "notify_master" or "notify_backup" or "notify_fault":
                    if (child.Arg(0) is { } script) values.Add(new UciValue(child.Keyword, KeepalivedScripts.Command(child, script, notes), false, child));
                    break;
                case "track_script" or "track_interface" or "track_process":
                    foreach (var e in child.Block ?? []) groupTracks.Add((child.Keyword["track_".Length..] is "interface" ? "link" : child.Keyword["track_".Length..], e));
                    break;
                case "smtp_alert":
                    notes.Add(KeepalivedInstanceMapper.Note(child, "smtp_alert: routerha sends no mail; use a notify script or the MQTT / Home Assistant notifications — ignored", false));
                    break;
                case "global_tracking" or "sync_group_tracking_weight":
                    notes.Add(KeepalivedInstanceMapper.Note(child, $"{child.Keyword}: routerha applies each check to the instances it lists and keeps the group in step — ignored", false));
                    break;
                default:
                    notes.Add(KeepalivedInstanceMapper.Note(child, $"{child.Keyword}: unknown in vrrp_sync_group (routerha has no equivalent) — dropped", true));
                    break;
            }
        }
        // keepalived applies a group's checks to every member.
        foreach (var (kind, entry) in groupTracks)
        {
            var weight = entry.Args is ["weight", var w, ..] ? w : null;
            foreach (var m in members) tracks.Add(new TrackUse(kind, entry.Keyword, weight, m, entry));
        }
        if (members.Count < 2)
        {
            notes.Add(KeepalivedInstanceMapper.Note(node, $"vrrp_sync_group {name} has {members.Count} instance(s): a group needs two (keepalived ignores it too) — not carried", false));
            return null;
        }
        return (unique(name), node, values);
    }

    /// <summary>Runs routerha's own loader on the result; each problem is reported at the keepalived line behind it.</summary>
    private static void Validate(string uci, UciWriter writer, string path, List<ImportNote> notes)
    {
        var errors = new List<ConfigError>();
        ConfigLoader.LoadText("/etc/config/routerha", uci, _ => null, errors);
        foreach (var e in errors)
        {
            var origin = writer.OriginOf(e.Line);
            notes.Add(new ImportNote(origin?.File ?? path, origin?.Line ?? 1, $"routerha would refuse this: {e.Message}", true));
        }
    }
}
