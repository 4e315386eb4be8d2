using System.Globalization;
using System.Net.Sockets;
using Router.Core.Net;

namespace Router.Core.Import;

/// <summary>Maps one vrrp_instance block to a routerha 'config instance' and the checks it tracks.</summary>
internal static class KeepalivedInstanceMapper
{
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["virtual_router_id"] = "vrid",
        ["priority"] = "priority",
        ["preempt_delay"] = "preempt_delay",
        ["unicast_src_ip"] = "unicast_src",
        ["garp_master_delay"] = "garp_master_delay",
        ["garp_master_repeat"] = "garp_repeat",
        ["garp_master_refresh"] = "garp_refresh",
        ["garp_interval"] = "garp_interval",
    };

    private static readonly string[] Notifies = ["notify", "notify_master", "notify_backup", "notify_fault", "notify_stop"];

    private static readonly Dictionary<string, string> GlobalGarp = new()
    {
        ["vrrp_garp_master_delay"] = "garp_master_delay",
        ["vrrp_garp_master_repeat"] = "garp_repeat",
        ["vrrp_garp_master_refresh"] = "garp_refresh",
        ["vrrp_garp_interval"] = "garp_interval",
    };

    public static bool IsGlobalGarp(string keyword) => GlobalGarp.ContainsKey(keyword) || keyword == "vrrp_gna_interval";

    public static ImportedInstance Map(KeepalivedNode node, string name, KeepalivedDefaults defaults, List<ImportNote> notes)
    {
        var instance = new ImportedInstance(name, node.Arg(0) ?? name, node);
        KeepalivedNode? versionNode = null, advertNode = null, gnaNode = null;
        AddressFamily? family = null;
        foreach (var child in node.Block ?? [])
        {
            var k = child.Keyword;
            if (Renamed.TryGetValue(k, out var routerha))
            {
                if (Single(child, notes) is { } v) instance.Option(routerha, v, child);
                continue;
            }
            if (Notifies.Contains(k))
            {
                if (Single(child, notes) is { } script) instance.Option(k, KeepalivedScripts.Command(child, script, notes), child);
                continue;
            }
            switch (k)
            {
                case "interface":
                    if (Single(child, notes) is { } dev) instance.Option("interface", dev, child);
                    break;
                case "state":
                    notes.Add(Note(child, $"state {child.Arg(0)}: routerha has no initial state; every instance starts as BACKUP and the election (priority, then preempt) decides, as it does on the wire with keepalived; the priority carries the preference", false));
                    break;
                case "version":
                    versionNode = child;
                    break;
                case "advert_int":
                    advertNode = child;
                    break;
                case "nopreempt":
                    instance.Option("preempt", "0", child);
                    break;
                case "virtual_ipaddress":
                    family = Vips(instance, child, notes);
                    break;
                case "virtual_ipaddress_excluded":
                    notes.Add(Note(child, "virtual_ipaddress_excluded: routerha advertises every address it moves; list them in virtual_ipaddress on both routers, or add them in a notify_master script — dropped", true));
                    break;
                case "unicast_peer":
                    foreach (var peer in child.Block ?? [])
                    {
                        instance.ListEntry("unicast_peer", peer.Keyword, peer);
                        if (peer.Args.Count > 0)
                            notes.Add(Note(peer, $"unicast_peer {peer.Keyword} {string.Join(' ', peer.Args)}: routerha accepts unicast adverts with TTL 255 only; the extra words are ignored", false));
                    }
                    break;
                case "authentication":
                    Authentication(instance, child, notes);
                    break;
                case "gna_interval":
                    gnaNode = child;
                    break;
                case "track_interface":
                    foreach (var e in child.Block ?? [])
                        instance.Tracks.Add(new TrackUse("link", e.Keyword, WeightOf(e, notes), instance.Name, e));
                    break;
                case "track_script":
                    foreach (var e in child.Block ?? [])
                        instance.Tracks.Add(new TrackUse("script", e.Keyword, WeightOf(e, notes), instance.Name, e));
                    break;
                case "track_process":
                    foreach (var e in child.Block ?? [])
                        instance.Tracks.Add(new TrackUse("process", e.Keyword, WeightOf(e, notes), instance.Name, e));
                    break;
                default:
                    if (KeepalivedUnsupported.Instance.TryGetValue(k, out var why))
                        notes.Add(Note(child, $"{k}: {why.Why} — {(why.Important ? "dropped" : "ignored")}", why.Important));
                    else
                        notes.Add(Note(child, $"{k}: unknown in vrrp_instance (routerha has no equivalent) — dropped", true));
                    break;
            }
        }

        var version = Version(instance, versionNode, family, defaults, notes);
        instance.Option("version", version, versionNode ?? defaults.VersionNode ?? node);
        AdvertInterval(instance, advertNode, version, node, notes);
        if (gnaNode is not null && family == AddressFamily.InterNetworkV6 && !instance.Has("garp_interval") && Single(gnaNode, notes) is { } gna)
            instance.Option("garp_interval", gna, gnaNode);
        foreach (var (keyword, option) in GlobalGarp)
            if (!instance.Has(option) && defaults.Garp.TryGetValue(keyword, out var g) && Single(g, notes) is { } gv)
                instance.Option(option, gv, g);
        if (family == AddressFamily.InterNetworkV6 && !instance.Has("garp_interval") && defaults.Garp.TryGetValue("vrrp_gna_interval", out var gn)
            && Single(gn, notes) is { } gnv)
            instance.Option("garp_interval", gnv, gn);
        return instance;
    }

    private static string Version(ImportedInstance instance, KeepalivedNode? versionNode, AddressFamily? family, KeepalivedDefaults defaults, List<ImportNote> notes)
    {
        var version = versionNode is not null ? Single(versionNode, notes) ?? defaults.Version : defaults.Version;
        // keepalived runs every IPv6 instance as VRRPv3, whatever vrrp_version says.
        if (family == AddressFamily.InterNetworkV6 && version == "2")
        {
            if (versionNode is not null)
                notes.Add(Note(versionNode, "version 2 with IPv6 addresses: keepalived runs IPv6 instances as version 3, and so does the import", false));
            version = "3";
        }
        if (version == "3" && instance.Values.FirstOrDefault(v => v.Name is "auth_type" or "auth_pass") is { } auth)
        {
            instance.Values.RemoveAll(v => v.Name is "auth_type" or "auth_pass");
            notes.Add(Note(auth.Origin, "authentication: VRRPv3 has no authentication (keepalived ignores it too) — dropped", false));
        }
        return version;
    }

    private static void AdvertInterval(ImportedInstance instance, KeepalivedNode? node, string version, KeepalivedNode instanceNode, List<ImportNote> notes)
    {
        if (node is null || Single(node, notes) is not { } text)
        {
            // keepalived's default; written out so the file says what both routers must agree on.
            instance.Option("advert_interval", "1", node ?? instanceNode);
            return;
        }
        if (version == "2" && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) && v != decimal.Truncate(v))
        {
            var whole = Math.Max(1, decimal.Ceiling(v)).ToString(CultureInfo.InvariantCulture);
            notes.Add(Note(node, $"advert_int {text}: VRRP version 2 carries whole seconds; written as {whole} (use version 3 on both routers for sub-second adverts)", true));
            text = whole;
        }
        instance.Option("advert_interval", text, node);
    }

    private static AddressFamily? Vips(ImportedInstance instance, KeepalivedNode block, List<ImportNote> notes)
    {
        AddressFamily? family = null;
        var seen = new List<IpPrefix>();
        var device = instance.Values.FirstOrDefault(v => v.Name == "interface")?.Value;
        foreach (var e in block.Block ?? [])
        {
            if (!IpPrefix.TryParse(e.Keyword, out var prefix))
            {
                notes.Add(Note(e, $"virtual_ipaddress {e.Keyword}: not an address routerha understands (ADDR or ADDR/LEN; ranges are not expanded) — dropped", true));
                continue;
            }
            if (!VipOptions(e, device ?? ResolveInterface(instance), notes)) continue;
            if (IpPrefix.AnyWithAddress(seen, prefix.Address))
            {
                notes.Add(Note(e, $"virtual_ipaddress {e.Keyword} is listed twice; written once", false));
                continue;
            }
            if (family is not null && prefix.Family != family)
            {
                notes.Add(Note(e, $"virtual_ipaddress {e.Keyword}: a routerha instance carries one address family; write a second instance for it (its own vrid or the same one) — dropped", true));
                continue;
            }
            family = prefix.Family;
            seen.Add(prefix);
            instance.ListEntry("vip", e.Keyword, e);
        }
        if (seen.Count == 0) notes.Add(Note(block, "virtual_ipaddress: no address carried over; the instance cannot run without one", true));
        return family;
    }

    /// <summary>A virtual_ipaddress block may come before 'interface' in the block.</summary>
    private static string? ResolveInterface(ImportedInstance instance) => instance.Node.Child("interface")?.Arg(0);

    /// <summary>The words after a VIP: false when the address cannot be carried (another device).</summary>
    private static bool VipOptions(KeepalivedNode e, string? device, List<ImportNote> notes)
    {
        for (var i = 0; i < e.Args.Count; i++)
        {
            var word = e.Args[i];
            var value = i + 1 < e.Args.Count ? e.Args[i + 1] : "";
            switch (word)
            {
                case "dev":
                    i++;
                    if (value != device)
                    {
                        notes.Add(Note(e, $"virtual_ipaddress {e.Keyword} dev {value}: routerha puts every VIP of an instance on its interface ({device ?? "unset"}); make a separate instance on {value} — dropped", true));
                        return false;
                    }
                    break;
                case "label":
                    i++;
                    notes.Add(Note(e, $"virtual_ipaddress {e.Keyword} label {value}: routerha adds the address without a label (ifconfig-style alias names are not created) — label ignored", false));
                    break;
                case "brd" or "broadcast" or "scope" or "metric" or "table" or "proto":
                    i++;
                    notes.Add(Note(e, $"virtual_ipaddress {e.Keyword} {word} {value}: routerha adds the address with the kernel's defaults — ignored", false));
                    break;
                default:
                    notes.Add(Note(e, $"virtual_ipaddress {e.Keyword} {word}: no routerha equivalent — ignored", false));
                    break;
            }
        }
        return true;
    }

    private static void Authentication(ImportedInstance instance, KeepalivedNode block, List<ImportNote> notes)
    {
        var type = block.Child("auth_type")?.Arg(0);
        var pass = block.Child("auth_pass");
        if (type is not null && type.Equals("AH", StringComparison.OrdinalIgnoreCase))
        {
            notes.Add(Note(block.Child("auth_type")!, "auth_type AH: routerha does not do IPsec AH authentication (RFC 3768 removed it); use PASS on both routers, or none — refused", true));
            return;
        }
        if (pass?.Arg(0) is not { } password) return;
        // keepalived sends at most 8 characters; the rest never reaches the wire.
        if (password.Length > 8)
        {
            notes.Add(Note(pass, "auth_pass is longer than 8 characters: keepalived uses only the first 8, and so does the import", false));
            password = password[..8];
        }
        instance.Option("auth_type", "pass", block.Child("auth_type") ?? pass);
        instance.Option("auth_pass", password, pass);
    }

    private static string? WeightOf(KeepalivedNode e, List<ImportNote> notes)
    {
        if (e.Args.Count == 0) return null;
        if (e.Args[0] == "weight" && e.Args.Count >= 2)
        {
            if (e.Args.Count > 2)
                notes.Add(Note(e, $"{e.Keyword} weight {e.Args[1]} {string.Join(' ', e.Args.Skip(2))}: 'reverse' has no routerha equivalent — the weight is used as is", true));
            return e.Args[1];
        }
        notes.Add(Note(e, $"{e.Keyword} {string.Join(' ', e.Args)}: expected 'weight N' — ignored", true));
        return null;
    }

    internal static string? Single(KeepalivedNode n, List<ImportNote> notes)
    {
        if (n.Args.Count >= 1) return n.Args[0];
        notes.Add(Note(n, $"{n.Keyword} needs a value — dropped", true));
        return null;
    }

    internal static ImportNote Note(KeepalivedNode n, string message, bool important) => new(n.File, n.Line, message, important);
}
